//! What `send` would do now, per the journal, without sending: which posts changed since
//! they were journaled, and per post whether it is skipped, sent whole or in part.

use std::collections::HashSet;
use std::io::Write;

use super::error::SubmitError;
use super::summary::Change;
use crate::campaign::Recipient;
use crate::journal::{CallState, JournalState, KeyHash, call_key, key_hash};
use crate::plan::{self, Action, Post, PostBody, PostKind};
use crate::prepared::Prepared;
use crate::prepared::post_sha256;
use crate::provider::{Credentials, EncodeError as RenderError};

/// One post a `send` would make now, per the journal.
#[derive(Clone, Debug)]
pub struct Preview {
    /// Position in the plan.
    pub seq: usize,
    /// Post kind.
    pub kind: PostKind,
    /// Numbers in the planned post.
    pub numbers: usize,
    /// Skip: the journal shows every call id (or the upload) accepted.
    pub skip: bool,
    /// Call ids in doubt: a query settles them before sending.
    pub in_doubt: usize,
    /// When only part of the batch remains: those recipients.
    pub subset: Option<Vec<Recipient>>,
}

/// Which posts of the campaign's `send` plan differ from what the journal recorded as (maybe)
/// taken, with (when some do) how many of the call ids the journal knows as taken the plan no
/// longer has, and how many it knows as taken. The plan is streamed, and only when the journal
/// has call posts at all.
pub fn changes(
    campaign: &Prepared,
    state: &JournalState,
) -> Result<(Vec<Change>, usize, usize), SubmitError> {
    let journaled = state.send_seqs();
    if journaled.is_empty() {
        return Ok((Vec::new(), 0, 0));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for post in plan::posts(campaign, Action::Send) {
        let post = post?;
        if post.body.kind() != PostKind::Send {
            continue;
        }
        seen.insert(post.seq);
        if let Some(was) = state.post_hash(post.seq)
            && state.seq_has_taken(post.seq)
        {
            let now = post_sha256(campaign, &post)?;
            if now != was {
                out.push(Change {
                    seq: post.seq,
                    was: was.to_owned(),
                    now: Some(now),
                });
            }
        }
    }
    for seq in journaled {
        if !seen.contains(&seq) && state.seq_has_taken(seq) {
            out.push(Change {
                seq,
                was: state.post_hash(seq).unwrap_or_default().to_owned(),
                now: None,
            });
        }
    }
    if out.is_empty() {
        return Ok((out, 0, 0));
    }
    // What the journal holds as taken, less what the plan still has: held as fixed-size
    // hashes, as many as the journal has taken calls, while the plan streams past once more.
    let mut orphans: HashSet<KeyHash> = state.taken_hashes().collect();
    let taken = orphans.len();
    for post in plan::posts(campaign, Action::Send) {
        for r in post?.body.recipients() {
            orphans.remove(&key_hash(&call_key(&r.callid, r.number.as_str())));
            orphans.remove(&key_hash(&r.callid));
        }
    }
    Ok((out, orphans.len(), taken))
}

/// What `send` would do now with `post` (of the `send` plan), given the journal.
pub fn preview_send(
    campaign: &Prepared,
    post: &Post<'_>,
    state: &JournalState,
) -> Result<Preview, SubmitError> {
    let recipients = post.body.recipients();
    let mut p = Preview {
        seq: post.seq,
        kind: post.body.kind(),
        numbers: recipients.len(),
        skip: false,
        in_doubt: 0,
        subset: None,
    };
    if matches!(post.body, PostBody::Upload(_)) {
        p.skip = state.upload_accepted(&post_sha256(campaign, post)?);
    } else {
        p.in_doubt = recipients
            .iter()
            .filter(|r| state.call(&r.callid, r.number.as_str()) == Some(CallState::InDoubt))
            .count();
        let left: Vec<Recipient> = recipients
            .iter()
            .filter(|r| state.call(&r.callid, r.number.as_str()) != Some(CallState::Accepted))
            .cloned()
            .collect();
        p.skip = left.is_empty();
        if !left.is_empty() && left.len() < recipients.len() {
            p.subset = Some(left);
        }
    }
    Ok(p)
}

impl Preview {
    /// Writes the document this post would carry (a subset batch when part is done);
    /// `post` is the planned post the preview was made from.
    pub fn render(
        &self,
        campaign: &Prepared,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: impl Write,
    ) -> Result<(), RenderError> {
        self.render_at(campaign, post, credentials, jiff::Timestamp::now(), out)
    }

    /// [`render`](Self::render) as sent at `now` (see [`Provider::encode_at`](crate::provider::Provider::encode_at)).
    pub fn render_at(
        &self,
        campaign: &Prepared,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        now: jiff::Timestamp,
        out: impl Write,
    ) -> Result<(), RenderError> {
        debug_assert_eq!(post.seq, self.seq, "a preview renders its own post");
        let mut out = out;
        let provider = campaign.provider();
        match &self.subset {
            Some(subset) => provider.encode_at(
                campaign,
                &Post {
                    seq: self.seq,
                    body: PostBody::Calls(subset.clone()),
                },
                credentials,
                now,
                &mut out,
            ),
            None => provider.encode_at(campaign, post, credentials, now, &mut out),
        }
    }
}
