//! `report`: each recipient of a campaign joined with its journal and the results store:
//! reached, not reached, pending, in doubt or never sent; the counts; optionally an HTML page
//! and the CSV of the recipients to try again. A report only reads the stores.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::diagnostic::Problem;
use crate::report::{Message, Note, ResultRow, UnmatchedPost};
use crate::results::{self, PgResults, ResultsError, RetryWriter, Store, Summary};
use crate::state::StateLocation;

use super::error::{Error, Kind};
use super::value::{Session, Sink};

/// Where a report reads and writes besides its events.
#[derive(Debug, Clone, Copy)]
pub struct ReportFiles<'a> {
    /// The local results store (read when there is no state store).
    pub db: &'a Path,
    /// Write the HTML page here.
    pub html: Option<&'a Path>,
    /// Write the CSV of the recipients to try again here.
    pub retry: Option<&'a Path>,
    /// List the unmatched posts instead of the report.
    pub unmatched: bool,
}

impl Session {
    /// Emits every recipient, then the counts; writes the HTML page and the retry CSV. (The
    /// journal is the campaign's at its provider's own endpoint.)
    pub fn report(&self, files: ReportFiles<'_>, sink: Sink<'_>) -> Result<(), Error> {
        let campaign = &self.campaign;
        let state = self.journal_state(None)?;
        // A report only reads: a store that is not there yet is an empty one, not a file to
        // make.
        let empty =
            tempfile::tempdir().map_err(|e| Error::invalid("report::store", e.to_string()))?;
        let store = self.results_store(files.db, empty.path())?;
        if files.unmatched {
            return unmatched(&store, campaign.provider().name().key(), sink);
        }
        if let (Some(retry), Some(contacts)) = (files.retry, &campaign.contacts)
            && same_file(retry, &contacts.path)
        {
            return Err(Error::invalid(
                "report::retry",
                format!(
                    "--retry {} is the campaign's own contact list, which the report reads",
                    retry.display()
                ),
            ));
        }
        let summary = self.recipients(&state, &store, files.retry, sink)?;
        if let Some(path) = files.html {
            create(path).and_then(|w| {
                results::write_html(w, &summary, self.now())
                    .and_then(|mut w| w.flush())
                    .map_err(|e| write_failed(path, &e))
            })?;
            sink(Message::Note(Note::WroteFile {
                what: "the HTML report",
                path,
            }));
        }
        // The report is of the calls made; an edit not sent yet is named with what `send`
        // would do about it (the same computation as `plan` and `send`).
        if state.lines() > 0 {
            let changes = crate::converge::compute(
                campaign,
                &state,
                &self.lines_at(),
                jiff::Timestamp::now(),
            )
            .map_err(|e| Error::invalid("report::changes", e.to_string()))?;
            if changes.changes_anything() {
                sink(Message::Note(Note::Unsent {
                    changes: &changes.summary(),
                }));
            }
        }
        self.warn_pending(&summary, &store, sink);
        sink(Message::Results(&summary));
        self.aside(&store, sink)
    }

    /// The results store a report reads: the local one at `db` (an empty one in `empty` when
    /// there is none yet), or, with PostgreSQL state, the campaign's results copied into a
    /// private SQLite store, which the report then reads as it reads a local one.
    fn results_store(&self, db: &Path, empty: &Path) -> Result<Store, Error> {
        let store_path = if db.exists() {
            db.to_path_buf()
        } else {
            empty.join("results.db")
        };
        let opened = match &self.settings.state {
            StateLocation::Postgres(at) => PgResults::open(at).and_then(|pg| {
                let provider = self.campaign.provider().name().key();
                pg.copy_out(provider, &self.campaign.name, &empty.join("copy.db"))
            }),
            StateLocation::Local => Store::open(&store_path),
        };
        opened.map_err(|e| {
            Error::problem(
                Problem::error("report::store", e.to_string()),
                Kind::Store(e),
            )
        })
    }

    /// Emits every recipient, writing those to try again to `retry`; the counts.
    fn recipients(
        &self,
        state: &crate::journal::JournalState,
        store: &Store,
        retry: Option<&Path>,
        sink: Sink<'_>,
    ) -> Result<Summary, Error> {
        let campaign = &self.campaign;
        let mut retry = match retry {
            Some(path) => Some((
                path,
                create(path).and_then(|w| {
                    RetryWriter::new(w, campaign).map_err(|e| write_failed(path, &e))
                })?,
            )),
            None => None,
        };
        let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
        let built = results::build(campaign, state, store, &mut |recipient, result| {
            sink(Message::Recipient(ResultRow {
                result,
                prompts: &prompts,
            }));
            match &mut retry {
                Some((_, writer)) if result.status.retry() => writer.write(recipient),
                _ => Ok(()),
            }
        });
        let summary = built.map_err(|e| match e {
            ResultsError::Recipients(p) => Error::from(*p),
            e => Error::invalid("report::failed", e.to_string()),
        })?;
        if let Some((path, writer)) = retry {
            writer
                .finish()
                .and_then(|mut w| w.flush())
                .map_err(|e| write_failed(path, &e))?;
            sink(Message::Note(Note::WroteFile {
                what: "recipients to try again",
                path,
            }));
        }
        Ok(summary)
    }

    /// Warns when pending calls will stay pending (the provider posts no results here), or
    /// when every call sent is pending and nothing was stored for the campaign.
    fn warn_pending(&self, summary: &Summary, store: &Store, sink: Sink<'_>) {
        let campaign = &self.campaign;
        let pending = summary.counts.pending;
        if pending > 0
            && let Some(why) = campaign.provider().no_results_why()
        {
            sink(Message::Problem(
                &Problem::warning(
                    "report::no-results",
                    format!(
                        "{pending} pending call{} will stay pending: {why}",
                        if pending == 1 { "" } else { "s" }
                    ),
                )
                .in_file(&campaign.source)
                .help("add callback_url to [voipcomm] and run `outdial listen` there for the calls sent from now on; the provider's own screens show how the earlier ones went"),
            ));
        }
        // Asked only when every call sent is pending, so the store is read again only when it
        // holds little or nothing for the campaign.
        if pending > 0
            && pending == summary.sent
            && campaign.provider().no_results_why().is_none()
            && store
                .calls(campaign.provider().name().key(), &campaign.name)
                .is_ok_and(|calls| calls.is_empty())
            && let Some((why, help)) = campaign.provider().nothing_stored_why()
        {
            sink(Message::Problem(
                &Problem::warning(
                    "report::nothing-stored",
                    format!("every call sent ({pending}) is pending: {why}"),
                )
                .in_file(&campaign.source)
                .help(help),
            ));
        }
    }

    /// Notes the posts the store set aside: unmatched, lesser, or in conflict.
    fn aside(&self, store: &Store, sink: Sink<'_>) -> Result<(), Error> {
        let provider = self.campaign.provider().name().key();
        let aside = store.unmatched_count(provider).and_then(|unmatched| {
            let (lesser, conflicts) = store.overruled(provider, &self.campaign.name)?;
            Ok((unmatched, lesser, conflicts))
        });
        match aside {
            Ok((0, 0, 0)) => Ok(()),
            Ok((unmatched, lesser, conflicts)) => {
                sink(Message::Note(Note::PostsAside {
                    unmatched,
                    lesser,
                    conflicts,
                }));
                Ok(())
            }
            Err(e) => Err(Error::invalid("report::store", e.to_string())),
        }
    }
}

/// Emits the posts `listen` kept because they named no call it serves.
fn unmatched(store: &Store, provider: &str, sink: Sink<'_>) -> Result<(), Error> {
    let posts = store
        .unmatched(provider)
        .map_err(|e| Error::invalid("report::store", e.to_string()))?;
    for post in &posts {
        sink(Message::Unmatched(UnmatchedPost::of(post)));
    }
    sink(Message::Note(Note::Unmatched { posts: posts.len() }));
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn create(path: &Path) -> Result<BufWriter<File>, Error> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| write_failed(path, &e))
}

fn write_failed(path: &Path, err: &io::Error) -> Error {
    Error::invalid(
        "report::write",
        format!("cannot write {}: {err}", path.display()),
    )
}
