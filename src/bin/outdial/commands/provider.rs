//! The one module that uses the provider's API: which providers can be compiled and sent to,
//! rendering posts, credentials, the transport, the journal of a submission and the
//! [`Submitter`]. The commands reach the provider only through [`render`] and [`Context`].

use std::io;
use std::path::{Path, PathBuf};

use outdial::campaign::{self, Campaign, Provider};
use outdial::diagnostic::Problem;
use outdial::journal::{self, Journal};
use outdial::plan::{self, Action, Post};
use outdial::report::{Failed, Message, Note, PostEvent};
use outdial::submit::{
    self, CallReport, Event, SendSummary, SubmitError, Submitter, Transport, TransportConfig,
};
use outdial::voiceshot::{self, Credentials};

use crate::config::{Config, Network, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Numbers per call post.
pub fn batch_size(campaign: &Campaign) -> usize {
    campaign
        .voiceshot()
        .map_or(campaign::DEFAULT_BATCH_SIZE, |v| v.batch_size)
}

/// Whether the campaign's posts can be rendered (its provider is implemented).
pub fn ensure_renderable(campaign: &Campaign, out: &dyn Report) -> Result<(), Exit> {
    if campaign.provider == Provider::Voiceshot {
        return Ok(());
    }
    out.show(Message::Problem(
        &Problem::error(
            "compile::provider",
            format!(
                "compiling for {:?} is not implemented yet",
                campaign.provider
            ),
        )
        .in_file(&campaign.source)
        .help("set provider = \"voiceshot\" in [campaign]"),
    ));
    Err(Exit::Invalid)
}

/// One post's document, as `compile` writes it (without the line break after it).
pub fn render(campaign: &Campaign, post: &Post<'_>) -> io::Result<Vec<u8>> {
    voiceshot::render::post_to_vec(campaign, post).map_err(into_io)
}

/// Writes one post's document to `out` as it is rendered (an upload streams its file).
pub fn write(campaign: &Campaign, post: &Post<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    voiceshot::write_post(campaign, post, out).map_err(into_io)
}

fn into_io(err: voiceshot::RenderError) -> io::Error {
    match err {
        voiceshot::RenderError::Io(err) => err,
        other => io::Error::other(other.to_string()),
    }
}

/// What a network command works with: the campaign, the credentials and the journal path,
/// each found once.
pub struct Context<'a> {
    /// The campaign.
    pub campaign: Campaign,
    /// Its journal.
    pub journal: PathBuf,
    credentials: Option<Credentials>,
    network: &'a Network,
}

impl<'a> Context<'a> {
    /// Loads the target's campaign (it must be one that can be sent) and reads the credentials.
    pub fn load(target: &'a Target, config: &Config, out: &dyn Report) -> Result<Self, Exit> {
        let (campaign, _) = super::load::campaign(&target.file, config, out)?;
        if campaign.provider != Provider::Voiceshot {
            out.show(Message::Problem(
                &Problem::error(
                    "send::provider",
                    format!("sending to {:?} is not implemented yet", campaign.provider),
                )
                .in_file(&campaign.source)
                .help("set provider = \"voiceshot\" in [campaign]"),
            ));
            return Err(Exit::Invalid);
        }
        let credentials = credentials(out)?;
        Ok(Context {
            journal: config.journal_path(&target.file, &campaign.name),
            campaign,
            credentials,
            network: &target.network,
        })
    }

    /// Shows every post of a plan as it would be sent, credentials redacted.
    pub fn dry_run(&self, posts: &[Post<'_>], out: &dyn Report) -> Result<(), Exit> {
        let redacted = self.redacted();
        for post in posts {
            self.dry_run_post(post.seq, post.body.kind(), out, |w| {
                voiceshot::write_post_as(&self.campaign, post, redacted.as_ref(), w)
            })?;
        }
        Ok(())
    }

    /// Shows what `send` would post now, given the journal: accepted posts skipped, subsets of
    /// partly sent batches, credentials redacted.
    pub fn dry_run_send(&self, posts: &[Post<'_>], out: &dyn Report) -> Result<(), Exit> {
        let state = journal::read_state(&self.journal).map_err(|e| {
            out.show(Message::Problem(&Problem::error(
                "journal::read",
                e.to_string(),
            )));
            Exit::Invalid
        })?;
        let (changes, _, _) =
            submit::changes(&self.campaign, posts, &state).map_err(|e| failed(e, None, out))?;
        if !changes.is_empty() {
            out.show(Message::Note(Note::Changed {
                posts: changes.len(),
            }));
        }
        let previews = submit::preview_send(&self.campaign, posts, &state)
            .map_err(|e| failed(e, None, out))?;
        let redacted = self.redacted();
        for (p, post) in previews.iter().zip(posts) {
            if p.skip {
                out.show(Message::Note(Note::AlreadyAccepted {
                    seq: p.seq,
                    kind: p.kind,
                }));
                continue;
            }
            if p.in_doubt > 0 {
                out.show(Message::Note(Note::InDoubt {
                    seq: p.seq,
                    calls: p.in_doubt,
                }));
            }
            self.dry_run_post(p.seq, p.kind, out, |w| {
                p.render(&self.campaign, post, redacted.as_ref(), w)
            })?;
        }
        Ok(())
    }

    /// `send`: uploads, then call batches, journaled.
    pub fn send(
        &self,
        posts: &[Post<'_>],
        allow_changed: bool,
        out: &dyn Report,
    ) -> Result<SendSummary, Exit> {
        let transport = self.transport(out)?;
        let mut journal = self.open_journal(out)?;
        out.show(Message::Note(Note::Posting { posts: posts.len() }));
        self.submitter(&transport)
            .send(&mut journal, posts, allow_changed, &mut |e| {
                out.show(Message::Submit(&e))
            })
            .map_err(|e| failed(e, Some(&self.journal), out))
    }

    /// One action's posts (`pause`, `resume`, `delete`, `sounds`, `ping`), journaled; how many
    /// were made.
    pub fn command(
        &self,
        action: Action,
        posts: &[Post<'_>],
        out: &dyn Report,
    ) -> Result<usize, Exit> {
        let transport = self.transport(out)?;
        let mut journal = self.open_journal(out)?;
        out.show(Message::Note(Note::Posting { posts: posts.len() }));
        self.submitter(&transport)
            .command(&mut journal, action, posts, &mut |e| {
                out.show(Message::Submit(&e))
            })
            .map_err(|e| failed(e, Some(&self.journal), out))
    }

    /// A Call Query of every recipient.
    pub fn query(&self, out: &dyn Report) -> Result<Vec<CallReport>, Exit> {
        let transport = self.transport(out)?;
        out.show(Message::Note(Note::Posting {
            posts: plan::post_count(&self.campaign, Action::Query),
        }));
        // The calls are the result; the posts that fetched them are only progress.
        self.submitter(&transport)
            .query(&mut |e| match e {
                Event::Post { .. } => out.show(Message::Note(Note::Posted)),
                e => out.show(Message::Submit(&e)),
            })
            .map_err(|e| failed(e, None, out))
    }

    fn submitter<'s>(&'s self, transport: &'s Transport) -> Submitter<'s> {
        Submitter {
            campaign: &self.campaign,
            transport,
            credentials: self.credentials.as_ref(),
        }
    }

    fn redacted(&self) -> Option<Credentials> {
        self.credentials.as_ref().map(|_| Credentials::redacted())
    }

    fn dry_run_post(
        &self,
        seq: usize,
        kind: &'static str,
        out: &dyn Report,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), voiceshot::RenderError>,
    ) -> Result<(), Exit> {
        let mut xml = Vec::new();
        write(&mut xml).map_err(|e| {
            out.show(Message::Problem(
                &Problem::error("send::render", e.to_string()).in_file(&self.campaign.source),
            ));
            Exit::Invalid
        })?;
        out.show(Message::Post(PostEvent::DryRun {
            seq,
            kind,
            xml: &xml,
        }));
        Ok(())
    }

    fn transport(&self, out: &dyn Report) -> Result<Transport, Exit> {
        Transport::new(
            transport_config(&self.campaign, self.network),
            self.credentials.as_ref(),
        )
        .map_err(|e| {
            out.show(Message::Problem(
                &Problem::error("send::insecure", e.to_string())
                    .help("credentials come from VOICESHOT_USERNAME / VOICESHOT_PASSWORD"),
            ));
            Exit::Usage
        })
    }

    fn open_journal(&self, out: &dyn Report) -> Result<Journal, Exit> {
        Journal::open(&self.journal, &self.campaign.name).map_err(|e| {
            out.show(Message::Problem(
                &Problem::error("journal::open", e.to_string())
                    .help("the journal records what was sent; see `--journal`"),
            ));
            Exit::Invalid
        })
    }
}

/// Credentials from the environment; both variables or neither.
fn credentials(out: &dyn Report) -> Result<Option<Credentials>, Exit> {
    let get = |k| std::env::var(k).ok().filter(|v: &String| !v.is_empty());
    match (get("VOICESHOT_USERNAME"), get("VOICESHOT_PASSWORD")) {
        (Some(username), Some(password)) => Ok(Some(Credentials { username, password })),
        (None, None) => Ok(None),
        _ => {
            out.show(Message::Problem(
                &Problem::error(
                    "usage::credentials",
                    "only one of VOICESHOT_USERNAME and VOICESHOT_PASSWORD is set",
                )
                .help("set both, or neither (then posts carry no username/password)"),
            ));
            Err(Exit::Usage)
        }
    }
}

fn transport_config(campaign: &Campaign, net: &Network) -> TransportConfig {
    let vs = campaign.voiceshot();
    let endpoints = match &net.endpoint {
        // An explicit endpoint is a deliberate target (a sandbox, a proxy): never fall back to
        // the real service behind the user's back.
        Some(url) => std::iter::once(url.clone())
            .chain(net.fallback_endpoint.clone())
            .collect(),
        None => vec![
            vs.and_then(|v| v.endpoint.clone())
                .unwrap_or_else(|| submit::http::DEFAULT_ENDPOINT.into()),
            net.fallback_endpoint
                .clone()
                .or_else(|| vs.and_then(|v| v.fallback_endpoint.clone()))
                .unwrap_or_else(|| submit::http::DEFAULT_FALLBACK.into()),
        ],
    };
    TransportConfig {
        endpoints,
        connect_timeout: net.connect_timeout,
        timeout: net.timeout,
        retries: net.retries,
        backoff: net.backoff,
        allow_insecure: net.allow_insecure,
        ..TransportConfig::default()
    }
}

/// Reports a failed submission (its record, then the problem with the error's own advice) and
/// gives its exit code. `journal` is the journal a re-run resumes from.
fn failed(err: SubmitError, journal: Option<&Path>, out: &dyn Report) -> Exit {
    let exit = Exit::from(&err);
    if let SubmitError::Plan(problem) = &err {
        out.show(Message::Problem(problem));
        return exit;
    }
    out.show(Message::Failed(Failed {
        exit: exit.code(),
        error: &err,
    }));
    out.show(Message::Problem(
        &Problem::error("send::failed", err.to_string()).help(err.help(journal)),
    ));
    exit
}
