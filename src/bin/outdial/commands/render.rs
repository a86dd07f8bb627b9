//! Planning and rendering posts on two threads, for `compile` and `plan`.

use std::io;

use outdial::campaign::Campaign;
use outdial::diagnostic::Problem;
use outdial::plan::{self, Action};

use super::provider;

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

/// Plans the posts on this thread and renders them on a second one, so the two cores split
/// the work: this one reads the CSV, builds batches (`label` names each post, in order) and
/// hands the rendered bytes to `consume` (writing files, counting), the other only renders,
/// which is the larger share. Rendered posts come back through an unbounded channel that this
/// thread drains before each hand-over, so the renderer never blocks on it and only a few
/// posts are ever in flight. Returns how many posts were consumed.
pub fn on_two_threads<T: Send>(
    campaign: &Campaign,
    action: Action,
    now: jiff::Timestamp,
    mut label: impl FnMut(&plan::Post<'_>) -> T,
    mut consume: impl FnMut(T, Vec<u8>) -> io::Result<()>,
) -> Result<usize, Failure> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(T, plan::Post<'_>)>(2);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<io::Result<(T, Vec<u8>)>>();
    let mut consumed = 0usize;
    let mut take = |rendered: io::Result<(T, Vec<u8>)>| -> io::Result<()> {
        let (tag, xml) = rendered?;
        consume(tag, xml)?;
        consumed += 1;
        Ok(())
    };
    let mut planned = Ok(());
    let written = std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || {
            for (tag, post) in rx {
                let rendered = provider::render(campaign, &post, now);
                let failed = rendered.is_err();
                if done_tx.send(rendered.map(|xml| (tag, xml))).is_err() || failed {
                    break;
                }
            }
        });
        let mut written = Ok(());
        for post in plan::posts(campaign, action) {
            let post = match post {
                Ok(post) => post,
                Err(problem) => {
                    planned = Err(Failure::Problem(Box::new(problem)));
                    break;
                }
            };
            while let (Ok(()), Ok(rendered)) = (&written, done_rx.try_recv()) {
                written = take(rendered);
            }
            if written.is_err() || tx.send((label(&post), post)).is_err() {
                break;
            }
        }
        drop(tx);
        // The rest, in order, as the renderer finishes them (it stops when `tx` is gone).
        for rendered in done_rx {
            if written.is_ok() {
                written = take(rendered);
            }
        }
        written
    });
    planned?;
    written?;
    Ok(consumed)
}
