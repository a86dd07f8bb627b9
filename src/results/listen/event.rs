//! What `listen` did, as it happens: the events the front end renders.

use serde::Serialize;

/// What `listen` did, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum ListenEvent {
    /// Serving.
    Listening {
        /// The base URL.
        url: String,
        /// The results store.
        db: String,
        /// Campaign names accepted.
        campaigns: Vec<String>,
        /// Whether posts must authenticate (credentials or token).
        auth: bool,
        /// Whether the token routes (`<route>/<token>`) are served.
        token: bool,
        /// Connections served at once.
        connections: usize,
    },
    /// A post was committed (or recognised as a redelivery).
    Stored {
        /// The route.
        route: String,
        /// The campaign.
        campaign: String,
        /// outdial's call id.
        callid: String,
        /// `false`: the same post was stored before; nothing changed.
        fresh: bool,
        /// What became of its call row (`stored`, `repeat`, `lesser`, `conflict`), if any.
        verdict: Option<&'static str>,
        /// Whether a Call Command was replied.
        command: bool,
    },
    /// A post that names no call of a served campaign was kept as unmatched (200).
    Unmatched {
        /// The route.
        route: String,
        /// The call id it named ('' for none).
        callid: String,
        /// Why it matched nothing.
        why: String,
    },
    /// A voicemail recording was saved.
    Recording {
        /// Its path, relative to the store's folder.
        path: String,
        /// What the audio inspector found wrong with it, if anything.
        problem: Option<String>,
    },
    /// A post was refused with a 4xx (or a 5xx when the store failed).
    Rejected {
        /// The route.
        route: String,
        /// The HTTP status.
        status: u16,
        /// Why.
        why: String,
    },
    /// Stopped after a signal; every accepted post is stored.
    Stopped {
        /// Posts stored (including redeliveries and unmatched posts).
        stored: u64,
        /// Posts refused.
        rejected: u64,
    },
}

/// Receives the events.
pub type OnEvent = Box<dyn Fn(ListenEvent) + Send + Sync>;
