//! `query`: who was reached, who was not, who is pending, asked of the provider and kept in
//! the results store (the local SQLite file, or the state store's PostgreSQL). Each post's
//! results are emitted and stored as they come, so memory holds one post's worth whatever the
//! campaign's size; a store that fails stops being written to, and the results go on being
//! emitted.

use std::path::{Path, PathBuf};

use crate::diagnostic::Problem;
use crate::plan::PostKind;
use crate::prepared::Prepared;
use crate::report::{Message, Note, QuerySummary, ResultRow};
use crate::results::{self, Clock, PgResults, RecipientResult, Store, StoreError};
use crate::state::StateLocation;

use super::actions::Connection;
use super::error::{Error, Kind};
use super::value::Sink;

/// Where a query's results are kept, and how many rows went there.
struct Kept {
    /// Where, as people are told.
    path: PathBuf,
    /// The store written to (and read from for the callbacks stored), or why it failed.
    store: Result<Store, StoreError>,
    /// With PostgreSQL state, the rows go there; `store` is then a private copy.
    pg: Option<PgResults>,
    rows: usize,
    kept: usize,
}

impl Kept {
    /// The store of `campaign`'s results: the local one at `db`, or the state store's (whose
    /// stored callbacks are read from a copy in `copy`).
    fn open(state: &StateLocation, db: &Path, campaign: &Prepared, copy: &Path) -> Kept {
        let key = campaign.provider().name().key();
        let (path, store, pg) = match state {
            StateLocation::Postgres(at) => {
                let shown = PathBuf::from(at.shown());
                match PgResults::open(at) {
                    Ok(pg) => {
                        let read = pg.copy_out(key, &campaign.name, &copy.join("copy.db"));
                        (shown, read, Some(pg))
                    }
                    Err(e) => (shown, Err(e), None),
                }
            }
            StateLocation::Local => (db.to_path_buf(), Store::open(db), None),
        };
        Kept {
            path,
            store,
            pg,
            rows: 0,
            kept: 0,
        }
    }

    /// Stores one post's worth of results, unless the store failed already.
    fn record(&mut self, campaign: &Prepared, shown: &[RecipientResult]) {
        let key = campaign.provider().name().key();
        let (calls, keys, answers) = results::query_rows(key, &campaign.name, shown);
        let recorded = match (&self.pg, &mut self.store) {
            (Some(pg), Ok(_)) => pg.record_query(&calls, &keys, &answers),
            (None, Ok(open)) => open.record_query(&calls, &keys, &answers),
            _ => return,
        };
        match recorded {
            Ok((r, k)) => (self.rows, self.kept) = (self.rows + r, self.kept + k),
            Err(e) => self.store = Err(e),
        }
    }
}

impl Connection<'_> {
    /// Queries every recipient (`all`: every call the provider holds for the campaign) and
    /// emits each, then the counts; stores the results in the local store at `db`, or in the
    /// state store.
    pub fn query_and_store(&self, all: bool, db: &Path, sink: Sink<'_>) -> Result<(), Error> {
        let session = self.session();
        let campaign = session.campaign();
        let copy =
            tempfile::tempdir().map_err(|e| Error::invalid("query::store", e.to_string()))?;
        let mut kept = Kept::open(&session.settings().state, db, campaign, copy.path());
        let journal = session.journal_state(None)?;
        let clock = Clock::of(campaign);
        let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
        // A provider that cannot be asked about a call (voip-communications.net) has told
        // what it knows in its callbacks: those are shown, as `report` shows them.
        let unasked = campaign
            .provider()
            .by_id()
            .is_some_and(|b| !b.has(PostKind::Query));
        let mut summary = QuerySummary::default();
        self.query(all, sink, &mut |reports| {
            let mut shown = Vec::with_capacity(reports.len());
            for report in &reports {
                let call = journal.call(&report.callid, &report.number);
                let mut result =
                    RecipientResult::from_report(campaign.provider(), &clock, call, report);
                if unasked {
                    let store = kept.store.as_ref().ok();
                    result = from_callbacks(store, campaign, result, &report.comment);
                }
                summary.add(&result);
                sink(Message::Call(ResultRow {
                    result: &result,
                    prompts: &prompts,
                }));
                shown.push(result);
            }
            kept.record(campaign, &shown);
        })?;
        // Stored before the counts are shown: the counts are the last word of the command.
        match kept.store {
            Ok(_) => sink(Message::Note(Note::Stored {
                rows: kept.rows,
                kept: kept.kept,
                path: &kept.path,
            })),
            Err(e) => {
                sink(Message::Query(summary));
                let problem = Problem::error("query::store", e.to_string())
                    .help("the results above are complete; run the query again to store them");
                return Err(Error::problem(problem, Kind::Store(e)));
            }
        }
        sink(Message::Query(summary));
        Ok(())
    }
}

/// What a provider that cannot be asked about a call said of it in its callbacks, as `report`
/// shows it; without a stored callback, the journal's word (`result`) with why there is no
/// more (`note`), which is no result to keep.
fn from_callbacks(
    store: Option<&Store>,
    campaign: &Prepared,
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
