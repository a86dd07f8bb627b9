//! Serving HTTP/1.1 with hyper: the accept loop, body reading and stop signal shared by
//! `listen` and the providers' sandboxes, and the one transport fault hyper cannot produce.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::service::Service;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;

/// The errors a service or a body may carry.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How connections are served.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Connections served at once; the rest wait in the kernel's backlog, so a flood of
    /// connections cannot take every descriptor.
    pub(crate) connections: usize,
    /// Time a client has to send a request head, counted from when the server starts waiting
    /// for it: it also bounds how long a kept-alive connection may sit idle.
    pub(crate) header_timeout: Duration,
    /// Whether a connection may carry more than one request.
    pub(crate) keep_alive: bool,
    /// Response header names in Title-Case, as the providers' servers write them.
    pub(crate) title_case: bool,
    /// How long open connections get to finish their request after the stop; `None`: as
    /// long as they need.
    pub(crate) drain: Option<Duration>,
    /// At the cap, close the oldest connection that has no request under way (idle between
    /// requests, or still sending its head) to make room, instead of leaving the newcomer in
    /// the backlog: idle or slow peers cannot hold every slot.
    pub(crate) evict_idle: bool,
}

impl Limits {
    /// A sandbox's: a generous connection cap, header names in Title-Case, and two seconds
    /// for open connections to finish after a stop.
    pub(crate) const fn sandbox(keep_alive: bool, header_timeout: Duration) -> Limits {
        Limits {
            connections: 512,
            header_timeout,
            keep_alive,
            title_case: true,
            drain: Some(Duration::from_secs(2)),
            evict_idle: false,
        }
    }
}

/// Accepts connections until `stop`, then lets the open ones finish their request (idle
/// kept-alive ones are closed at once).
///
/// hyper's connection builder rather than `axum::serve`, for a timer: a client that opens a
/// connection and never finishes its request head is dropped after
/// [`Limits::header_timeout`] instead of holding a socket for ever. `service` makes each
/// connection's service and sees its socket (see [`Resetter`]).
pub(crate) async fn serve_connections<S, B>(
    listener: tokio::net::TcpListener,
    limits: Limits,
    mut service: impl FnMut(&tokio::net::TcpStream) -> S,
    stop: impl Future<Output = ()>,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.connections));
    let open = Open::default();
    tokio::pin!(stop);
    loop {
        let free = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) if limits.evict_idle && open.close_oldest_idle() => None,
            Err(_) => None,
        };
        let slot = match free {
            Some(slot) => slot,
            None => tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = &mut stop => break,
            },
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors and the like: back off instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let (id, tracked) = open.add();
        let counted = Counted {
            inner: service(&stream),
            tracked: Arc::clone(&tracked),
        };
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(limits.keep_alive)
            .title_case_headers(limits.title_case)
            .serve_connection(TokioIo::new(stream), counted);
        let watched = graceful.watch(connection);
        let open = open.clone();
        tokio::spawn(async move {
            // A connection's own failure (a reset, a timeout, a hang-up) concerns only that
            // client. Closing it for room drops it: the socket closes.
            tokio::select! {
                _ = watched => {}
                () = tracked.close.notified() => {}
            }
            open.remove(id);
            drop(slot);
        });
    }
    // No new connections; requests under way run to their reply.
    drop(listener);
    match limits.drain {
        None => graceful.shutdown().await,
        Some(limit) => {
            let _ = tokio::time::timeout(limit, graceful.shutdown()).await;
        }
    }
}

/// One open connection as the accept loop sees it.
#[derive(Debug, Default)]
struct Tracked {
    /// Requests under way (the service called, its reply not yet made).
    busy: AtomicUsize,
    /// Closes the connection.
    close: tokio::sync::Notify,
}

/// The next connection's id, and the open connections by id (oldest first).
type Registry = (u64, BTreeMap<u64, Arc<Tracked>>);

/// The open connections.
#[derive(Clone, Debug, Default)]
struct Open(Arc<Mutex<Registry>>);

impl Open {
    fn add(&self) -> (u64, Arc<Tracked>) {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let id = open.0;
        open.0 += 1;
        let tracked = Arc::new(Tracked::default());
        open.1.insert(id, Arc::clone(&tracked));
        (id, tracked)
    }

    fn remove(&self, id: u64) {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        open.1.remove(&id);
    }

    /// Asks the oldest connection without a request under way to close; `false` if every
    /// connection is busy.
    fn close_oldest_idle(&self) -> bool {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let idle = open
            .1
            .iter()
            .find(|(_, t)| t.busy.load(Ordering::SeqCst) == 0)
            .map(|(id, _)| *id);
        match idle.and_then(|id| open.1.remove(&id)) {
            Some(tracked) => {
                tracked.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's service, counting its requests under way.
struct Counted<S> {
    inner: S,
    tracked: Arc<Tracked>,
}

/// Lowers the count when the request's future completes or is dropped.
struct Busy(Arc<Tracked>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<S, R> Service<R> for Counted<S>
where
    S: Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn call(&self, request: R) -> Self::Future {
        self.tracked.busy.fetch_add(1, Ordering::SeqCst);
        let busy = Busy(Arc::clone(&self.tracked));
        let future = self.inner.call(request);
        Box::pin(async move {
            let reply = future.await;
            drop(busy);
            reply
        })
    }
}

/// A sandbox's reply: a complete response, or [`HangUp`].
pub(crate) type Reply = Result<Response<Full<Bytes>>, HangUp>;

/// Serves `listener` on a thread of its own, with a single-threaded runtime, until `stop`;
/// the thread ends once the open connections are done (at most [`Limits::drain`] later).
/// For servers started from synchronous code: the sandboxes. `handler` answers each request;
/// with `resets`, its [`Resetter`] can reset the connection (at the cost of a duplicate
/// descriptor per connection).
pub(crate) fn spawn<F, Fut>(
    name: &str,
    listener: TcpListener,
    limits: Limits,
    resets: bool,
    stop: Stop,
    handler: F,
) -> io::Result<JoinHandle<()>>
where
    F: Fn(Resetter, Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    let handler = Arc::new(handler);
    let service = move |stream: &tokio::net::TcpStream| {
        let reset = if resets {
            Resetter::of(stream)
        } else {
            Resetter::default()
        };
        let handler = Arc::clone(&handler);
        hyper::service::service_fn(move |request| handler(reset.clone(), request))
    };
    thread::Builder::new().name(name.into()).spawn(move || {
        runtime.block_on(serve_connections(listener, limits, service, async move {
            stop.stopped().await
        }));
        // Whatever is left past the drain (a handler's blocking work) is not waited for.
        runtime.shutdown_timeout(Duration::from_secs(1));
    })
}

/// A response with a body of `content_type`.
pub(crate) fn response(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `response`, after which the connection closes.
pub(crate) fn closing(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A server's stop signal, shared with its handlers so their waits end early.
#[derive(Clone, Debug)]
pub(crate) struct Stop(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Stop {
    fn default() -> Self {
        Stop(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Stop {
    /// Stops the server; `true` for the call that did it, `false` if it was stopped before.
    pub(crate) fn stop(&self) -> bool {
        !self.0.send_replace(true)
    }

    /// Whether [`stop`](Self::stop) was called.
    pub(crate) fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes once the server is asked to stop.
    pub(crate) async fn stopped(&self) {
        let mut stopped = self.0.subscribe();
        let _ = stopped.wait_for(|s| *s).await;
    }

    /// Sleeps `d`, or less if the server stops meanwhile.
    pub(crate) async fn sleep(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.stopped() => {}
        }
    }
}

/// A service's error that makes hyper close the connection without writing any reply (a
/// hang-up, or with [`Resetter::arm`] a reset).
#[derive(Debug, thiserror::Error)]
#[error("connection closed without a reply")]
pub(crate) struct HangUp;

/// A second handle on an accepted socket, for the one transport fault hyper cannot produce:
/// a reset (RST) instead of an orderly close.
///
/// This is the hand-written piece that stays. hyper owns the connection's socket and only
/// ever closes it with FIN; no response, error or configuration makes it send RST. So a
/// sandbox keeps a duplicate of the socket's descriptor, sets `SO_LINGER` 0 on it (an option
/// of the socket, shared by both descriptors), and has its service return [`HangUp`]: hyper
/// drops the connection without a reply, the duplicate goes with the service, and the close
/// of the last descriptor sends RST.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resetter(Option<Arc<socket2::Socket>>);

impl Resetter {
    /// A handle on `stream`'s socket (none when the descriptor cannot be duplicated).
    pub(crate) fn of(stream: &tokio::net::TcpStream) -> Resetter {
        Resetter(
            socket2::SockRef::from(stream)
                .try_clone()
                .ok()
                .map(Arc::new),
        )
    }

    /// Makes the connection's close send RST; the service must then return [`HangUp`].
    pub(crate) fn arm(&self) {
        if let Some(socket) = &self.0 {
            let _ = socket.set_linger(Some(Duration::ZERO));
        }
    }
}

/// Why a request body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Over the cap, by its Content-Length or as it arrived.
    TooLarge,
    /// It did not arrive in time.
    TimedOut,
    /// Bad framing (a malformed chunk) or a client gone mid-body.
    Broken(String),
}

/// Reads a whole request body of at most `cap` bytes within `timeout`. A declared
/// Content-Length over the cap is refused before anything is read, so a client that sent
/// `Expect: 100-continue` is never asked for the body.
pub(crate) async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    cap: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    match tokio::time::timeout(timeout, Limited::new(body, cap).collect()).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(e)) => Err(BodyError::Broken(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Serves `limits` on a thread with a handler that answers 200; returns the address.
    fn start(limits: Limits) -> (std::net::SocketAddr, Stop) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Stop::default();
        spawn(
            "test",
            listener,
            limits,
            false,
            stop.clone(),
            |_, _| async { Ok(response(StatusCode::OK, "text/plain", "ok")) },
        )
        .unwrap();
        (addr, stop)
    }

    fn get(addr: std::net::SocketAddr) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        write!(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        reply
    }

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let limits = Limits {
            connections: 4,
            evict_idle: true,
            ..Limits::sandbox(true, Duration::from_secs(60))
        };
        let (addr, stop) = start(limits);
        let mut idle: Vec<_> = (0..4)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let started = std::time::Instant::now();
        assert!(get(addr).starts_with("HTTP/1.1 200"));
        assert!(started.elapsed() < Duration::from_secs(2));
        // The oldest was closed for it.
        idle[0]
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        // Closed: end of stream, not a read that times out.
        assert!(matches!(idle[0].read(&mut [0; 16]), Ok(0)));
        stop.stop();
    }

    #[test]
    fn without_eviction_idle_connections_hold_every_slot() {
        let limits = Limits {
            connections: 2,
            ..Limits::sandbox(true, Duration::from_secs(60))
        };
        let (addr, stop) = start(limits);
        let _idle: Vec<_> = (0..2)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(get(addr), "", "the newcomer waits in the backlog");
        stop.stop();
    }
}
