//! `query`: who was reached, who was not, who is pending; kept in the results store.

use std::path::{Path, PathBuf};

use outdial::diagnostic::Problem;
use outdial::plan::{Action, PostKind};
use outdial::report::{Message, Note, QuerySummary, ResultRow};
use outdial::results::{self, Clock, PgResults, RecipientResult, Store};
use outdial::state::StateLocation;

use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Queries every recipient and reports each, then the counts; stores the results in `db`
/// (default: the campaign's results store).
pub fn run(
    target: &Target,
    db: Option<&Path>,
    all: bool,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let action = if all { Action::QueryAll } else { Action::Query };
    let context = Context::load(target, action, config, out)?;
    if target.dry_run {
        return context.dry_run(action, out);
    }
    // Each post's results are shown and stored as they come, so memory holds one post's
    // worth whatever the campaign's size; a store that fails stops being written to, and the
    // results go on being shown.
    let campaign = &context.campaign;
    let key = campaign.provider().name().key();
    let copy = tempfile::tempdir().map_err(|e| {
        out.show(Message::Problem(&Problem::error(
            "query::store",
            e.to_string(),
        )));
        Exit::Invalid
    })?;
    let (path, mut store, pg) = match config.state() {
        // The rows go to PostgreSQL; the callbacks stored there are read from a copy.
        Ok(StateLocation::Postgres(at)) => {
            let shown = PathBuf::from(at.shown());
            match PgResults::open(&at) {
                Ok(pg) => {
                    let read = pg.copy_out(key, &campaign.name, &copy.path().join("copy.db"));
                    (shown, read, Some(pg))
                }
                Err(e) => (shown, Err(e), None),
            }
        }
        _ => {
            let path = Config::db_path(&target.file, db);
            let store = Store::open(&path);
            (path, store, None)
        }
    };
    let journal = context.journal_state(out)?;
    let clock = Clock::of(campaign);
    let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
    // A provider that cannot be asked about a call (voip-communications.net) has told what it
    // knows in its callbacks: those are shown, as `report` shows them.
    let unasked = campaign
        .provider()
        .by_id()
        .is_some_and(|b| !b.has(PostKind::Query));
    let (mut rows, mut kept) = (0, 0);
    let mut summary = QuerySummary::default();
    context.query(all, out, &mut |reports| {
        let mut shown = Vec::with_capacity(reports.len());
        for report in &reports {
            let call = journal.call(&report.callid, &report.number);
            let mut result =
                RecipientResult::from_report(campaign.provider(), &clock, call, report);
            if unasked {
                result = from_callbacks(store.as_ref().ok(), campaign, result, &report.comment);
            }
            summary.add(&result);
            out.show(Message::Call(ResultRow {
                result: &result,
                prompts: &prompts,
            }));
            shown.push(result);
        }
        let (calls, keys, answers) = results::query_rows(key, &campaign.name, &shown);
        let recorded = match (&pg, &mut store) {
            (Some(pg), Ok(_)) => pg.record_query(&calls, &keys, &answers),
            (None, Ok(open)) => open.record_query(&calls, &keys, &answers),
            _ => return,
        };
        match recorded {
            Ok((r, k)) => (rows, kept) = (rows + r, kept + k),
            Err(e) => store = Err(e),
        }
    })?;
    // Stored before the counts are shown: the counts are the last word of the command.
    match store {
        Ok(_) => out.show(Message::Note(Note::Stored {
            rows,
            kept,
            path: &path,
        })),
        Err(e) => {
            out.show(Message::Query(summary));
            out.show(Message::Problem(
                &Problem::error("query::store", e.to_string())
                    .help("the results above are complete; run the query again to store them"),
            ));
            return Err(Exit::from(&e));
        }
    }
    out.show(Message::Query(summary));
    Ok(())
}

/// What a provider that cannot be asked about a call said of it in its callbacks, as `report`
/// shows it; without a stored callback, the journal's word (`result`) with why there is no
/// more (`note`), which is no result to keep.
fn from_callbacks(
    store: Option<&Store>,
    campaign: &outdial::prepared::Prepared,
    result: RecipientResult,
    note: &str,
) -> RecipientResult {
    let stored = store.map(|s| results::stored_result(s, campaign, &result.callid, &result.number));
    match stored {
        Some(Ok(Some(row))) => row,
        _ => RecipientResult {
            source: None,
            reason: Some(note.to_owned()).filter(|n| !n.is_empty()),
            ..result
        },
    }
}
