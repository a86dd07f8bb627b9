//! Which served campaign and call a post belongs to: the campaign, the call id *and* the
//! number, by the rule the provider's route declares (its results key and the call id, or
//! outdial's call id, or the provider's own). A post that names no call of a served campaign
//! gets the reason why, kept with it as unmatched.

use crate::provider::inbound::CallName;
use crate::provider::name::ProviderName;
use crate::results::watch::{Miss, Watched};

/// The call a post belongs to.
pub(super) struct Found<'a> {
    /// Its campaign.
    pub(super) campaign: &'a Watched,
    /// outdial's call id.
    pub(super) callid: String,
    /// The number as the journal keys it.
    pub(super) number: String,
}

/// The call of one of `provider`'s campaigns in `campaigns` that `call` names, or why none.
pub(super) fn find<'a>(
    campaigns: &'a [Watched],
    provider: ProviderName,
    call: &CallName,
) -> Result<Found<'a>, String> {
    let theirs = campaigns.iter().filter(move |c| c.provider == provider);
    match call {
        CallName::Keyed {
            key_name,
            key,
            callid,
            number,
        } => by_key(theirs, key_name, key, callid, number),
        CallName::Ids {
            ours: Some(ours),
            provider_id,
            number,
        } => by_our_id(theirs, ours, provider_id.as_deref(), number),
        CallName::Ids {
            ours: None,
            provider_id: Some(id),
            number,
        } => by_provider_id(theirs, id, number),
        CallName::Ids { .. } => Err("the post names no call".to_owned()),
    }
}

/// The campaign with results key `key` whose journal has `callid` with the number the post
/// reported. Several campaign files may share one provider campaign (one send after
/// another); their call ids differ, so the call id picks the campaign.
fn by_key<'a>(
    theirs: impl Iterator<Item = &'a Watched>,
    key_name: &str,
    key: &str,
    callid: &str,
    reported: &str,
) -> Result<Found<'a>, String> {
    let mut with_key = theirs.filter(|c| c.key.as_deref() == Some(key)).peekable();
    if with_key.peek().is_none() {
        return Err(format!(
            "{key_name} {key:?} is not a campaign given to listen"
        ));
    }
    let mut other_number = false;
    for c in with_key {
        match c.number(callid, reported) {
            Ok(number) => return Ok(found(c, callid.to_owned(), number)),
            Err(Miss::OtherNumber) => other_number = true,
            Err(Miss::UnknownCall) => {}
        }
    }
    Err(if other_number {
        format!("number {reported:?} is not the journal's number for call id {callid:?}")
    } else {
        format!("call id {callid:?} is in the journal of no campaign with {key_name} {key:?}")
    })
}

/// The call with outdial's call id `ours` and the number the post reported. When the
/// journal recorded a provider id for the call, the post's (if it has one) must be the same.
fn by_our_id<'a>(
    theirs: impl Iterator<Item = &'a Watched>,
    ours: &str,
    given: Option<&str>,
    reported: &str,
) -> Result<Found<'a>, String> {
    let mut why = format!("outdial call id {ours:?} is in no journal given to listen");
    for c in theirs {
        match c.number(ours, reported) {
            Ok(number) => {
                let known = c.provider_id(ours, &number);
                return match (known, given) {
                    (Some(known), Some(given)) if known != given => Err(format!(
                        "provider call id {given:?} is not the one the journal has for {ours:?}"
                    )),
                    _ => Ok(found(c, ours.to_owned(), number)),
                };
            }
            Err(Miss::OtherNumber) => {
                why =
                    format!("number {reported:?} is not the journal's number for call id {ours:?}");
            }
            Err(Miss::UnknownCall) => {}
        }
    }
    Err(why)
}

/// The call the journal recorded provider call id `id` for, when the number the post
/// reported (if any) is the journal's for it.
fn by_provider_id<'a>(
    mut theirs: impl Iterator<Item = &'a Watched>,
    id: &str,
    reported: &str,
) -> Result<Found<'a>, String> {
    theirs
        .find_map(|c| {
            let (callid, number) = c.by_provider_id(id)?;
            let to_matches =
                reported.is_empty() || c.number(&callid, reported).is_ok_and(|n| n == number);
            to_matches.then(|| found(c, callid, number))
        })
        .ok_or_else(|| format!("provider call id {id:?} is in no journal given to listen"))
}

fn found(campaign: &Watched, callid: String, number: String) -> Found<'_> {
    Found {
        campaign,
        callid,
        number,
    }
}
