//! Call Summaries from the sandbox: once a call has its outcome, the sandbox POSTs the
//! summary VoiceShot would (§7) to the configured URL, so `listen` can be tested on one
//! machine. A watcher thread finds ended calls and queues their summaries (a bounded queue:
//! when the receiver is slow the watcher waits, never a request thread); a poster thread
//! sends them, retrying a failed post a few times.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::call::{CallStatus, SandboxCall};
use super::shared::Shared;
use crate::provider::voiceshot::summary::{Summary, render_summary};

/// Summaries waiting to be posted at most.
const QUEUE: usize = 256;
/// How often ended calls are looked for.
const TICK: Duration = Duration::from_millis(50);
/// Tries per summary, and the wait before the first retry (doubling).
const TRIES: u32 = 4;
const BACKOFF: Duration = Duration::from_millis(200);

/// Starts the watcher and the poster.
pub(super) fn start(shared: &Arc<Shared>, url: String) -> std::io::Result<()> {
    let (tx, rx) = mpsc::sync_channel::<String>(QUEUE);
    let watcher = Arc::clone(shared);
    thread::Builder::new()
        .name("sandbox-summary-watch".into())
        .spawn(move || {
            let mut posted: HashSet<u64> = HashSet::new();
            while !watcher.stopping() {
                for call in watcher.snapshot() {
                    let ended = matches!(
                        call.status,
                        CallStatus::Successful | CallStatus::Unsuccessful
                    );
                    if ended && posted.insert(call.seq) && tx.send(summary_of(&call)).is_err() {
                        return;
                    }
                }
                watcher.sleep(TICK);
            }
        })?;
    let poster = Arc::clone(shared);
    thread::Builder::new()
        .name("sandbox-summary-post".into())
        .spawn(move || {
            // Loopback only (checked at start), so no proxy.
            let client = reqwest::blocking::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build();
            let Ok(client) = client else { return };
            for body in rx {
                let mut wait = BACKOFF;
                let mut delivered = false;
                for attempt in 1..=TRIES {
                    let sent = client
                        .post(&url)
                        .header("Content-Type", "text/xml")
                        .body(body.clone())
                        .send();
                    if sent.is_ok_and(|r| r.status().is_success()) {
                        delivered = true;
                        break;
                    }
                    if attempt < TRIES && !poster.stopping() {
                        poster.sleep(wait);
                        wait *= 2;
                    }
                }
                let counter = if delivered {
                    &poster.summaries_posted
                } else {
                    &poster.summaries_failed
                };
                counter.fetch_add(1, Ordering::SeqCst);
            }
        })?;
    Ok(())
}

fn summary_of(call: &SandboxCall) -> String {
    render_summary(&Summary {
        menuid: call.menuid.clone(),
        callid: call.callid.clone(),
        number: call.number.clone(),
        status: call.status.as_str().to_owned(),
        comment: call.comment.clone(),
        duration: call.duration,
        dateandtime: call.dialled_at.clone(),
        keypresses: call.keypresses.clone(),
        recordings: Vec::new(),
    })
}
