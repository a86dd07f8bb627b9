//! A session connected to its provider for one action: the action is one the provider can
//! do, the credentials are read; then the actions other than `send` (pause, resume, delete,
//! sounds, ping, query), their dry runs, and those of a provider that knows calls only by its
//! own ids.

use crate::diagnostic::Problem;
use crate::plan::{self, Action, PostKind};
use crate::provider::{self, Credentials, EncodeError};
use crate::report::{Done, Message, Note, PostEvent, Progress, Removed};
use crate::submit::{CallReport, Event, Removal, SubmitOptions, Submitter, Transport};

use super::error::{Error, Kind};
use super::network::transport;
use super::value::{Session, Sink};

/// A session ready to post one action: what [`Session::connect`] gives.
pub struct Connection<'s> {
    pub(super) session: &'s Session,
    pub(super) credentials: Option<Credentials>,
}

impl Session {
    /// Connects for `action`: refused ([`Kind::Usage`]) when the provider cannot do it, or
    /// when its credentials are half set or unusable.
    pub fn connect(&self, action: Action) -> Result<Connection<'_>, Error> {
        let campaign = &self.campaign;
        let provider = campaign.provider();
        if action == Action::QueryAll && !provider.supports(action) {
            return Err(Error::problem(
                Problem::error(
                    "usage::cannot-list",
                    format!(
                        "{} cannot list every call of a campaign: it is asked about calls one by one, by the ids outdial kept when it sent them",
                        provider.name().display()
                    ),
                )
                .in_file(&campaign.source)
                .help("run `outdial query` without --all: it asks about every call this campaign sent"),
                Kind::Usage,
            ));
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
            return Err(Error::problem(problem, Kind::Usage));
        }
        let credentials = self.settings.credentials.read(campaign)?;
        Ok(Connection {
            session: self,
            credentials,
        })
    }
}

impl Connection<'_> {
    /// The session.
    pub fn session(&self) -> &Session {
        self.session
    }

    /// Whether the provider knows calls only by the ids it gave them (the Voicent Gateway):
    /// `delete`, `ping` and `query` then go call by call.
    pub(super) fn by_id(&self) -> bool {
        self.session.campaign.provider().by_id().is_some()
    }

    /// Emits every post of `action`'s plan as it would be sent, credentials redacted; the
    /// plan is streamed.
    pub fn dry_run(&self, action: Action, sink: Sink<'_>) -> Result<(), Error> {
        let campaign = &self.session.campaign;
        let redacted = self.redacted();
        for post in plan::posts(campaign, action) {
            let post = post?;
            self.dry_run_post(post.seq, post.body.kind(), sink, |w| {
                campaign.provider().encode_at(
                    campaign,
                    &post,
                    redacted.as_ref(),
                    self.session.now(),
                    w,
                )
            })?;
        }
        Ok(())
    }

    /// An action other than `send` and `query` (`pause`, `resume`, `delete`, `sounds`,
    /// `ping`; connected for it): its posts, or with `dry_run` what they would be. Emits what
    /// was done.
    pub fn act(&self, action: Action, dry_run: bool, sink: Sink<'_>) -> Result<(), Error> {
        let session = self.session;
        if self.by_id() {
            return self.act_by_id(action, dry_run, sink);
        }
        if dry_run {
            return self.dry_run(action, sink);
        }
        // Counted from loading: the plan is streamed, never held whole.
        if plan::post_count(&session.campaign, action) == 0 {
            sink(Message::Note(Note::NothingToDo {
                campaign: &session.campaign.name,
                action,
            }));
            return Ok(());
        }
        let posts = self.command(action, sink)?;
        sink(Message::Done(Done {
            campaign: &session.campaign.name,
            provider: session.provider(),
            action,
            posts,
        }));
        Ok(())
    }

    /// `delete` and `ping` at a provider that knows calls only by the ids it gave them: one
    /// request per call, with the ids the journal kept.
    fn act_by_id(&self, action: Action, dry_run: bool, sink: Sink<'_>) -> Result<(), Error> {
        let session = self.session;
        if dry_run {
            return self.dry_run_by_id(action, sink);
        }
        match action {
            Action::Ping => {
                self.ping_by_id()?;
                sink(Message::Note(Note::Answered {
                    campaign: &session.campaign.name,
                    provider: session.provider(),
                }));
            }
            _ => {
                let removal = self.delete_by_id()?;
                sink(Message::Removed(Removed {
                    campaign: &session.campaign.name,
                    provider: session.provider(),
                    action,
                    removal: &removal,
                }));
            }
        }
        Ok(())
    }

    /// One action's posts, journaled, the plan streamed; how many were made.
    fn command(&self, action: Action, sink: Sink<'_>) -> Result<usize, Error> {
        let transport = self.transport()?;
        let mut journal = self.session.open_journal()?;
        sink(Message::Note(Note::Posting {
            posts: plan::post_count(&self.session.campaign, action),
        }));
        self.submitter(&transport)
            .command(&mut journal, action, &mut |e| {
                sink(Message::Submit(self.progress(&e)))
            })
            .map_err(|e| Error::submit(e, Some(self.session.settings.journal.clone())))
    }

    /// A Call Query of every recipient (at a provider that knows calls by its own ids: a
    /// status request per call the journal has an id for), the results handed to `each` a
    /// post's worth at a time (all at once from a provider asked call by call, whose polls
    /// are paced: its answers' names are known before the first is shown).
    pub(super) fn query(
        &self,
        all: bool,
        sink: Sink<'_>,
        each: &mut dyn FnMut(Vec<CallReport>),
    ) -> Result<(), Error> {
        let transport = self.transport()?;
        let action = if all { Action::QueryAll } else { Action::Query };
        sink(Message::Note(Note::Posting {
            posts: plan::post_count(&self.session.campaign, action),
        }));
        // The calls are the result; the posts that fetched them are only progress.
        let mut on = |e: Event| match e {
            Event::Post { .. } => sink(Message::Note(Note::Posted)),
            e => sink(Message::Submit(self.progress(&e))),
        };
        let submitter = self.submitter(&transport);
        let result = if all {
            submitter.query_all(&self.session.journal_state(None)?, &mut on, each)
        } else if self.by_id() {
            submitter
                .query_by_id(&self.session.journal_state(None)?, &mut on)
                .map(each)
        } else {
            submitter.query(&mut on, each)
        };
        result.map_err(|e| Error::submit(e, None))
    }

    /// Emits the requests `delete` or `ping` would make at a provider that knows calls by its
    /// own ids: one per call the journal has an id for (`ping`: the provider's probe id).
    fn dry_run_by_id(&self, action: Action, sink: Sink<'_>) -> Result<(), Error> {
        let campaign = &self.session.campaign;
        let Some(by_id) = campaign.provider().by_id() else {
            return Ok(());
        };
        let state = self.session.journal_state(None)?;
        let ids: Vec<String> = if action == Action::Ping {
            vec![by_id.probe_id().to_owned()]
        } else {
            let mut ids = Vec::new();
            for post in plan::posts(campaign, Action::Query) {
                ids.extend(post?.body.recipients().iter().filter_map(|r| {
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
            let url = by_id.url(kind, &self.session.first_endpoint());
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
            sink(Message::Post(PostEvent::DryRun {
                seq: i + 1,
                kind,
                xml: request.as_bytes(),
            }));
        }
        Ok(())
    }

    /// `ping` by the provider's probe id.
    fn ping_by_id(&self) -> Result<(), Error> {
        let transport = self.transport()?;
        self.submitter(&transport)
            .ping_by_id()
            .map_err(|e| Error::submit(e, None))
    }

    /// `delete` call by call, by the ids the journal kept.
    fn delete_by_id(&self) -> Result<Removal, Error> {
        let state = self.session.journal_state(None)?;
        let transport = self.transport()?;
        self.submitter(&transport)
            .delete_by_id(&state, &mut |_| {})
            .map_err(|e| Error::submit(e, None))
    }

    pub(super) fn progress<'e>(&self, event: &'e Event) -> Progress<'e> {
        Progress {
            event,
            provider: self.session.provider(),
        }
    }

    pub(super) fn submitter<'t>(&'t self, transport: &'t Transport) -> Submitter<'t> {
        let network = &self.session.settings.network;
        Submitter {
            campaign: &self.session.campaign,
            transport,
            credentials: self.credentials.as_ref(),
            options: SubmitOptions {
                trust_journal: network.trust_journal,
                settle: network.settle,
                concurrency: 1,
            },
        }
    }

    pub(super) fn redacted(&self) -> Option<Credentials> {
        self.credentials.as_ref().map(|_| Credentials::redacted())
    }

    /// Renders one post with `write` and emits it as a dry run's.
    pub(super) fn dry_run_post(
        &self,
        seq: usize,
        kind: PostKind,
        sink: Sink<'_>,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    ) -> Result<(), Error> {
        let mut xml = Vec::new();
        write(&mut xml).map_err(|e| {
            Error::from(
                Problem::error("send::render", e.to_string())
                    .in_file(&self.session.campaign.source),
            )
        })?;
        sink(Message::Post(PostEvent::DryRun {
            seq,
            kind,
            xml: &xml,
        }));
        Ok(())
    }

    pub(super) fn transport(&self) -> Result<Transport, Error> {
        transport(
            &self.session.campaign,
            &self.session.settings.network,
            self.credentials.as_ref(),
        )
    }
}
