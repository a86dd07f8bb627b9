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
    let path = Config::db_path(&target.file, db);
    let mut store = Store::open(&path);
    let (mut rows, mut kept) = (0, 0);
    let mut summary = QuerySummary::default();
    context.query(all, out, &mut |reports| {
        summary.add(&reports);
        for report in &reports {
            out.show(Message::Call(CallRow {
                report,
                columns: &summary.columns,
            }));
        }
        let Ok(open) = &mut store else {
            return;
        };
        let (calls, keys) = results::query_rows(
            context.campaign.provider(),
            &context.campaign.name,
            &reports,
        );
        match open.record_query(&calls, &keys) {
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
