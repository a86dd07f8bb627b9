//! What voip-communications posts back, declared for `listen`: the callback route and its
//! reader (the body is read in `callback.rs`).

use super::callback::{CallbackError, our_callid_in, parse_callback};
use crate::outcome::Source;
use crate::provider::inbound::{CallName, Reading, Received, Route, Said, Unreadable};
use crate::provider::name::ProviderName;

/// Where voip-communications posts callbacks (the path is stored with each post: never
/// changed). The raw body goes with the row: the reading rests on vocabulary outdial chose.
pub(crate) const CALLBACK: Route = Route {
    path: "/voipcomm/callback",
    provider: ProviderName::Voipcomm,
    source: Source::Callback,
    keep_body: true,
    read: read_callback,
};

/// A callback post, read for `listen`: matched by outdial's call id (the URL's first, then
/// the body's) and the number, else by the provider's call id.
fn read_callback(post: &Received<'_>) -> Result<Reading, Unreadable> {
    let cb = parse_callback(post.body, post.ctype).map_err(|e| match e {
        CallbackError::Type(_) => Unreadable::MediaType(e.to_string()),
        CallbackError::Shape(_) => Unreadable::Malformed(e.to_string()),
    })?;
    // `send` puts outdial's call id in each call's callback URL: that is trusted first.
    let ours = post
        .query
        .and_then(our_callid_in)
        .or_else(|| cb.outdial_callid.clone());
    let nameless = ours.is_none() && cb.callid.is_none();
    Ok(Reading {
        call: CallName::Ids {
            ours,
            provider_id: cb.callid,
            number: cb.to,
        },
        said: Some(Said {
            status: cb.status,
            outcome: cb.outcome,
            reason: cb.reason,
            duration: cb.billed_seconds,
            answered_by: cb.answered_by,
            called_at: None,
        }),
        unmatched_why: nameless
            .then(|| "the callback names no call (no callid, no outdial_callid)".to_owned()),
        ..Reading::default()
    })
}
