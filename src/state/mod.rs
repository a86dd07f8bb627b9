//! Where outdial keeps what must outlive one run: the local files next to the campaign (the
//! default, no server needed) or a PostgreSQL database that every runner, listener and
//! `report` share, so a CI runner that is thrown away loses nothing.
//!
//! The location comes from `--state URL` or `OUTDIAL_STATE`. A PostgreSQL URL's password
//! (from the URL or `PGPASSWORD`) is never shown: [`PgLocation`]'s `Display` and `Debug` give
//! the URL with its userinfo and any `password=` parameter masked.

pub mod callids;
mod error;
pub mod guard;
pub mod journal;
mod migrate;
mod schema;
#[cfg(test)]
pub(crate) mod test_pg;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use error::StateError;
pub use schema::SCHEMA_VERSION;

/// The environment variable that names the state store when `--state` does not.
pub const STATE_VAR: &str = "OUTDIAL_STATE";

/// How long connecting to the database may take when the URL does not say
/// (`connect_timeout=` in seconds).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where state is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum StateLocation {
    /// Files next to the campaign: `.outdial/<campaign>.jsonl` and `results.db`.
    #[default]
    Local,
    /// A PostgreSQL database.
    Postgres(Box<PgLocation>),
}

/// A PostgreSQL database to keep state in.
#[derive(Clone)]
pub struct PgLocation {
    /// The URL as given (it may hold a password: never shown).
    url: String,
    config: postgres::Config,
}

impl PartialEq for PgLocation {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl Eq for PgLocation {}

impl StateLocation {
    /// The location named by `text` (`--state` or `OUTDIAL_STATE`): `local`, or a
    /// `postgres://` / `postgresql://` URL (a Unix socket folder as `?host=/path`, as libpq
    /// allows). `env` gives `PGPASSWORD` when the URL has no password.
    pub fn parse(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<StateLocation, StateError> {
        let text = text.trim();
        if text.is_empty() || text == "local" {
            return Ok(StateLocation::Local);
        }
        let shown = redact(text);
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err(StateError::NotAUrl { shown });
        }
        let mut config = postgres::Config::from_str(text).map_err(|e| StateError::BadUrl {
            shown: shown.clone(),
            why: e.to_string(),
        })?;
        if config.get_password().is_none()
            && let Some(password) = env("PGPASSWORD").filter(|p| !p.is_empty())
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // A server that vanishes mid-send (a failover, a cable) is noticed within a minute,
        // not two hours.
        config.keepalives_idle(Duration::from_secs(30));
        config.application_name("outdial");
        Ok(StateLocation::Postgres(Box::new(PgLocation {
            url: text.to_owned(),
            config,
        })))
    }

    /// The location from the process environment: `OUTDIAL_STATE`, else local.
    pub fn from_env() -> Result<StateLocation, StateError> {
        match std::env::var(STATE_VAR) {
            Ok(text) => StateLocation::parse(&text, |k| std::env::var(k).ok()),
            Err(_) => Ok(StateLocation::Local),
        }
    }
}

impl fmt::Display for StateLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateLocation::Local => f.write_str("local files"),
            StateLocation::Postgres(pg) => pg.fmt(f),
        }
    }
}

impl fmt::Display for PgLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgLocation({})", redact(&self.url))
    }
}

impl PgLocation {
    /// The URL, redacted, as errors and messages show it.
    pub fn shown(&self) -> String {
        redact(&self.url)
    }

    /// A new connection, its schema brought to [`SCHEMA_VERSION`]. Fails within the connect
    /// timeout when the server cannot be reached.
    pub fn connect(&self) -> Result<postgres::Client, StateError> {
        let mut client = self.connect_only()?;
        migrate::migrate(&mut client, &self.shown())?;
        Ok(client)
    }

    /// A new connection, without touching the schema.
    fn connect_only(&self) -> Result<postgres::Client, StateError> {
        self.config
            .connect(postgres::NoTls)
            .map_err(|e| StateError::unreachable(self.shown(), &e))
    }

    /// A query error, as a [`StateError`] naming this store.
    pub fn query_error(&self, e: &postgres::Error) -> StateError {
        StateError::query(self.shown(), e)
    }
}

/// `url` with its userinfo and any `password=` parameter masked.
fn redact(url: &str) -> String {
    let text = crate::secret::redact_userinfo(url).into_owned();
    let Some((head, query)) = text.split_once('?') else {
        return text;
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", query.join("&"))
}

/// The local journals (`*.jsonl` files) in `folder`, sorted; a folder that cannot be read
/// has none, as the checks that read them pass over what they cannot read.
pub(crate) fn local_journals(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<StateLocation, StateError> {
        StateLocation::parse(text, |_| None)
    }

    #[test]
    fn local_is_the_default_and_a_word() {
        assert_eq!(parse("").unwrap(), StateLocation::Local);
        assert_eq!(parse("local").unwrap(), StateLocation::Local);
        assert_eq!(StateLocation::default(), StateLocation::Local);
    }

    #[test]
    fn urls_of_both_schemes_and_socket_folders_parse() {
        for url in [
            "postgres://u@db.example:5432/outdial",
            "postgresql://u@db.example/outdial",
            "postgresql://postgres@/outdial?host=/tmp/pg.socket",
        ] {
            assert!(
                matches!(parse(url).unwrap(), StateLocation::Postgres(_)),
                "{url}"
            );
        }
        let StateLocation::Postgres(pg) = parse("postgresql:///db?host=/run/pg").unwrap() else {
            panic!("a PostgreSQL location");
        };
        assert!(matches!(
            pg.config.get_hosts(),
            [postgres::config::Host::Unix(p)] if p.as_os_str() == "/run/pg"
        ));
    }

    #[test]
    fn anything_else_is_refused_naming_it_without_its_password() {
        let err = parse("mysql://me:hunter2@db/x").unwrap_err();
        assert!(matches!(err, StateError::NotAUrl { .. }));
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("mysql://***@db/x"), "{text}");
        let err = parse("postgres://me:hunter2@db:notaport/x").unwrap_err();
        assert!(matches!(err, StateError::BadUrl { .. }), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn the_password_is_never_shown_from_the_url_or_a_parameter() {
        let loc = parse("postgres://me:hunter2@db/x?sslmode=disable&password=s3cret").unwrap();
        for text in [loc.to_string(), format!("{loc:?}")] {
            assert!(
                !text.contains("hunter2") && !text.contains("s3cret"),
                "{text}"
            );
            assert!(text.contains("db/x"), "{text}");
        }
        let StateLocation::Postgres(pg) = loc else {
            panic!()
        };
        assert_eq!(pg.config.get_password(), Some(&b"s3cret"[..]));
    }

    #[test]
    fn pgpassword_fills_in_a_url_without_one() {
        let env = |k: &str| (k == "PGPASSWORD").then(|| "fromenv".to_string());
        let StateLocation::Postgres(pg) = StateLocation::parse("postgres://me@db/x", env).unwrap()
        else {
            panic!()
        };
        assert_eq!(pg.config.get_password(), Some(&b"fromenv"[..]));
        let StateLocation::Postgres(pg) =
            StateLocation::parse("postgres://me:inurl@db/x", env).unwrap()
        else {
            panic!()
        };
        assert_eq!(pg.config.get_password(), Some(&b"inurl"[..]));
        assert_eq!(pg.config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
    }

    #[test]
    fn an_unreachable_server_fails_within_the_timeout_naming_the_redacted_url() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "postgresql://me:hunter2@/x?host={}&connect_timeout=2",
            dir.path().display()
        );
        let StateLocation::Postgres(pg) = parse(&url).unwrap() else {
            panic!()
        };
        let started = std::time::Instant::now();
        let err = pg.connect().map(|_| ()).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.is_unreachable(), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("unreachable") && text.contains("***@"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn connecting_makes_the_schema_once_and_again_is_harmless() {
        let Some(url) = test_pg::fresh_database() else {
            return;
        };
        let StateLocation::Postgres(pg) = parse(&url).unwrap() else {
            panic!()
        };
        let mut client = pg.connect().unwrap();
        let version: i32 = client
            .query_one(
                "SELECT value::int FROM outdial_meta WHERE key = 'schema_version'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(version, SCHEMA_VERSION);
        drop(client);
        // Two runners connecting at once both find (or make) the same schema.
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let pg = pg.clone();
                std::thread::spawn(move || pg.connect().map(|_| ()))
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        let mut client = pg.connect().unwrap();
        client
            .execute(
                "UPDATE outdial_meta SET value = '999' WHERE key = 'schema_version'",
                &[],
            )
            .unwrap();
        let err = pg.connect().map(|_| ()).unwrap_err();
        assert!(matches!(err, StateError::Newer { found: 999, .. }), "{err}");
    }
}
