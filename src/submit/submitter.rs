//! The value that submits one campaign's posts ([`Submitter`]), the choices it is given
//! ([`SubmitOptions`]), and what every kind of post shares: rendering a body at the moment
//! of sending, reporting retries, naming a call in doubt.

use super::event::Event;
use super::http::{self, Transport};
use super::summary::InDoubtCall;
use crate::campaign::Recipient;
use crate::plan::Post;
use crate::prepared::Prepared;
use crate::provider::{Credentials, EncodeError as RenderError};

/// Submits one campaign's posts.
#[derive(Debug)]
pub struct Submitter<'a> {
    /// The campaign.
    pub campaign: &'a Prepared,
    /// The HTTP transport.
    pub transport: &'a Transport,
    /// Credentials from the environment, for providers that carry them in the body.
    pub credentials: Option<&'a Credentials>,
    /// How careful to be.
    pub options: SubmitOptions,
}

/// Choices that trade safety against requests and time.
#[derive(Clone, Copy, Debug)]
pub struct SubmitOptions {
    /// Skip looking up calls the journal has never seen accepted (only those in doubt are
    /// looked up). Safe only while this journal is the one and only record of the campaign.
    pub trust_journal: bool,
    /// How long after a call post its calls are first looked up.
    pub settle: std::time::Duration,
    /// Call posts in flight at once (1: one after the other). The journal stays exact
    /// either way.
    pub concurrency: usize,
}

impl SubmitOptions {
    /// The default settle time: the longer of 30 s and twice the request timeout. An
    /// ambiguous post is rare; a double call is not cheap.
    pub fn default_settle(timeout: std::time::Duration) -> std::time::Duration {
        std::time::Duration::from_secs(30).max(timeout * 2)
    }
}

impl Submitter<'_> {
    /// The body of `post`, rendered now.
    pub(super) fn body(&self, post: &Post<'_>) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        // Written at the moment of sending: some providers schedule relative to it.
        self.campaign.provider().encode_into(
            self.campaign,
            post,
            self.credentials,
            jiff::Timestamp::now(),
            &mut out,
        )?;
        Ok(out)
    }

    /// Reports each retry of post `seq` to `on`.
    pub(super) fn retry_cb<'e>(
        seq: usize,
        on: &'e mut dyn FnMut(Event),
    ) -> impl FnMut(&http::Retry) + 'e {
        move |r: &http::Retry| {
            on(Event::Retry {
                seq,
                error: r.failure.to_string(),
                next: r.next.clone(),
                wait_ms: r.wait.as_millis() as u64,
            })
        }
    }

    /// Call `r` of post `seq`, as a person looks it up at the provider.
    pub(super) fn in_doubt_call(&self, seq: usize, r: &Recipient) -> InDoubtCall {
        InDoubtCall {
            seq,
            callid: r.callid.clone(),
            number: r.number.to_string(),
            label: self.campaign.provider().call_label(self.campaign, r),
        }
    }
}
