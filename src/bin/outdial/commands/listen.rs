//! `listen`: loads the campaigns, serves their posts into the results store, and shows the
//! server's events as they come (the server runs on its own thread; the printer stays here).

use std::sync::mpsc;
use std::thread;

use outdial::diagnostic::Problem;
use outdial::report::Message;
use outdial::results::Watched;
use outdial::results::listen::{self, Auth, ListenConfig, ListenError, ListenEvent, Token};
use outdial::state::StateLocation;

use crate::args::{LISTEN_CREDENTIAL_VARS, LISTEN_TOKEN_VAR};
use crate::commands::load;
use crate::config::{Config, Listen};
use crate::exit::Exit;
use crate::output::Report;

/// Serves until SIGINT or SIGTERM.
pub fn run(listen: &Listen, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let campaigns = watched(listen, config, out)?;
    let token = token(listen, out)?;
    let settings = ListenConfig {
        bind: listen.bind,
        db: listen.db.clone(),
        // A location that cannot be one was refused before any command ran.
        postgres: match config.state() {
            Ok(StateLocation::Postgres(at)) => Some(*at),
            _ => None,
        },
        campaigns,
        auth: Auth {
            basic: listen.basic.clone(),
            token,
        },
        insecure_no_auth: listen.insecure_no_auth,
        max_body: listen.max_body,
        body_budget: listen::DEFAULT_BODY_BUDGET.max(listen.max_body),
        body_timeout: listen::DEFAULT_BODY_TIMEOUT,
    };
    serve(settings, listen, out).map_err(|e| failed(&e, listen, out))
}

/// The campaigns whose posts are accepted, each with the journal its calls are matched
/// against.
fn watched(listen: &Listen, config: &Config, out: &dyn Report) -> Result<Vec<Watched>, Exit> {
    let mut campaigns = Vec::new();
    let state = config.state().unwrap_or_default();
    for file in &listen.files {
        let (campaign, _) = load::campaign(file, config, out)?;
        campaigns.push(match &state {
            // The journals are in the database, written from whichever folder sent.
            StateLocation::Postgres(at) => Watched::in_store(
                &campaign,
                (**at).clone(),
                config.journal_path(file, &campaign.name),
            ),
            StateLocation::Local => {
                Watched::new(&campaign, config.journal_path(file, &campaign.name))
            }
        });
    }
    Ok(campaigns)
}

/// The path token, if one is set; one too weak to be a secret is a usage error.
fn token(listen: &Listen, out: &dyn Report) -> Result<Option<Token>, Exit> {
    let Some(secret) = &listen.token else {
        return Ok(None);
    };
    Token::new(secret.0.clone()).map(Some).map_err(|e| {
        let problem = Problem::error("listen::token", format!("{LISTEN_TOKEN_VAR}: {e}"))
            .help("make one with `openssl rand -hex 16`");
        out.show(Message::Problem(&problem));
        Exit::Usage
    })
}

/// Runs the server on its own thread and shows its events here as they come, until it stops.
fn serve(settings: ListenConfig, listen: &Listen, out: &dyn Report) -> Result<(), ListenError> {
    let (tx, rx) = mpsc::channel::<ListenEvent>();
    let server = thread::spawn(move || {
        let tx = std::sync::Mutex::new(tx);
        listen::listen(
            settings,
            Box::new(move |event| {
                // The receiver lives until the server returns.
                let _ = tx
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .send(event);
            }),
        )
    });
    for event in rx {
        if listen.json_log {
            crate::listen_log::event(&event);
        } else {
            out.show(Message::Listen(&event));
        }
    }
    server.join().unwrap_or_else(|_| {
        Err(ListenError::Runtime(std::io::Error::other(
            "server panicked",
        )))
    })
}

/// Shows why the server could not start or went down, and the exit that says so.
fn failed(e: &ListenError, listen: &Listen, out: &dyn Report) -> Exit {
    let (user, password) = LISTEN_CREDENTIAL_VARS;
    let problem = match e {
        ListenError::NoAuth => Problem::error("listen::auth", e.to_string()).help(format!(
            "set {user} and {password}, or {LISTEN_TOKEN_VAR} for a token route; --insecure-no-auth serves without (loopback only)"
        )),
        ListenError::NeedsAuth(_) => Problem::error("listen::auth", e.to_string())
            .help(format!("set {user} and {password} (or {LISTEN_TOKEN_VAR}), or bind to 127.0.0.1")),
        ListenError::Bind { .. } => Problem::error("listen::bind", e.to_string())
            .help("pick another --bind port, or port 0 for a free one"),
        _ => Problem::error("listen::start", e.to_string()),
    };
    if listen.json_log {
        let (code, message) = (problem.code(), problem.message());
        tracing::error!(event = "failed", code, message);
    }
    out.show(Message::Problem(&problem));
    match e {
        ListenError::NoAuth | ListenError::NeedsAuth(_) | ListenError::Bind { .. } => Exit::Usage,
        // A PostgreSQL store out of reach is 4, as for the state store.
        ListenError::Store(e) => Exit::from(e),
        _ => Exit::Invalid,
    }
}
