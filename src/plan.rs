//! Plans: the ordered posts an action makes, before any of them is rendered or sent.
//!
//! A plan is provider-neutral data. Uploads come before the call batches that play them, and
//! batches keep recipient order, so the same campaign always gives the same posts.

use crate::campaign::contacts::RowStream;
use crate::campaign::model::{Recipient, Sound};
use crate::campaign::validated::Campaign;
use crate::diagnostic::Problem;

use serde::{Deserialize, Serialize};

/// Something outdial can ask a provider to do. (The binary's `compile --action` takes these by
/// [`Action::name`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Upload the campaign's audio, then send call batches (actions 1 then 0).
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

/// What one post carries. Recipients are owned: CSV recipients are made batch by batch while
/// the posts are produced, and dropped with the post.
#[derive(Debug, Clone)]
pub enum PostBody<'c> {
    /// Upload a sound file.
    Upload(&'c Sound),
    /// Delete a sound file from the account.
    DeleteSound(&'c Sound),
    /// Place calls.
    Calls(Vec<Recipient>),
    /// Delete pending calls by call id.
    DeleteCalls(Vec<Recipient>),
    /// Query calls by call id.
    Query(Vec<Recipient>),
    /// Query every call.
    QueryAll,
    /// Test the configuration.
    Ping,
    /// Pause pending calls.
    Pause,
    /// Resume paused calls.
    Resume,
}

/// What kind of request a post is: the same for every provider, named in file names, events
/// and the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostKind {
    /// Upload a sound file.
    SoundSave,
    /// Delete a sound file.
    SoundDelete,
    /// Place calls.
    Send,
    /// Delete pending calls.
    Delete,
    /// Query calls.
    Query,
    /// Test the configuration.
    Ping,
    /// Pause pending calls.
    Pause,
    /// Resume paused calls.
    Resume,
}

impl PostKind {
    /// The name in file names, events and the journal (`sound-save`).
    pub fn name(self) -> &'static str {
        match self {
            PostKind::SoundSave => "sound-save",
            PostKind::SoundDelete => "sound-delete",
            PostKind::Send => "send",
            PostKind::Delete => "delete",
            PostKind::Query => "query",
            PostKind::Ping => "ping",
            PostKind::Pause => "pause",
            PostKind::Resume => "resume",
        }
    }
}

impl std::fmt::Display for PostKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Action::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown action \"{name}\"")))
    }
}

impl PostBody<'_> {
    /// The post's kind.
    pub fn kind(&self) -> PostKind {
        match self {
            PostBody::Upload(_) => PostKind::SoundSave,
            PostBody::DeleteSound(_) => PostKind::SoundDelete,
            PostBody::Calls(_) => PostKind::Send,
            PostBody::DeleteCalls(_) => PostKind::Delete,
            PostBody::Query(_) | PostBody::QueryAll => PostKind::Query,
            PostBody::Ping => PostKind::Ping,
            PostBody::Pause => PostKind::Pause,
            PostBody::Resume => PostKind::Resume,
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

/// What planning needs to know of the provider a campaign is sent to, as data (the plan does
/// not ask the provider itself: providers sit above plans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Recipients per call post (1: one call per request).
    pub batch_size: usize,
    /// Whether `audio` prompts are uploaded before the calls: a provider that plays files
    /// from its own disk gets no uploads.
    pub uploads_audio: bool,
}

/// A campaign to plan, with the [`Shape`] its provider gives posts
/// ([`crate::prepared::Prepared`] is one).
pub trait ToPlan {
    /// The campaign.
    fn campaign(&self) -> &Campaign;
    /// The shape of its posts.
    fn shape(&self) -> Shape;
}

/// The posts `action` makes for `campaign`, in order, produced one at a time.
///
/// Posts with recipients are filled from the campaign file's recipients, then from the CSV
/// contact list, which is read as the iterator advances: memory holds one batch. An `Err` is
/// final (the CSV could not be read again, or changed since it was checked); nothing follows
/// it. Collect with `.collect::<Result<Vec<_>, _>>()` when the campaign is small.
pub fn posts<P: ToPlan + ?Sized>(campaign: &P, action: Action) -> Posts<'_> {
    let shape = campaign.shape();
    let campaign = campaign.campaign();
    tracing::debug!(
        campaign = %campaign.name,
        action = action.name(),
        posts = count(campaign, shape, action),
        "plan"
    );
    let batch = shape.batch_size.max(1);
    let (sounds, fixed): (&[Sound], Vec<PostBody<'_>>) = match action {
        // A provider that plays files from its own disk gets no uploads before the calls.
        Action::Send if !shape.uploads_audio => (&[], Vec::new()),
        Action::Send => (&campaign.sounds, Vec::new()),
        Action::Sounds => (&campaign.sounds, Vec::new()),
        Action::SoundsDelete => (
            &[],
            campaign.sounds.iter().map(PostBody::DeleteSound).collect(),
        ),
        Action::Delete | Action::Query => (&[], Vec::new()),
        Action::QueryAll => (&[], vec![PostBody::QueryAll]),
        Action::Ping => (&[], vec![PostBody::Ping]),
        Action::Pause => (&[], vec![PostBody::Pause]),
        Action::Resume => (&[], vec![PostBody::Resume]),
    };
    let with_recipients = matches!(action, Action::Send | Action::Delete | Action::Query);
    Posts {
        campaign,
        action,
        batch,
        seq: 0,
        uploads: sounds.iter(),
        fixed: fixed.into_iter(),
        inline: if with_recipients {
            campaign.recipients.iter()
        } else {
            [].iter()
        },
        csv: CsvState::NotOpened,
        with_recipients,
        failed: false,
    }
}

/// Every post of `action`, collected, for callers that look at the whole plan at once (`send`
/// compares it with the journal); the first planning problem ends it.
pub fn all_posts<P: ToPlan + ?Sized>(
    campaign: &P,
    action: Action,
) -> Result<Vec<Post<'_>>, Box<Problem>> {
    posts(campaign, action)
        .collect::<Result<_, _>>()
        .map_err(Box::new)
}

/// How many posts [`posts`] makes, without reading the CSV (the counts come from loading).
pub fn post_count<P: ToPlan + ?Sized>(campaign: &P, action: Action) -> usize {
    count(campaign.campaign(), campaign.shape(), action)
}

fn count(campaign: &Campaign, shape: Shape, action: Action) -> usize {
    let batch = shape.batch_size.max(1);
    let batches = (campaign.stats.recipients as usize).div_ceil(batch);
    match action {
        Action::Send if !shape.uploads_audio => batches,
        Action::Send => campaign.sounds.len() + batches,
        Action::Sounds | Action::SoundsDelete => campaign.sounds.len(),
        Action::Delete | Action::Query => batches,
        Action::QueryAll | Action::Ping | Action::Pause | Action::Resume => 1,
    }
}

enum CsvState<'c> {
    NotOpened,
    Open(Box<RowStream<'c>>),
    Done,
}

/// The iterator [`posts`] returns.
pub struct Posts<'c> {
    campaign: &'c Campaign,
    action: Action,
    batch: usize,
    seq: usize,
    uploads: std::slice::Iter<'c, Sound>,
    fixed: std::vec::IntoIter<PostBody<'c>>,
    inline: std::slice::Iter<'c, Recipient>,
    csv: CsvState<'c>,
    with_recipients: bool,
    failed: bool,
}

impl<'c> Posts<'c> {
    fn next_recipient(&mut self) -> Option<Result<Recipient, Problem>> {
        if let Some(r) = self.inline.next() {
            return Some(Ok(r.clone()));
        }
        loop {
            match &mut self.csv {
                CsvState::NotOpened => {
                    self.csv = match &self.campaign.contacts {
                        Some(contacts) => match contacts.stream(self.campaign.stream_from()) {
                            Ok(stream) => CsvState::Open(Box::new(stream)),
                            Err(problem) => {
                                self.csv = CsvState::Done;
                                return Some(Err(problem));
                            }
                        },
                        None => CsvState::Done,
                    };
                }
                CsvState::Open(stream) => {
                    let next = stream.next();
                    if next.is_none() {
                        self.csv = CsvState::Done;
                    }
                    return next;
                }
                CsvState::Done => return None,
            }
        }
    }

    fn body(&self, batch: Vec<Recipient>) -> PostBody<'c> {
        match self.action {
            Action::Delete => PostBody::DeleteCalls(batch),
            Action::Query => PostBody::Query(batch),
            _ => PostBody::Calls(batch),
        }
    }
}

impl<'c> Iterator for Posts<'c> {
    type Item = Result<Post<'c>, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let body = if let Some(sound) = self.uploads.next() {
            PostBody::Upload(sound)
        } else if let Some(body) = self.fixed.next() {
            body
        } else if self.with_recipients {
            let mut batch = Vec::with_capacity(self.batch.min(8192));
            while batch.len() < self.batch {
                match self.next_recipient() {
                    Some(Ok(r)) => batch.push(r),
                    Some(Err(problem)) => {
                        self.failed = true;
                        return Some(Err(problem));
                    }
                    None => break,
                }
            }
            if batch.is_empty() {
                return None;
            }
            self.body(batch)
        } else {
            return None;
        };
        self.seq += 1;
        Some(Ok(Post {
            seq: self.seq,
            body,
        }))
    }
}
