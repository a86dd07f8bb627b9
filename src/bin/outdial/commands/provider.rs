//! The one module that uses the provider's API: which providers can be compiled and sent to,
//! rendering posts, credentials, the transport, the journal of a submission and the
//! [`Submitter`]. The commands reach the provider only through [`render`] and [`Context`].

use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use outdial::diagnostic::Problem;
use outdial::journal::{Journal, JournalError, JournalState};
use outdial::plan::{self, Action, Post, PostKind};
use outdial::prepared::Prepared;
use outdial::provider::{self, Credentials, EncodeError, Lookup};
use outdial::report::{Failed, Intent, Message, Note, PostEvent, Progress, Settled};
use outdial::state::StateLocation;
use outdial::submit::{
    self, CallReport, Event, Removal, Secrets, SendSummary, SubmitError, SubmitOptions, Submitter,
    Transport, TransportConfig,
};

use crate::config::{Config, Network, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Numbers per call post.
pub fn batch_size(campaign: &Prepared) -> usize {
    // A provider that takes the whole campaign in one request (callTillConfirm) has no
    // real limit: the batch is the campaign.
    match campaign.provider().limits().batch_size {
        usize::MAX => (campaign.stats.recipients as usize).max(1),
        batch => batch,
    }
}

/// Sound files a `send` uploads before its calls (none for providers that take no uploads).
pub fn uploads(campaign: &Prepared) -> usize {
    if campaign.provider().uploads_audio() {
        campaign.sounds.len()
    } else {
        0
    }
}

/// The extension of the files `compile -o` writes (`xml`).
pub fn extension(campaign: &Prepared) -> &'static str {
    campaign.provider().extension()
}

/// One post's document, as `compile` writes it at `now` (without the line break after it).
pub fn render(campaign: &Prepared, post: &Post<'_>, now: Timestamp) -> io::Result<Vec<u8>> {
    outdial::prepared::encode_to_vec_at(campaign, post, now).map_err(into_io)
}

/// Writes one post's document, as sent at `now`, to `out` as it is rendered (an upload streams
/// its file).
pub fn write(
    campaign: &Prepared,
    post: &Post<'_>,
    now: Timestamp,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    campaign
        .provider()
        .encode_at(campaign, post, None, now, out)
        .map_err(into_io)
}

/// The SHA-256 of one post as `compile` renders it, in the clock-free form the journal
/// records (what a saved plan pins).
pub fn post_sha256(campaign: &Prepared, post: &Post<'_>) -> io::Result<String> {
    outdial::prepared::post_sha256(campaign, post).map_err(into_io)
}

/// Where the campaign's posts go first: `endpoint` (`--endpoint`), else the provider's.
pub fn endpoint(campaign: &Prepared, endpoint: Option<&str>) -> String {
    first_endpoint(campaign, endpoint)
}

/// A request the provider does not have keeps its own kind, so `compile` can say so rather
/// than blame the output folder.
fn into_io(err: EncodeError) -> io::Error {
    match err {
        EncodeError::Io(err) => err,
        EncodeError::Unsupported(what) => io::Error::new(io::ErrorKind::Unsupported, what),
        other => io::Error::other(other.to_string()),
    }
}

/// `plan`'s question to the provider, as `send` asks it
/// ([`Submitter::ask_pending`]): which of the calls `changes` would replace or remove were
/// dialled already. Offline, or when the provider cannot be reached the way `send` would
/// reach it (credentials, transport), the plan stays as the journal and the calls' times made
/// it, and says so.
pub fn ask_pending(
    campaign: &Prepared,
    state: &JournalState,
    changes: &mut outdial::converge::Converge,
    endpoint: Option<&str>,
    offline: bool,
) {
    use outdial::converge::PendingFrom;
    if changes.targets.is_empty() {
        return;
    }
    changes.pending_from = Some(PendingFrom::Journal);
    if offline {
        return;
    }
    let Ok(credentials) =
        provider::credentials_from(campaign.provider(), |k| std::env::var(k).ok())
    else {
        return;
    };
    // A question, not a send: a short wait, one retry.
    let network = Network {
        endpoint: endpoint.map(str::to_owned),
        fallback_endpoint: None,
        timeout: std::time::Duration::from_secs(10),
        connect_timeout: std::time::Duration::from_secs(10),
        retries: 1,
        backoff: std::time::Duration::from_millis(500),
        allow_insecure: false,
        trust_journal: false,
        settle: std::time::Duration::ZERO,
    };
    let config = transport_config(campaign, &network, credentials.as_ref());
    let Ok(transport) = Transport::new(config, credentials.is_some()) else {
        return;
    };
    let submitter = Submitter {
        campaign,
        transport: &transport,
        credentials: credentials.as_ref(),
        options: SubmitOptions {
            trust_journal: false,
            settle: network.settle,
            concurrency: 1,
        },
    };
    submitter.ask_pending(state, changes);
}

/// What a network command works with: the campaign, the credentials and the journal path,
/// each found once.
pub struct Context<'a> {
    /// The campaign.
    pub campaign: Prepared,
    /// Its journal (the local backend's file).
    pub journal: PathBuf,
    /// Where the journal and the send lock are kept.
    pub state: StateLocation,
    /// The campaign file.
    file: PathBuf,
    credentials: Option<Credentials>,
    network: &'a Network,
    now: Option<Timestamp>,
}

impl<'a> Context<'a> {
    /// Loads the target's campaign (it must be one that can be sent) and reads the credentials.
    pub fn load(
        target: &'a Target,
        action: Action,
        config: &Config,
        out: &dyn Report,
    ) -> Result<Self, Exit> {
        let (campaign, _) = super::load::campaign(&target.file, config, out)?;
        let provider = campaign.provider();
        if action == Action::QueryAll && !provider.supports(action) {
            out.show(Message::Problem(
                &Problem::error(
                    "usage::cannot-list",
                    format!(
                        "{} cannot list every call of a campaign: it is asked about calls one by one, by the ids outdial kept when it sent them",
                        provider.name().display()
                    ),
                )
                .in_file(&campaign.source)
                .help("run `outdial query` without --all: it asks about every call this campaign sent"),
            ));
            return Err(Exit::Usage);
        }
        if !provider.supports(action) {
            let (reason, help) = provider.unsupported_reason(action);
            let mut problem = Problem::error(
                "usage::unsupported",
                format!(
                    "{} cannot {}: {reason}",
                    provider.name().display(),
                    action.name()
                ),
            )
            .in_file(&campaign.source);
            if let Some(help) = help {
                problem = problem.help(help);
            }
            out.show(Message::Problem(&problem));
            return Err(Exit::Usage);
        }
        let credentials = credentials(&campaign, out)?;
        Ok(Context {
            journal: config.journal_path(&target.file, &campaign.name),
            state: super::journal::location(config, out)?,
            file: target.file.clone(),
            campaign,
            credentials,
            network: &target.network,
            now: config.now,
        })
    }

    /// The provider's name as people know it (`VoiceShot`).
    pub fn provider(&self) -> &'static str {
        self.campaign.provider().name().display()
    }

    /// The moment `--dry-run` writes posts for: `--now`, else now.
    fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(Timestamp::now)
    }

    /// Shows every post of `action`'s plan as it would be sent, credentials redacted; the
    /// plan is streamed.
    pub fn dry_run(&self, action: Action, out: &dyn Report) -> Result<(), Exit> {
        let redacted = self.redacted();
        for post in plan::posts(&self.campaign, action) {
            let post = super::load::planned(post, out)?;
            self.dry_run_post(post.seq, post.body.kind(), out, |w| {
                self.campaign.provider().encode_at(
                    &self.campaign,
                    &post,
                    redacted.as_ref(),
                    self.now(),
                    w,
                )
            })?;
        }
        Ok(())
    }

    /// Shows what `send` would post now, given the journal: accepted posts skipped, subsets of
    /// partly sent batches, credentials redacted. The plan is streamed.
    pub fn dry_run_send(&self, out: &dyn Report) -> Result<(), Exit> {
        let state = self.journal_state(out)?;
        // What the send would change at the provider: removals first (not shown as posts
        // here), then the posts below.
        let changes = outdial::converge::compute(
            &self.campaign,
            &state,
            &self.lines_at(),
            jiff::Timestamp::now(),
        )
        .map_err(|e| failed(e.into(), None, out))?;
        if state.lines() > 0 && changes.changes_anything() {
            out.show(Message::Note(Note::Converging {
                changes: &changes.summary(),
            }));
        }
        let redacted = self.redacted();
        for post in plan::posts(&self.campaign, Action::Send) {
            let post = super::load::planned(post, out)?;
            let p = submit::preview_send(&self.campaign, &post, &state)
                .map_err(|e| failed(e, None, out))?;
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
                p.render_at(&self.campaign, &post, redacted.as_ref(), self.now(), w)
            })?;
        }
        Ok(())
    }

    /// `send`: uploads, then call batches, journaled, the plan streamed. With
    /// `resend_in_doubt`, calls in doubt that the provider cannot be asked about are posted
    /// again.
    pub fn send(
        &self,
        choices: super::send::Choices<'_>,
        confirm: &dyn Fn(&Intent<'_>) -> Result<(), Exit>,
        out: &dyn Report,
    ) -> Result<SendSummary, Exit> {
        let transport = self.transport(out)?;
        let mut journal = self.open_journal(out)?;
        // Only the opening record: nothing of this campaign was ever posted through it.
        let fresh = journal.state().lines() <= 1;
        if fresh && !choices.never_sent {
            self.guard_missing_journal(out)?;
        }
        // Asked last: what could still fail before the first post has been tried.
        let config = transport_config(&self.campaign, self.network, self.credentials.as_ref());
        // Counted from loading: the plan is streamed, never held whole.
        let posts = plan::post_count(&self.campaign, Action::Send);
        // What changes at the provider, computed as `plan` computes it (asking the provider
        // about the calls to replace or remove), under the journal's lock: the send applies
        // exactly what the confirmation states.
        let mut submitter = self.submitter(&transport);
        submitter.options.concurrency = choices.concurrency;
        let converging = submitter
            .converging(journal.state(), &journal.lines_at())
            .map_err(|e| failed(e, Some(&self.journal), out))?;
        let changes = converging.summary();
        confirm(&Intent {
            campaign: &self.campaign.name,
            provider: self.provider(),
            recipients: self.campaign.stats.recipients,
            posts,
            endpoints: &config.endpoints,
            journal: &self.journal_shown(),
            changes: &changes,
            unaskable: fresh && self.campaign.provider().lookup() == Lookup::None,
        })?;
        out.show(Message::Note(Note::Posting { posts }));
        let resend = choices.resend_in_doubt;
        submitter
            .send_planned(&mut journal, converging, resend, &mut |e| {
                out.show(Message::Submit(self.progress(&e)))
            })
            .map_err(|e| failed(e, Some(&self.journal_shown()), out))
    }

    /// Where the journal's lines are read again: the file, or the state store.
    pub fn lines_at(&self) -> outdial::journal::LinesAt<'_> {
        super::journal::lines_at(
            &self.state,
            &self.journal,
            &self.campaign,
            &self.first_endpoint(),
        )
    }

    /// Where the journal is, as people are told: the file, or the state store.
    pub fn journal_shown(&self) -> PathBuf {
        match &self.state {
            StateLocation::Local => self.journal.clone(),
            StateLocation::Postgres(pg) => PathBuf::from(pg.shown()),
        }
    }

    /// Refuses (exit 5) to send a campaign whose journal is empty when something shows it was
    /// sent before: what was found, and how to go on.
    fn guard_missing_journal(&self, out: &dyn Report) -> Result<(), Exit> {
        let folder = outdial::results::default_db(&self.file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let results = outdial::results::default_db(&self.file);
        let mut found = outdial::state::guard::evidence(&outdial::state::guard::Look {
            campaign: &self.campaign.name,
            provider: self.campaign.provider().name(),
            folder: &folder,
            journal: matches!(self.state, StateLocation::Local).then_some(self.journal.as_path()),
            results: &results,
        });
        if let StateLocation::Postgres(pg) = &self.state {
            let name = self.campaign.provider().name();
            match outdial::state::guard::store_results(pg, name, &self.campaign.name) {
                Ok(evidence) => found.extend(evidence),
                Err(e) => {
                    out.show(Message::Problem(&Problem::error(
                        "send::journal-missing",
                        e.to_string(),
                    )));
                    return Err(Exit::from(&e));
                }
            }
        }
        if found.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        let push = match &self.state {
            StateLocation::Local => format!(
                "point --journal at that journal (or copy it to {})",
                self.journal.display()
            ),
            StateLocation::Postgres(_) => format!(
                "copy the local journal into the state store with `outdial state push {}`",
                self.file.display()
            ),
        };
        out.show(Message::Problem(
            &Problem::error(
                "send::journal-missing",
                format!(
                    "campaign \"{}\" has no record of a send in {}, but it was sent before: {}. Sending now could call everyone again",
                    self.campaign.name,
                    self.journal_shown().display(),
                    list.join("; ")
                ),
            )
            .help(format!(
                "{push}, then run again; if you know this campaign was never sent, pass --i-know-it-was-never-sent"
            )),
        ));
        Err(Exit::Refused)
    }

    /// One action's posts (`pause`, `resume`, `delete`, `sounds`, `ping`), journaled, the plan
    /// streamed; how many were made.
    pub fn command(&self, action: Action, out: &dyn Report) -> Result<usize, Exit> {
        let transport = self.transport(out)?;
        let mut journal = self.open_journal(out)?;
        out.show(Message::Note(Note::Posting {
            posts: plan::post_count(&self.campaign, action),
        }));
        self.submitter(&transport)
            .command(&mut journal, action, &mut |e| {
                out.show(Message::Submit(self.progress(&e)))
            })
            .map_err(|e| failed(e, Some(&self.journal), out))
    }

    /// A Call Query of every recipient (at a provider that knows calls by its own ids: a
    /// status request per call the journal has an id for), the results handed to `each` a
    /// post's worth at a time (all at once from a provider asked call by call, whose polls
    /// are paced: its answers' names are known before the first is shown).
    pub fn query(
        &self,
        all: bool,
        out: &dyn Report,
        each: &mut dyn FnMut(Vec<CallReport>),
    ) -> Result<(), Exit> {
        let transport = self.transport(out)?;
        let action = if all { Action::QueryAll } else { Action::Query };
        out.show(Message::Note(Note::Posting {
            posts: plan::post_count(&self.campaign, action),
        }));
        // The calls are the result; the posts that fetched them are only progress.
        let mut on = |e: Event| match e {
            Event::Post { .. } => out.show(Message::Note(Note::Posted)),
            e => out.show(Message::Submit(self.progress(&e))),
        };
        let submitter = self.submitter(&transport);
        let result = if all {
            submitter.query_all(&self.journal_state(out)?, &mut on, each)
        } else if self.by_id() {
            submitter
                .query_by_id(&self.journal_state(out)?, &mut on)
                .map(each)
        } else {
            submitter.query(&mut on, each)
        };
        result.map_err(|e| failed(e, None, out))
    }

    /// Whether the provider knows calls only by the ids it gave them (the Voicent Gateway):
    /// `delete`, `ping` and `query` then go call by call.
    pub fn by_id(&self) -> bool {
        self.campaign.provider().by_id().is_some()
    }

    /// Shows the requests `delete` or `ping` would make at a provider that knows calls by its
    /// own ids: one per call the journal has an id for (`ping`: the provider's probe id).
    pub fn dry_run_by_id(&self, action: Action, out: &dyn Report) -> Result<(), Exit> {
        let Some(by_id) = self.campaign.provider().by_id() else {
            return Ok(());
        };
        let state = self.journal_state(out)?;
        let ids: Vec<String> = if action == Action::Ping {
            vec![by_id.probe_id().to_owned()]
        } else {
            let mut ids = Vec::new();
            for post in plan::posts(&self.campaign, Action::Query) {
                let post = super::load::planned(post, out)?;
                ids.extend(post.body.recipients().iter().filter_map(|r| {
                    state
                        .provider_id(&r.callid, r.number.as_str())
                        .map(str::to_owned)
                }));
            }
            ids
        };
        let kind = match action {
            Action::Ping => PostKind::Ping,
            _ => PostKind::Delete,
        };
        for (i, id) in ids.iter().enumerate() {
            let url = by_id.url(
                kind,
                &first_endpoint(&self.campaign, self.network.endpoint.as_deref()),
            );
            let params = String::from_utf8_lossy(&by_id.body(kind, id)).into_owned();
            // A GET carries its parameters in the URL; a POST (the default) shows its body
            // under the URL.
            let request = match by_id.method(kind) {
                provider::Method::Post => format!("{url}\n{params}"),
                provider::Method::Get => {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("GET {url}{sep}{params}")
                }
            };
            out.show(Message::Post(PostEvent::DryRun {
                seq: i + 1,
                kind,
                xml: request.as_bytes(),
            }));
        }
        Ok(())
    }

    /// `ping` by the provider's probe id.
    pub fn ping_by_id(&self, out: &dyn Report) -> Result<(), Exit> {
        let transport = self.transport(out)?;
        self.submitter(&transport)
            .ping_by_id()
            .map_err(|e| failed(e, None, out))
    }

    /// `delete` call by call, by the ids the journal kept.
    pub fn delete_by_id(&self, out: &dyn Report) -> Result<Removal, Exit> {
        let state = self.journal_state(out)?;
        let transport = self.transport(out)?;
        self.submitter(&transport)
            .delete_by_id(&state, &mut |_| {})
            .map_err(|e| failed(e, None, out))
    }

    /// The journal's state, read without locking.
    pub fn journal_state(&self, out: &dyn Report) -> Result<JournalState, Exit> {
        super::journal::read_at(
            &self.state,
            &self.journal,
            &self.campaign,
            &self.first_endpoint(),
            None,
            out,
        )
    }

    fn progress<'e>(&self, event: &'e Event) -> Progress<'e> {
        Progress {
            event,
            provider: self.provider(),
        }
    }

    fn submitter<'s>(&'s self, transport: &'s Transport) -> Submitter<'s> {
        Submitter {
            campaign: &self.campaign,
            transport,
            credentials: self.credentials.as_ref(),
            options: SubmitOptions {
                trust_journal: self.network.trust_journal,
                settle: self.network.settle,
                concurrency: 1,
            },
        }
    }

    fn redacted(&self) -> Option<Credentials> {
        self.credentials.as_ref().map(|_| Credentials::redacted())
    }

    fn dry_run_post(
        &self,
        seq: usize,
        kind: PostKind,
        out: &dyn Report,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
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
        let credentials = self.credentials.as_ref();
        Transport::new(
            transport_config(&self.campaign, self.network, credentials),
            credentials.is_some(),
        )
        .map_err(|e| {
            let vars = self
                .campaign
                .provider()
                .name()
                .credential_vars()
                .map(|(user, pass)| format!("credentials come from {user} / {pass}"))
                .unwrap_or_default();
            out.show(Message::Problem(
                &Problem::error("send::insecure", e.to_string()).help(vars),
            ));
            Exit::Usage
        })
    }

    /// Where the campaign's posts go first: `--endpoint`, else the provider's.
    pub fn first_endpoint(&self) -> String {
        first_endpoint(&self.campaign, self.network.endpoint.as_deref())
    }

    fn open_journal(&self, out: &dyn Report) -> Result<Journal, Exit> {
        open_journal(
            &self.state,
            &self.journal,
            &self.campaign,
            &self.first_endpoint(),
            out,
        )
    }
}

/// `resolve`: settles calls in doubt in the journal at `path` from what a person found in the
/// provider's own records. Reports what was settled, or why nothing was.
pub fn resolve(
    campaign: &Prepared,
    (state, path): (&StateLocation, &Path),
    endpoint: Option<&str>,
    ids: super::resolve::Ids<'_>,
    clock: submit::SettleClock,
    out: &dyn Report,
) -> Result<(), Exit> {
    let mut journal = open_journal(
        state,
        path,
        campaign,
        &first_endpoint(campaign, endpoint),
        out,
    )?;
    match submit::settle(&mut journal, ids.sent, ids.not_sent, clock) {
        Ok(settled) => {
            out.show(Message::Settled(Settled {
                campaign: &campaign.name,
                sent: settled.sent,
                not_sent: settled.not_sent,
                in_doubt: journal.state().in_doubt(),
            }));
            Ok(())
        }
        Err(e) => {
            let in_doubt = journal.state().in_doubt();
            out.show(Message::Problem(
                &Problem::error("resolve::refused", e.to_string()).help(if in_doubt.is_empty() {
                    "the journal has no calls in doubt".to_string()
                } else {
                    format!("calls in doubt: {}", in_doubt.join(" "))
                }),
            ));
            Err(Exit::Usage)
        }
    }
}

/// Where the campaign's posts go first: `endpoint` (`--endpoint`), else the provider's.
fn first_endpoint(campaign: &Prepared, endpoint: Option<&str>) -> String {
    endpoint
        .map(str::to_owned)
        .or_else(|| campaign.provider().endpoints().into_iter().next())
        .unwrap_or_default()
}

/// Opens and locks the campaign's journal (the file at `path`, or the campaign's in the state
/// store); a journal that was changed by hand is refused with what to do about it, which
/// depends on whether the provider can be asked.
fn open_journal(
    state: &StateLocation,
    path: &Path,
    campaign: &Prepared,
    endpoint: &str,
    out: &dyn Report,
) -> Result<Journal, Exit> {
    let provider = campaign.provider();
    let opened = match state {
        StateLocation::Local => {
            super::journal::ensure_usable(path, out)?;
            Journal::open(path, &campaign.name, provider.name(), endpoint)
        }
        StateLocation::Postgres(pg) => {
            Journal::open_in_store(pg, &campaign.name, provider.name(), endpoint)
        }
    };
    opened.map_err(|e| {
        let name = provider.name().display();
        let help = match (&e, provider.lookup()) {
            (JournalError::Tampered { .. }, Lookup::ByCallId { .. }) => format!(
                "move the journal aside (rename it) and run again: outdial then asks {name} which calls it already holds and sends only the others"
            ),
            (JournalError::Tampered { .. }, Lookup::None) => format!(
                "{name} cannot be asked which calls it holds: restore the journal from a backup, or check the calls in {name}'s own records before sending again"
            ),
            (JournalError::Store(_), _) => {
                "nothing was sent; run the command again once the state store is reachable"
                    .to_string()
            }
            (JournalError::StoreBusy { .. } | JournalError::CampaignBusy { .. }, _) => {
                "wait for the other send to finish, then run again: it resumes from the journal"
                    .to_string()
            }
            _ => "the journal records what was sent; see `--journal`".to_string(),
        };
        out.show(Message::Problem(
            &Problem::error("journal::open", e.to_string()).help(help),
        ));
        match &e {
            JournalError::Store(e) => Exit::from(e),
            _ => Exit::Invalid,
        }
    })
}

/// Credentials from the environment, from the variables the provider names; both or neither.
fn credentials(campaign: &Prepared, out: &dyn Report) -> Result<Option<Credentials>, Exit> {
    provider::credentials_from(campaign.provider(), |k| std::env::var(k).ok()).map_err(|e| {
        out.show(Message::Problem(
            &Problem::error("usage::credentials", e.to_string()).help(e.help()),
        ));
        Exit::Usage
    })
}

fn transport_config(
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
        provider_message: err.provider_message(),
    }));
    out.show(Message::Problem(
        &Problem::error("send::failed", err.to_string()).help(err.help(journal)),
    ));
    exit
}
