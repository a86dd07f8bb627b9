//! Plans: the ordered posts an action makes, before any of them is rendered or sent.
//!
//! A plan is provider-neutral data. Uploads come before the call batches that play them, and
//! batches keep recipient order, so the same campaign always gives the same posts.

use crate::campaign::{Campaign, Recipient, Sound};

/// Something outdial can ask a provider to do. (Also the values of `compile --action`; the
/// variant docs are its help.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Action {
    /// Upload the campaign's audio, then send call batches (VoiceShot actions 1 then 0).
    Send,
    /// Upload the campaign's audio files (action 1, `save`).
    Sounds,
    /// Delete the campaign's audio files from the account (action 1, `delete`).
    SoundsDelete,
    /// Delete this campaign's calls not yet dialled, by call id (action 2).
    Delete,
    /// Query this campaign's calls by call id (action 3).
    Query,
    /// Query every call of the provider campaign (action 3 with an empty call id).
    QueryAll,
    /// Test the configuration (action 6).
    Ping,
    /// Pause pending calls (action 7).
    Pause,
    /// Un-pause paused calls (action 8).
    Resume,
}

impl Action {
    /// Every action, in a stable order.
    pub const ALL: [Action; 9] = [
        Action::Send,
        Action::Sounds,
        Action::SoundsDelete,
        Action::Delete,
        Action::Query,
        Action::QueryAll,
        Action::Ping,
        Action::Pause,
        Action::Resume,
    ];

    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Action::Send => "send",
            Action::Sounds => "sounds",
            Action::SoundsDelete => "sounds-delete",
            Action::Delete => "delete",
            Action::Query => "query",
            Action::QueryAll => "query-all",
            Action::Ping => "ping",
            Action::Pause => "pause",
            Action::Resume => "resume",
        }
    }
}

/// One post: a request to the provider.
#[derive(Debug, Clone)]
pub struct Post<'c> {
    /// 1-based position in the plan.
    pub seq: usize,
    /// What the post does.
    pub body: PostBody<'c>,
}

/// What one post carries.
#[derive(Debug, Clone)]
pub enum PostBody<'c> {
    /// Upload a sound file.
    Upload(&'c Sound),
    /// Delete a sound file from the account.
    DeleteSound(&'c Sound),
    /// Place calls.
    Calls(&'c [Recipient]),
    /// Delete pending calls by call id.
    DeleteCalls(&'c [Recipient]),
    /// Query calls by call id.
    Query(&'c [Recipient]),
    /// Query every call.
    QueryAll,
    /// Test the configuration.
    Ping,
    /// Pause pending calls.
    Pause,
    /// Resume paused calls.
    Resume,
}

impl PostBody<'_> {
    /// A short name of the post's kind, used in file names and events.
    pub fn kind(&self) -> &'static str {
        match self {
            PostBody::Upload(_) => "sound-save",
            PostBody::DeleteSound(_) => "sound-delete",
            PostBody::Calls(_) => "send",
            PostBody::DeleteCalls(_) => "delete",
            PostBody::Query(_) | PostBody::QueryAll => "query",
            PostBody::Ping => "ping",
            PostBody::Pause => "pause",
            PostBody::Resume => "resume",
        }
    }

    /// The recipients the post concerns (empty for posts without numbers).
    pub fn recipients(&self) -> &[Recipient] {
        match self {
            PostBody::Calls(r) | PostBody::DeleteCalls(r) | PostBody::Query(r) => r,
            _ => &[],
        }
    }
}

/// The posts `action` makes for `campaign`, in order.
pub fn posts(campaign: &Campaign, action: Action) -> Vec<Post<'_>> {
    let batch = campaign
        .voiceshot()
        .map_or(crate::campaign::DEFAULT_BATCH_SIZE, |v| v.batch_size)
        .max(1);
    let recipients = campaign.recipients.as_slice();
    let bodies: Vec<PostBody<'_>> = match action {
        Action::Send => campaign
            .sounds
            .iter()
            .map(PostBody::Upload)
            .chain(recipients.chunks(batch).map(PostBody::Calls))
            .collect(),
        Action::Sounds => campaign.sounds.iter().map(PostBody::Upload).collect(),
        Action::SoundsDelete => campaign.sounds.iter().map(PostBody::DeleteSound).collect(),
        Action::Delete => recipients
            .chunks(batch)
            .map(PostBody::DeleteCalls)
            .collect(),
        Action::Query => recipients.chunks(batch).map(PostBody::Query).collect(),
        Action::QueryAll => vec![PostBody::QueryAll],
        Action::Ping => vec![PostBody::Ping],
        Action::Pause => vec![PostBody::Pause],
        Action::Resume => vec![PostBody::Resume],
    };
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| Post { seq: i + 1, body })
        .collect()
}
