//! Rendering posts as the provider's documents: one post (as `compile` writes it, or streamed
//! to a writer), and a whole plan on two threads (for `compile` and `plan`).

use std::io;
use std::sync::mpsc::TrySendError;

use jiff::Timestamp;

use crate::diagnostic::Problem;
use crate::plan::{self, Action, Post};
use crate::prepared::Prepared;
use crate::provider::EncodeError;

/// One post's document, as `compile` writes it at `now` (without the line break after it).
pub fn render(campaign: &Prepared, post: &Post<'_>, now: Timestamp) -> io::Result<Vec<u8>> {
    crate::prepared::encode_to_vec_at(campaign, post, now).map_err(into_io)
}

/// Writes one post's document, as sent at `now`, to `out` as it is rendered (an upload streams
/// its file).
pub fn write(
    campaign: &Prepared,
    post: &Post<'_>,
    now: Timestamp,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    campaign
        .provider()
        .encode_at(campaign, post, None, now, out)
        .map_err(into_io)
}

/// The extension of the files `compile -o` writes (`xml`).
pub fn extension(campaign: &Prepared) -> &'static str {
    campaign.provider().extension()
}

/// A request the provider does not have keeps its own kind, so `compile` can say so rather
/// than blame the output folder.
pub(crate) fn into_io(err: EncodeError) -> io::Error {
    match err {
        EncodeError::Io(err) => err,
        EncodeError::Unsupported(what) => io::Error::new(io::ErrorKind::Unsupported, what),
        other => io::Error::other(other.to_string()),
    }
}

/// Why rendering posts stopped.
pub enum Failure {
    /// The plan could not go on (the CSV changed since it was checked, say).
    Problem(Box<Problem>),
    /// Rendering or writing failed.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

/// What the second thread is handed: a post to render, or one this thread rendered.
enum Job<'c, T> {
    Render(T, plan::Post<'c>),
    Write(T, Vec<u8>),
}

/// Plans the posts on this thread and renders them on both, so the two cores split the work:
/// this one reads the CSV and builds batches (`label` names each post, in order); a second
/// one renders each post and hands the bytes to `consume` (writing files, counting), in
/// order. Planning alone is lighter than rendering and writing together (a 1M-row compile:
/// planning 0.4 s, rendering 0.7 s, the writes 0.5 s or more of system time), so when the
/// second thread is still busy this one renders the next post itself and passes on only the
/// bytes. Every `consume` stays on the second thread: two threads creating files in one
/// folder doubled the system time (they contend for the folder and for the same free
/// inodes). At most three posts are in flight. Returns how many posts were consumed.
pub fn on_two_threads<T: Send>(
    campaign: &Prepared,
    action: Action,
    now: Timestamp,
    mut label: impl FnMut(&plan::Post<'_>) -> T,
    mut consume: impl FnMut(T, Vec<u8>) -> io::Result<()> + Send,
) -> Result<usize, Failure> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Job<'_, T>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<usize> {
            let mut consumed = 0;
            // A failure drops `rx`, which stops the planning thread at its next hand-over.
            for job in rx {
                let (tag, xml) = match job {
                    Job::Render(tag, post) => (tag, render(campaign, &post, now)?),
                    Job::Write(tag, xml) => (tag, xml),
                };
                consume(tag, xml)?;
                consumed += 1;
            }
            Ok(consumed)
        });
        let mut planned = Ok(());
        for post in plan::posts(campaign, action) {
            let post = match post {
                Ok(post) => post,
                Err(problem) => {
                    planned = Err(Failure::Problem(Box::new(problem)));
                    break;
                }
            };
            let job = Job::Render(label(&post), post);
            let rendered = match tx.try_send(job) {
                Ok(()) => continue,
                Err(TrySendError::Full(Job::Render(tag, post))) => {
                    render(campaign, &post, now).map(|xml| Job::Write(tag, xml))
                }
                // Only renders are offered; a hang-up means the second thread failed, and
                // its error is the one reported.
                Err(_) => break,
            };
            match rendered.map(|job| tx.send(job)) {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break,
                Err(err) => {
                    planned = Err(Failure::Io(err));
                    break;
                }
            }
        }
        drop(tx);
        let consumed = match writer.join() {
            Ok(consumed) => consumed,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        planned?;
        Ok(consumed?)
    })
}
