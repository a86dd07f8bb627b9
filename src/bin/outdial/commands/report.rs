//! `report`: each recipient of a campaign joined with its journal and the results store:
//! reached, not reached, pending, in doubt or never sent; the counts; optionally an HTML page
//! and the CSV of the recipients to try again.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::report::{Message, Note, ResultRow, UnmatchedPost};
use outdial::results::{self, PgResults, ResultsError, RetryWriter, Store};
use outdial::state::StateLocation;

use super::load;
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Where `report` writes besides stdout.
pub struct Files<'a> {
    /// `--db`.
    pub db: Option<&'a Path>,
    /// `--html`.
    pub html: Option<&'a Path>,
    /// `--retry`.
    pub retry: Option<&'a Path>,
    /// `--unmatched`: list the unmatched posts instead of the report.
    pub unmatched: bool,
}

/// Reports every recipient, then the counts; writes the HTML page and the retry CSV.
pub fn run(file: &Path, files: Files<'_>, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let (campaign, _) = load::campaign(file, config, out)?;
    let journal = config.journal_path(file, &campaign.name);
    // The journal of the campaign at its provider's own endpoint.
    let location = super::journal::location(config, out)?;
    let endpoint = super::provider::endpoint(&campaign, None);
    let state = super::journal::read_at(&location, &journal, &campaign, &endpoint, None, out)?;
    let db = Config::db_path(file, files.db);
    // A report only reads: a store that is not there yet is an empty one, not a file to make.
    let empty = tempfile::tempdir().map_err(|e| problem("report::store", e.to_string(), out))?;
    let store_path = if db.exists() {
        db.clone()
    } else {
        empty.path().join("results.db")
    };
    // With PostgreSQL state the campaign's results are copied into a private SQLite store,
    // which the report then reads as it reads a local one.
    let opened = match config.state() {
        Ok(StateLocation::Postgres(at)) => PgResults::open(&at).and_then(|pg| {
            let provider = campaign.provider().name().key();
            pg.copy_out(provider, &campaign.name, &empty.path().join("copy.db"))
        }),
        _ => Store::open(&store_path),
    };
    let store = opened.map_err(|e| {
        out.show(Message::Problem(&Problem::error(
            "report::store",
            e.to_string(),
        )));
        Exit::from(&e)
    })?;
    if files.unmatched {
        let posts = store
            .unmatched(campaign.provider().name().key())
            .map_err(|e| problem("report::store", e.to_string(), out))?;
        for post in &posts {
            out.show(Message::Unmatched(UnmatchedPost::of(post)));
        }
        out.show(Message::Note(Note::Unmatched { posts: posts.len() }));
        return Ok(());
    }
    if let (Some(retry), Some(contacts)) = (files.retry, &campaign.contacts)
        && same_file(retry, &contacts.path)
    {
        return Err(problem(
            "report::retry",
            format!(
                "--retry {} is the campaign's own contact list, which the report reads",
                retry.display()
            ),
            out,
        ));
    }
    let mut retry = match files.retry {
        Some(path) => Some((
            path,
            create(path, out).and_then(|w| {
                RetryWriter::new(w, &campaign).map_err(|e| write_failed(path, &e, out))
            })?,
        )),
        None => None,
    };
    let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
    let built = results::build(&campaign, &state, &store, &mut |recipient, result| {
        out.show(Message::Recipient(ResultRow {
            result,
            prompts: &prompts,
        }));
        match &mut retry {
            Some((_, writer)) if result.status.retry() => writer.write(recipient),
            _ => Ok(()),
        }
    });
    let summary = built.map_err(|e| {
        match &e {
            ResultsError::Recipients(p) => out.show(Message::Problem(p)),
            e => out.show(Message::Problem(&Problem::error(
                "report::failed",
                e.to_string(),
            ))),
        }
        Exit::from(&e)
    })?;
    if let Some((path, writer)) = retry {
        writer
            .finish()
            .and_then(|mut w| w.flush())
            .map_err(|e| write_failed(path, &e, out))?;
        out.show(Message::Note(Note::WroteFile {
            what: "recipients to try again",
            path,
        }));
    }
    if let Some(path) = files.html {
        let now = config.now.unwrap_or_else(jiff::Timestamp::now);
        create(path, out).and_then(|w| {
            results::write_html(w, &summary, now)
                .and_then(|mut w| w.flush())
                .map_err(|e| write_failed(path, &e, out))
        })?;
        out.show(Message::Note(Note::WroteFile {
            what: "the HTML report",
            path,
        }));
    }
    // The report is of the calls made; an edit not sent yet is named with what `send` would
    // do about it (the same computation as `plan` and `send`).
    if state.lines() > 0 {
        let lines = super::journal::lines_at(&location, &journal, &campaign, &endpoint);
        let changes = outdial::converge::compute(&campaign, &state, &lines, jiff::Timestamp::now())
            .map_err(|e| problem("report::changes", e.to_string(), out))?;
        if changes.changes_anything() {
            out.show(Message::Note(Note::Unsent {
                changes: &changes.summary(),
            }));
        }
    }
    if summary.counts.pending > 0
        && let Some(why) = campaign.provider().no_results_why()
    {
        out.show(Message::Problem(
            &Problem::warning(
                "report::no-results",
                format!(
                    "{} pending call{} will stay pending: {why}",
                    summary.counts.pending,
                    if summary.counts.pending == 1 { "" } else { "s" }
                ),
            )
            .in_file(&campaign.source)
            .help("add callback_url to [voipcomm] and run `outdial listen` there for the calls sent from now on; the provider's own screens show how the earlier ones went"),
        ));
    }
    // Asked only when every call sent is pending, so the store is read again only when it
    // holds little or nothing for the campaign.
    if summary.counts.pending > 0
        && summary.counts.pending == summary.sent
        && campaign.provider().no_results_why().is_none()
        && store
            .calls(campaign.provider().name().key(), &campaign.name)
            .is_ok_and(|calls| calls.is_empty())
        && let Some((why, help)) = campaign.provider().nothing_stored_why()
    {
        out.show(Message::Problem(
            &Problem::warning(
                "report::nothing-stored",
                format!(
                    "every call sent ({}) is pending: {why}",
                    summary.counts.pending
                ),
            )
            .in_file(&campaign.source)
            .help(help),
        ));
    }
    out.show(Message::Results(&summary));
    let provider = campaign.provider().name().key();
    let aside = store.unmatched_count(provider).and_then(|unmatched| {
        let (lesser, conflicts) = store.overruled(provider, &campaign.name)?;
        Ok((unmatched, lesser, conflicts))
    });
    match aside {
        Ok((0, 0, 0)) => {}
        Ok((unmatched, lesser, conflicts)) => out.show(Message::Note(Note::PostsAside {
            unmatched,
            lesser,
            conflicts,
        })),
        Err(e) => return Err(problem("report::store", e.to_string(), out)),
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn create(path: &Path, out: &dyn Report) -> Result<BufWriter<File>, Exit> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| write_failed(path, &e, out))
}

fn write_failed(path: &Path, err: &io::Error, out: &dyn Report) -> Exit {
    problem(
        "report::write",
        format!("cannot write {}: {err}", path.display()),
        out,
    )
}

fn problem(code: &'static str, message: String, out: &dyn Report) -> Exit {
    out.show(Message::Problem(&Problem::error(code, message)));
    Exit::Invalid
}
