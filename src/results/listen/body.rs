//! Reading a post's body within limits that no peer can stretch: a size cap per post, a
//! memory budget shared by every post in flight, and deadlines: one for the whole body that
//! grows with its declared length, and a gap no peer may leave between two pieces.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The budget is counted in pieces of this many bytes (a semaphore counts in `u32`s).
const UNIT: usize = 1024;
/// Longest silence between two pieces of a body.
pub(super) const GAP: Duration = Duration::from_secs(5);
/// The rate a body's deadline assumes beyond [`GAP`]: 16 KiB/s, a poor mobile link.
const RATE: u64 = 16 * 1024;

/// The bytes of every body in flight, together.
#[derive(Debug, Clone)]
pub(super) struct Budget {
    units: Arc<Semaphore>,
    total: usize,
}

impl Budget {
    /// A budget of `bytes` (at least one largest body).
    pub(super) fn new(bytes: usize) -> Budget {
        let units = bytes.div_ceil(UNIT).clamp(1, Semaphore::MAX_PERMITS);
        Budget {
            units: Arc::new(Semaphore::new(units)),
            total: units * UNIT,
        }
    }
}

/// A body read, holding its share of the budget until dropped.
pub(super) struct Held {
    pub(super) bytes: Vec<u8>,
    _share: Vec<OwnedSemaphorePermit>,
}

/// Why a body was not read.
#[derive(Debug)]
pub(super) enum Failed {
    /// Over the cap.
    TooLarge,
    /// Not all of it came before its deadline, or a gap was too long.
    TimedOut,
    /// The budget stayed spent by other posts until the deadline.
    Busy,
    /// Bad framing, or a client gone mid-body.
    Broken(String),
}

/// Reads a body of at most `cap` bytes. Its deadline is [`GAP`] plus the declared length at
/// [`RATE`], at most `limit` (`limit` alone for a body without a length).
pub(super) async fn read(
    headers: &HeaderMap,
    mut body: Body,
    cap: usize,
    limit: Duration,
    budget: &Budget,
) -> Result<Held, Failed> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap as u64 || n > budget.total as u64) {
        return Err(Failed::TooLarge);
    }
    let allowed = declared.map_or(limit, |n| (GAP + Duration::from_secs(n / RATE)).min(limit));
    let deadline = Instant::now() + allowed;
    let mut share = Vec::new();
    // A declared length takes its share before anything is read, so a post waits for room
    // rather than reading into memory the budget does not have.
    if let Some(n) = declared {
        share.push(take(budget, n as usize, deadline).await?);
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    loop {
        let gap = (Instant::now() + GAP).min(deadline);
        let frame = match tokio::time::timeout_at(gap, body.frame()).await {
            Err(_) => return Err(Failed::TimedOut),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(Failed::Broken(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > cap {
            return Err(Failed::TooLarge);
        }
        if declared.is_none() {
            share.push(take(budget, data.len(), deadline).await?);
        }
        bytes.extend_from_slice(&data);
    }
    Ok(Held {
        bytes,
        _share: share,
    })
}

/// `n` bytes of the budget, waited for until `deadline`.
async fn take(
    budget: &Budget,
    n: usize,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, Failed> {
    let units = u32::try_from(n.div_ceil(UNIT)).map_err(|_| Failed::TooLarge)?;
    match tokio::time::timeout_at(
        deadline,
        Arc::clone(&budget.units).acquire_many_owned(units),
    )
    .await
    {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) | Err(_) => Err(Failed::Busy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_shared_and_given_back() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let limit = Duration::from_millis(200);
        runtime.block_on(async {
            let budget = Budget::new(10 * UNIT);
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_LENGTH, "8192".parse().unwrap());
            let body = || Body::from(vec![b'x'; 8192]);
            let first = read(&headers, body(), 1 << 20, limit, &budget).await;
            let first = first.ok().unwrap();
            assert_eq!(first.bytes.len(), 8192);
            // 8 of 10 units are held: another 8 KiB waits, and gives up at its deadline.
            let second = read(&headers, body(), 1 << 20, limit, &budget).await;
            assert!(matches!(second, Err(Failed::Busy)));
            drop(first);
            assert!(
                read(&headers, body(), 1 << 20, limit, &budget)
                    .await
                    .is_ok()
            );
            // Over the whole budget can never fit.
            headers.insert(header::CONTENT_LENGTH, "20000".parse().unwrap());
            let huge = read(
                &headers,
                Body::from(vec![b'x'; 20000]),
                1 << 20,
                limit,
                &budget,
            );
            assert!(matches!(huge.await, Err(Failed::TooLarge)));
        });
    }
}
