//! The printers: one per output format, chosen once per run. The commands hand every
//! [`Message`](outdial::report::Message) to the printer; only here is it decided what a message
//! looks like. Each format has its file ([`human`], [`json`], [`csv_rows`], [`markdown`]);
//! the text they share is in the files below them.

mod csv_rows;
mod diff_text;
mod human;
mod json;
mod markdown;
mod phrases;
mod report;
mod results_text;
mod run_text;
mod trace;

pub use report::Report;
pub use trace::trace;

use crate::args::Format;

/// The printer for `format`. In JSON the version record is written at once.
pub fn printer(format: Format, quiet: bool) -> Box<dyn Report> {
    match format {
        Format::Human => Box::new(human::PrintHuman::new(quiet, true)),
        Format::Json => Box::new(json::PrintJson::new()),
        Format::Csv => Box::new(csv_rows::PrintCsv::new(quiet)),
        Format::Markdown => Box::new(markdown::PrintMarkdown::new(quiet)),
    }
}
