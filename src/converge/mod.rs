//! Campaigns that converge: what `send` must do so that the provider holds exactly what the
//! campaign file says, one action per recipient, computed by [`compute`] for `plan` and
//! `send` alike (so the two can never disagree).
//!
//! A recipient of the file never sent is *created*; one sent and unchanged is *kept*; one
//! sent, not dialled yet, whose request would now differ is *replaced* (its pending call is
//! removed at the provider, then the new request is posted); one sent, not dialled yet and
//! no longer in the file is *removed*. A call that cannot change any more (its time has
//! passed, the provider refused its removal, or the provider cannot remove calls) is
//! *fixed*, and one the journal cannot vouch for is *in doubt*, as for a first send.
//!
//! Whether a call is still pending is taken from the journal and the call's time here (a
//! call whose time has passed is treated as dialled); then, where the provider can be asked,
//! `plan` and `send` alike ask it about the calls to replace or remove
//! ([`Submitter::ask_pending`](crate::submit::Submitter::ask_pending)), and a call it says was
//! dialled is *fixed* ([`Converge::fix_dialled`]). `send`'s removals ask again, and the
//! provider has the last word: a removal it refuses turns the action into *fixed*.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::campaign::model::Recipient;
use crate::diagnostic::Problem;
use crate::diff::{self, RecipientSide};
use crate::journal::{
    CallState, HashingWriter, JournalError, JournalState, LinesAt, call_key, changes, key_hash,
};
use crate::plan::{self, Action, Post, PostBody};
use crate::prepared::Prepared;
use crate::provider::{CallRemoval, EncodeError};

/// How many rows of each action a plan lists.
pub const SHOWN: usize = 10;

/// What `send` does about one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Act {
    /// Never sent: posted.
    Create,
    /// Pending with an older request: removed at the provider, then posted anew.
    Replace,
    /// Pending, and no longer in the file: removed at the provider.
    Remove,
    /// Sent, and asks for the same: nothing to do.
    Keep,
    /// Cannot change (see [`Why`]): never posted again.
    Fixed,
    /// Posted (or its removal asked) without a clear answer: settled first, never guessed.
    InDoubt,
}

impl Act {
    /// Every action, in the order plans list them.
    pub const ALL: [Act; 6] = [
        Act::Create,
        Act::Replace,
        Act::Remove,
        Act::Keep,
        Act::Fixed,
        Act::InDoubt,
    ];

    /// The name in JSON (`in-doubt`), as serde writes it.
    pub fn key(self) -> &'static str {
        match self {
            Act::InDoubt => "in-doubt",
            other => other.name(),
        }
    }

    /// The name people read (`in doubt`).
    pub fn name(self) -> &'static str {
        match self {
            Act::Create => "create",
            Act::Replace => "replace",
            Act::Remove => "remove",
            Act::Keep => "keep",
            Act::Fixed => "fixed",
            Act::InDoubt => "in doubt",
        }
    }
}

/// Why a call is fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// Its time has passed (or it rang as soon as it was sent): treated as dialled.
    Dialled,
    /// The provider refused to remove it: already ringing or made.
    Refused,
    /// This provider cannot remove a call.
    CannotRemove,
    /// Sent by an outdial that did not record each call's content: what changed is unknown.
    Unrecorded,
    /// The provider says it was dialled already (before its time, or it is ringing).
    Started,
}

impl Why {
    /// In a few words, for people.
    pub fn text(self) -> &'static str {
        match self {
            Why::Dialled => "its time has passed: treated as dialled",
            Why::Refused => "the provider refused to remove it: already ringing or made",
            Why::CannotRemove => "this provider cannot remove a call",
            Why::Unrecorded => "sent before outdial recorded each call's content",
            Why::Started => "the provider says it was dialled already",
        }
    }
}

/// One recipient's action, with how it was and will be called.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The action.
    pub act: Act,
    /// Why, for `fixed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
    /// The call id.
    pub callid: String,
    /// The number.
    pub number: String,
    /// How the call at the provider was posted (when the journal recorded it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<RecipientSide>,
    /// How the file calls it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<RecipientSide>,
}

/// A call `send` removes before anything is posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The call id.
    pub callid: String,
    /// The number.
    pub number: String,
    /// Its recipient key.
    pub key: String,
    /// Replaced (posted anew afterwards), not only removed.
    pub replace: bool,
}

/// Where whether a call is still pending came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PendingFrom {
    /// The provider was asked about every call to replace or remove.
    Provider,
    /// The journal and the calls' times only: offline, or the provider cannot be asked (or
    /// did not answer clearly). `send`'s removals ask it.
    Journal,
}

/// Every recipient's action: counts, the first rows of each, and what `send` removes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Converge {
    /// Recipients per action, by [`Act::key`].
    pub counts: BTreeMap<&'static str, u64>,
    /// The first [`SHOWN`] rows of each action but `keep`, in file order (removals in key
    /// order).
    pub rows: Vec<Row>,
    /// What the replacements change, in a few words ("time 10:00 → 11:00").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub replacing: String,
    /// Where whether the calls to replace or remove are still pending came from (absent:
    /// there were none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_from: Option<PendingFrom>,
    /// The calls removed first, replaced ones and removed ones.
    #[serde(skip)]
    pub targets: Vec<Target>,
}

impl Converge {
    /// How many recipients get `act`.
    pub fn count(&self, act: Act) -> u64 {
        self.counts.get(act.key()).copied().unwrap_or(0)
    }

    /// Whether `send` would post or remove anything (or has calls to settle).
    pub fn changes_anything(&self) -> bool {
        [Act::Create, Act::Replace, Act::Remove, Act::InDoubt]
            .into_iter()
            .any(|a| self.count(a) > 0)
    }

    /// The counts as a person reads them: "create 3, replace 120 (time 10:00 → 11:00),
    /// remove 2"; only actions that change something, or "no changes".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for act in [Act::Create, Act::Replace, Act::Remove, Act::InDoubt] {
            let n = self.count(act);
            if n == 0 {
                continue;
            }
            let mut part = format!("{} {n}", act.name());
            if act == Act::Replace && !self.replacing.is_empty() {
                part.push_str(&format!(" ({})", self.replacing));
            }
            parts.push(part);
        }
        if parts.is_empty() {
            "no changes".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// Makes the calls with these keys `fixed` (the provider says they were dialled): they
    /// are neither removed nor posted again.
    pub fn fix_dialled(&mut self, keys: &HashSet<String>) {
        let (fixed, targets): (Vec<Target>, Vec<Target>) = std::mem::take(&mut self.targets)
            .into_iter()
            .partition(|t| keys.contains(&t.key));
        self.targets = targets;
        for t in fixed {
            let was = if t.replace { Act::Replace } else { Act::Remove };
            if let Some(n) = self.counts.get_mut(was.key()) {
                *n -= 1;
                if *n == 0 {
                    self.counts.remove(was.key());
                }
            }
            let n = self.counts.entry(Act::Fixed.key()).or_insert(0);
            *n += 1;
            let shown = *n <= SHOWN as u64;
            let row = self
                .rows
                .iter_mut()
                .find(|r| r.act == was && call_key(&r.callid, &r.number) == t.key);
            match row {
                Some(row) => {
                    row.act = Act::Fixed;
                    row.why = Some(Why::Started);
                }
                None if shown => self.rows.push(Row {
                    act: Act::Fixed,
                    why: Some(Why::Started),
                    callid: t.callid,
                    number: t.number,
                    old: None,
                    new: None,
                }),
                None => {}
            }
        }
        self.replacing = replacing(self);
    }

    fn add(&mut self, act: Act, why: Option<Why>, r: RowOf<'_>) {
        let n = self.counts.entry(act.key()).or_insert(0);
        *n += 1;
        if act != Act::Keep && *n <= SHOWN as u64 {
            self.rows.push(Row {
                act,
                why,
                callid: r.callid.to_owned(),
                number: r.number.to_owned(),
                old: None,
                new: r.new,
            });
        }
        if matches!(act, Act::Replace | Act::Remove) {
            self.targets.push(Target {
                callid: r.callid.to_owned(),
                number: r.number.to_owned(),
                key: call_key(r.callid, r.number),
                replace: act == Act::Replace,
            });
        }
    }
}

struct RowOf<'a> {
    callid: &'a str,
    number: &'a str,
    new: Option<RecipientSide>,
}

/// Why the actions could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ConvergeError {
    /// The plan could not be made (the contacts file changed since it was checked).
    #[error("{0}")]
    Plan(Box<Problem>),
    /// A call's request could not be rendered.
    #[error(transparent)]
    Render(#[from] EncodeError),
    /// The journal could not be read.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// The fingerprint of the request for `r` alone, as the provider would receive it: the
/// first 16 bytes of its SHA-256, in hex. (Credentials are left out; the time of sending
/// is not in it: [`Provider::encode`](crate::provider::Provider::encode).)
pub fn fingerprint(campaign: &Prepared, r: &Recipient) -> Result<String, EncodeError> {
    let post = Post {
        seq: 1,
        body: PostBody::Calls(vec![r.clone()]),
    };
    let mut w = HashingWriter::new(std::io::sink());
    campaign.provider().encode(campaign, &post, None, &mut w)?;
    let (_, hex) = w.finish();
    Ok(hex[..32].to_owned())
}

/// What the journal records of `r`'s call, for [`Journal::content`](crate::journal::Journal::content).
pub fn content(campaign: &Prepared, r: &Recipient) -> Result<changes::CallContent, EncodeError> {
    Ok(changes::CallContent {
        key: call_key(&r.callid, r.number.as_str()),
        fingerprint: fingerprint(campaign, r)?,
        due: r.at.as_ref().map(|at| at.timestamp().to_string()),
        side: diff::side(campaign, r).into(),
    })
}

/// Every recipient's action: the file's recipients (streamed), then the calls the journal
/// records that the file no longer has. `journal` is where the journal's lines are, read
/// again for the old side of the rows shown; `now` decides which calls are past their time.
pub fn compute(
    campaign: &Prepared,
    state: &JournalState,
    journal: &LinesAt<'_>,
    now: jiff::Timestamp,
) -> Result<Converge, ConvergeError> {
    let removable = campaign.provider().removal() != CallRemoval::None;
    let mut out = Converge::default();
    let mut seen = HashSet::new();
    for post in plan::posts(campaign, Action::Send) {
        let post = post.map_err(|p| ConvergeError::Plan(Box::new(p)))?;
        for r in post.body.recipients() {
            let number = r.number.as_str();
            let hash = key_hash(&call_key(&r.callid, number));
            seen.insert(hash);
            let (act, why) = match state.call(&r.callid, number) {
                _ if state.removal_in_doubt(&hash) => (Act::InDoubt, None),
                None | Some(CallState::NotTaken) => (Act::Create, None),
                Some(CallState::InDoubt) => (Act::InDoubt, None),
                Some(CallState::Accepted) => match state.posted(&hash) {
                    None => (Act::Fixed, Some(Why::Unrecorded)),
                    Some(p) if p.fingerprint == fingerprint(campaign, r)? => (Act::Keep, None),
                    Some(p) => changeable(state, &hash, p.due, now, removable, Act::Replace),
                },
            };
            let new = (act != Act::Keep).then(|| diff::side(campaign, r));
            out.add(
                act,
                why,
                RowOf {
                    callid: &r.callid,
                    number,
                    new,
                },
            );
        }
    }
    let mut gone: Vec<(&str, KeyHashOf)> = state
        .posted_calls()
        .filter(|(hash, _)| !seen.contains(*hash))
        .map(|(hash, p)| (&*p.key, KeyHashOf(*hash, p.due)))
        .collect();
    gone.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (key, KeyHashOf(hash, due)) in gone {
        let (callid, number) = key.split_once(' ').unwrap_or((key, ""));
        let (act, why) = match state.call(callid, number) {
            _ if state.removal_in_doubt(&hash) => (Act::InDoubt, None),
            None | Some(CallState::NotTaken) => continue,
            Some(CallState::InDoubt) => (Act::InDoubt, None),
            Some(CallState::Accepted) => changeable(state, &hash, due, now, removable, Act::Remove),
        };
        let row = RowOf {
            callid,
            number,
            new: None,
        };
        out.add(act, why, row);
    }
    fill_old_sides(&mut out, journal)?;
    Ok(out)
}

struct KeyHashOf(crate::journal::KeyHash, Option<jiff::Timestamp>);

/// `act` for a pending call that may change, or why it cannot.
fn changeable(
    state: &JournalState,
    hash: &crate::journal::KeyHash,
    due: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
    removable: bool,
    act: Act,
) -> (Act, Option<Why>) {
    if state.settled(hash).is_some() {
        (Act::Fixed, Some(Why::Refused))
    } else if due.is_none_or(|due| due <= now) {
        (Act::Fixed, Some(Why::Dialled))
    } else if !removable {
        (Act::Fixed, Some(Why::CannotRemove))
    } else {
        (act, None)
    }
}

/// Reads the old side of the rows shown and of every replacement (for the summary of what
/// replacements change) back from the journal.
fn fill_old_sides(out: &mut Converge, journal: &LinesAt<'_>) -> Result<(), JournalError> {
    let mut keys: HashSet<String> = out
        .rows
        .iter()
        .filter(|r| r.act != Act::Create)
        .map(|r| call_key(&r.callid, &r.number))
        .collect();
    keys.extend(
        out.targets
            .iter()
            .filter(|t| t.replace)
            .map(|t| t.key.clone()),
    );
    let sides = crate::journal::sides(journal, &keys)?;
    for row in &mut out.rows {
        row.old = sides.get(&call_key(&row.callid, &row.number)).cloned();
    }
    out.replacing = replacing(out);
    Ok(())
}

/// What the replacements change: each field that differs, with its old → new value when
/// every replacement changes it alike.
fn replacing(out: &Converge) -> String {
    // The new sides of rows not shown are not held; the shown rows say enough for the
    // values, and the fields come from every row shown.
    let mut fields: BTreeMap<&'static str, HashSet<(String, String)>> = BTreeMap::new();
    for row in out.rows.iter().filter(|r| r.act == Act::Replace) {
        let (Some(old), Some(new)) = (&row.old, &row.new) else {
            continue;
        };
        for (field, was, now) in differences(old, new) {
            fields.entry(field).or_default().insert((was, now));
        }
    }
    let all_shown = out.count(Act::Replace) as usize <= SHOWN;
    fields
        .into_iter()
        .map(|(field, values)| match values.iter().next() {
            Some((was, now)) if values.len() == 1 && all_shown && field != "text" => {
                format!("{field} {was} → {now}")
            }
            _ => field.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields in which two sides differ: `(field, old, new)`, times shortened.
pub fn differences(
    old: &RecipientSide,
    new: &RecipientSide,
) -> Vec<(&'static str, String, String)> {
    let text = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".to_owned());
    let mut out = Vec::new();
    if old.at != new.at {
        let (was, now) = short_times(old.at.as_deref(), new.at.as_deref());
        out.push(("time", was, now));
    }
    if old.spoken != new.spoken {
        let join = |s: &BTreeMap<u32, String>| s.values().cloned().collect::<Vec<_>>().join(" / ");
        out.push(("text", join(&old.spoken), join(&new.spoken)));
    }
    if old.callerid != new.callerid {
        out.push(("caller ID", text(&old.callerid), text(&new.callerid)));
    }
    if old.ext != new.ext {
        out.push(("ext", text(&old.ext), text(&new.ext)));
    }
    out
}

/// Two times as people compare them: only the clock time when both fall on the same day
/// in the same zone, else both in full.
fn short_times(old: Option<&str>, new: Option<&str>) -> (String, String) {
    let parse = |t: Option<&str>| t.and_then(|t| t.parse::<jiff::Zoned>().ok());
    match (parse(old), parse(new)) {
        (Some(a), Some(b)) if a.date() == b.date() && a.time_zone() == b.time_zone() => (
            a.strftime("%H:%M").to_string(),
            b.strftime("%H:%M").to_string(),
        ),
        _ => (
            old.unwrap_or("as soon as sent").to_owned(),
            new.unwrap_or("as soon as sent").to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests;
