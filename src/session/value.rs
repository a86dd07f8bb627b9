//! The session value: a loaded campaign and its [`Settings`], and what every step asks of
//! them (the provider's name, the present, the first endpoint, where the journal is shown).

use std::path::PathBuf;

use jiff::Timestamp;

use super::network::{CredentialSource, Network};
use crate::prepared::Prepared;
use crate::report::Message;
use crate::state::StateLocation;

/// Where a session's events go: each [`Message`] as it happens.
pub type Sink<'a> = &'a dyn Fn(Message<'_>);

/// How a session works besides its campaign: plain values the front end fills in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The campaign file (its folder holds the local state: the results store, other
    /// campaigns' journals).
    pub file: PathBuf,
    /// The local journal's path (the file that the local backend writes, or that a state store
    /// without this campaign falls back to).
    pub journal: PathBuf,
    /// Where the journal and the send lock are kept.
    pub state: StateLocation,
    /// How the provider is reached.
    pub network: Network,
    /// The present, if not the clock's (`--now`).
    pub now: Option<Timestamp>,
    /// Where the provider's credentials come from.
    pub credentials: CredentialSource,
}

/// A loaded campaign and how to work with it.
pub struct Session {
    pub(super) campaign: Prepared,
    pub(super) settings: Settings,
}

impl Session {
    /// A session of `campaign` (loaded and valid) with `settings`; nothing is read or opened
    /// yet.
    pub fn new(campaign: Prepared, settings: Settings) -> Session {
        Session { campaign, settings }
    }

    /// The campaign.
    pub fn campaign(&self) -> &Prepared {
        &self.campaign
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The provider's name as people know it (`VoiceShot`).
    pub fn provider(&self) -> &'static str {
        self.campaign.provider().name().display()
    }

    /// The present: the settings' `now`, else the clock.
    pub fn now(&self) -> Timestamp {
        self.settings.now.unwrap_or_else(Timestamp::now)
    }

    /// Where the campaign's posts go first: the settings' endpoint, else the provider's.
    pub fn first_endpoint(&self) -> String {
        first_endpoint(&self.campaign, self.settings.network.endpoint.as_deref())
    }

    /// Where the journal is, as people are told: the file, or the state store.
    pub fn journal_shown(&self) -> PathBuf {
        match &self.settings.state {
            StateLocation::Local => self.settings.journal.clone(),
            StateLocation::Postgres(pg) => PathBuf::from(pg.shown()),
        }
    }
}

/// Where the campaign's posts go first: `endpoint` (`--endpoint`), else the provider's.
pub fn first_endpoint(campaign: &Prepared, endpoint: Option<&str>) -> String {
    endpoint
        .map(str::to_owned)
        .or_else(|| campaign.provider().endpoints().into_iter().next())
        .unwrap_or_default()
}
