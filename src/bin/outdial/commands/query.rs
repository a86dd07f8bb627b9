//! `query`: who was reached, who was not, who is pending.

use outdial::plan::Action;
use outdial::report::{CallRow, Message, QuerySummary};

use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Queries every recipient and reports each, then the counts.
pub fn run(target: &Target, config: &Config, out: &dyn Report) -> Result<(), Exit> {
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
    out.show(Message::Query(summary));
    Ok(())
}
