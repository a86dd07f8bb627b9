//! How a session reaches the provider: the network settings, where the credentials come from,
//! and the transport they make.

use std::time::Duration;

use crate::diagnostic::Problem;
use crate::prepared::Prepared;
use crate::provider::{self, Credentials};
use crate::submit::{Secrets, Transport, TransportConfig};

use super::error::{Error, Kind};

/// How the provider is reached.
#[derive(Debug, Clone)]
pub struct Network {
    /// Post here instead of the provider's endpoint (a sandbox, a proxy).
    pub endpoint: Option<String>,
    /// Fall back to this endpoint when the first cannot be reached.
    pub fallback_endpoint: Option<String>,
    /// How long one request may take.
    pub timeout: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// Extra rounds over the endpoints.
    pub retries: u32,
    /// The wait before the first retry round; doubles.
    pub backoff: Duration,
    /// Allow credentials over plain HTTP to another host.
    pub allow_insecure: bool,
    /// Look up only the calls the journal holds in doubt.
    pub trust_journal: bool,
    /// After a call post, before its calls are looked up.
    pub settle: Duration,
}

impl Network {
    /// The settings of a question rather than a send (`plan` asking whether a call is still
    /// pending): a short wait, one retry; posts go to `endpoint`, else the provider's.
    pub fn question(endpoint: Option<String>) -> Network {
        Network {
            endpoint,
            fallback_endpoint: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            retries: 1,
            backoff: Duration::from_millis(500),
            allow_insecure: false,
            trust_journal: false,
            settle: Duration::ZERO,
        }
    }
}

/// Where the provider's credentials come from. Secrets are never part of a campaign; they are
/// never shown, logged or written.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// The environment variables the provider names (both or neither).
    Environment,
    /// These, read by the front end from its own environment or secret store.
    Given(Option<Credentials>),
}

impl CredentialSource {
    /// The credentials for `campaign`'s provider: both halves or neither.
    pub(crate) fn read(&self, campaign: &Prepared) -> Result<Option<Credentials>, Error> {
        let read = match self {
            CredentialSource::Environment => {
                provider::credentials_from(campaign.provider(), |k| std::env::var(k).ok())
            }
            CredentialSource::Given(credentials) => Ok(credentials.clone()),
        };
        read.map_err(|e| {
            Error::problem(
                Problem::error("usage::credentials", e.to_string()).help(e.help()),
                Kind::Usage,
            )
        })
    }
}

/// The transport that posts `campaign`'s requests as `network` says, or why it cannot be made
/// (plain HTTP to another host, say).
pub(crate) fn transport(
    campaign: &Prepared,
    network: &Network,
    credentials: Option<&Credentials>,
) -> Result<Transport, Error> {
    Transport::new(
        transport_config(campaign, network, credentials),
        credentials.is_some(),
    )
    .map_err(|e| {
        let vars = campaign
            .provider()
            .name()
            .credential_vars()
            .map(|(user, pass)| format!("credentials come from {user} / {pass}"))
            .unwrap_or_default();
        Error::problem(
            Problem::error("send::insecure", e.to_string()).help(vars),
            Kind::Usage,
        )
    })
}

/// The transport's configuration: endpoints, timeouts, the provider's headers and answers,
/// and the secrets it keeps out of everything it reports.
pub(crate) fn transport_config(
    campaign: &Prepared,
    net: &Network,
    credentials: Option<&Credentials>,
) -> TransportConfig {
    let provider = campaign.provider();
    let endpoints = match &net.endpoint {
        // An explicit endpoint is a deliberate target (a sandbox, a proxy): never fall back to
        // the real service behind the user's back.
        Some(url) => std::iter::once(url.clone())
            .chain(net.fallback_endpoint.clone())
            .collect(),
        None => {
            let mut endpoints = provider.endpoints();
            if let Some(fallback) = &net.fallback_endpoint {
                endpoints.truncate(1);
                endpoints.push(fallback.clone());
            }
            endpoints
        }
    };
    TransportConfig {
        endpoints,
        connect_timeout: net.connect_timeout,
        timeout: net.timeout,
        retries: net.retries,
        backoff: net.backoff,
        allow_insecure: net.allow_insecure,
        head: provider.head(credentials),
        secrets: credentials.map_or_else(Secrets::default, |c| {
            Secrets::new(
                [c.username.as_str(), c.password.as_str()],
                Some((&c.username, &c.password)),
            )
        }),
        answer_statuses: provider.answer_statuses().to_vec(),
        ..TransportConfig::default()
    }
}
