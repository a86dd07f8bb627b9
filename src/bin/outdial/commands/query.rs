//! `query`: who was reached, who was not, who is pending; kept in the results store.

use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::plan::Action;
use outdial::report::{CallRow, Message, Note, QuerySummary};
use outdial::results::{self, Store};

use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Queries every recipient and reports each, then the counts; stores the results in `db`
/// (default: the campaign's results store).
pub fn run(
    target: &Target,
    db: Option<&Path>,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let context = Context::load(target, Action::Query, config, out)?;
    if target.dry_run {
        return context.dry_run(Action::Query, out);
    }
    let reports = context.query(out)?;
    let summary = QuerySummary::of(&reports);
    for report in &reports {
        out.show(Message::Call(CallRow {
            report,
            columns: &summary.columns,
        }));
    }
    // Stored before the counts are shown: the counts are the last word of the command.
    let path = Config::db_path(&target.file, db);
    let (calls, keys) = results::query_rows(
        context.campaign.provider(),
        &context.campaign.name,
        &reports,
    );
    let stored = Store::open(&path).and_then(|mut store| store.record_query(&calls, &keys));
    match stored {
        Ok((rows, kept)) => out.show(Message::Note(Note::Stored {
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
