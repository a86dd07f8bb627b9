//! Reading a provider's reply without quoting a secret from it.
//!
//! A reader that cannot make sense of a page quotes an excerpt of it, cut to a length; a page
//! that echoes the request carries the credentials. Scrubbing the reader's words afterwards is
//! not enough: a cut inside a secret leaves a prefix no scrubber recognises. So when a page
//! holds a secret, what the reader says about it is taken from a second reading of the page
//! scrubbed whole, before any cut. What the reply *means* (taken, refused, unreadable, which
//! code) always comes from the page as it came.

use super::submitter::Submitter;
use crate::provider::{CallResult, ReplyOutcome, Status};
use crate::secret::Secrets;

impl Submitter<'_> {
    /// The one scrubber of this submission (credentials and endpoint userinfo).
    pub(super) fn secrets(&self) -> &Secrets {
        &self.transport.config().secrets
    }

    /// `read(body)`; a refusal or an unreadable reply says only what the page says with
    /// every secret taken out before the reader cut it.
    pub(super) fn read_safely<T>(
        &self,
        body: &[u8],
        read: impl Fn(&[u8]) -> Result<T, ReplyOutcome>,
    ) -> Result<T, ReplyOutcome> {
        let outcome = match read(body) {
            Ok(value) => return Ok(value),
            Err(outcome) => outcome,
        };
        let secrets = self.secrets();
        let again = secrets.scrub_bytes(body).map(|clean| read(&clean));
        Err(quoted(secrets, outcome, again))
    }

    /// [`read_safely`](Self::read_safely) for a reading that says `Accepted` itself.
    pub(super) fn read_outcome_safely(
        &self,
        body: &[u8],
        read: impl Fn(&[u8]) -> ReplyOutcome,
    ) -> ReplyOutcome {
        let taken = |b: &[u8]| match read(b) {
            ReplyOutcome::Accepted { ids } => Ok(ids),
            other => Err(other),
        };
        match self.read_safely(body, taken) {
            Ok(ids) => ReplyOutcome::Accepted { ids },
            Err(outcome) => outcome,
        }
    }

    /// `result` with no secret in the provider's words (they are stored and shown).
    pub(super) fn scrub_result(&self, mut result: CallResult) -> CallResult {
        let s = self.secrets();
        if s.is_empty() {
            return result;
        }
        for text in [
            &mut result.status,
            &mut result.comment,
            &mut result.dateandtime,
        ] {
            *text = s.scrub(text);
        }
        for (_, key) in &mut result.keypresses {
            *key = s.scrub(key);
        }
        result
    }

    /// [`scrub_result`](Self::scrub_result) for a status, its answers too.
    pub(super) fn scrub_status(&self, mut status: Status) -> Status {
        status.result = self.scrub_result(status.result);
        let s = self.secrets();
        for (name, value) in &mut status.responses {
            *name = s.scrub(name);
            *value = s.scrub(value);
        }
        status
    }
}

/// `outcome` in the words of `again` (the reading of the scrubbed page, `None` when the page
/// held no secret), scrubbed once more: a reader may decode what it quotes.
fn quoted<T>(
    secrets: &Secrets,
    outcome: ReplyOutcome,
    again: Option<Result<T, ReplyOutcome>>,
) -> ReplyOutcome {
    let left_out = || "the provider's reply quoted a credential (left out)".to_owned();
    // The provider's own words are quoted too, so they come from the scrubbed page as well.
    let (words, provider_words) = match again {
        None => (None, None),
        Some(Err(ReplyOutcome::Rejected(r))) => (Some(r.message), Some(r.provider_message)),
        Some(Err(ReplyOutcome::Unreadable(m))) => (Some(m), None),
        Some(_) => (Some(left_out()), None),
    };
    match outcome {
        ReplyOutcome::Rejected(mut r) => {
            if words.is_some() {
                r.provider_message = provider_words.unwrap_or_else(|| Some(left_out().into()));
            }
            r.provider_message = r.provider_message.map(|m| secrets.scrub(&m).into());
            r.message = secrets.scrub(&words.unwrap_or(r.message));
            r.code = secrets.scrub(&r.code);
            r.help = r.help.map(|h| secrets.scrub(&h));
            ReplyOutcome::Rejected(r)
        }
        ReplyOutcome::Unreadable(m) => ReplyOutcome::Unreadable(secrets.scrub(&words.unwrap_or(m))),
        accepted => accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that quotes the first 20 bytes of what it cannot read.
    fn cutting_reader(body: &[u8]) -> Result<(), ReplyOutcome> {
        let text = String::from_utf8_lossy(&body[..body.len().min(20)]);
        Err(ReplyOutcome::Unreadable(format!("not a reply: {text}")))
    }

    #[test]
    fn words_come_from_the_page_scrubbed_before_the_reader_cut_it() {
        let secrets = Secrets::new(["Tr0ubadour4Horse"], None);
        let body = b"0123password=Tr0ubadour4Horse&more";
        let outcome = cutting_reader(body).unwrap_err();
        let ReplyOutcome::Unreadable(plain) = &outcome else {
            unreachable!()
        };
        assert!(plain.contains("Tr0u"), "the reader alone leaks: {plain}");
        let again = secrets.scrub_bytes(body).map(|b| cutting_reader(&b));
        let ReplyOutcome::Unreadable(safe) = quoted(&secrets, outcome, again) else {
            panic!("still unreadable")
        };
        assert_eq!(safe, "not a reply: 0123password=***&mor");
    }
}
