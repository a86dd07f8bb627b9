//! `--format csv`: the rows of `query` and `report` on stdout; every other message as for
//! people, without summaries.

use std::cell::Cell;
use std::io::{self, Write};

use outdial::report::Message;
use outdial::results::RecipientResult;
use outdial::results::cell::{csv_own, csv_text};

use super::human::PrintHuman;
use super::report::Report;
use super::results_text::responses_text;

/// `query` as CSV on stdout, one row per recipient after a header row; everything else as
/// for people, without summaries.
pub(super) struct PrintCsv {
    human: PrintHuman,
    header: Cell<bool>,
}

impl PrintCsv {
    pub(super) fn new(quiet: bool) -> Self {
        PrintCsv {
            human: PrintHuman::new(quiet, false),
            header: Cell::new(false),
        }
    }

    /// The header row of `query` and `report` alike: the fixed columns, then `prompt_N` per
    /// prompt.
    fn results_header(&self, prompts: &[u32]) -> io::Result<()> {
        if self.header.replace(true) {
            return Ok(());
        }
        let mut line = RESULT_COLUMNS.join(",");
        for prompt in prompts {
            line.push_str(&format!(",prompt_{prompt}"));
        }
        writeln!(io::stdout().lock(), "{line}")
    }

    /// One recipient's row. Provider text is neutralised ([`csv_text`]); the columns outdial
    /// writes itself (`number`, `status`, `duration`, `attempts`, `called_at`, `source`, the
    /// prompt columns' ids) are not.
    fn result_row(&self, r: &RecipientResult, prompts: &[u32]) -> io::Result<()> {
        self.results_header(prompts)?;
        let number = |n: Option<u32>| n.map(|d| d.to_string()).unwrap_or_default();
        let text = |t: Option<&str>| csv_text(t.unwrap_or(""));
        let mut line = [
            csv_own(&r.number),
            csv_text(&r.callid),
            r.status.as_str().to_owned(),
            text(r.provider_status.as_deref()),
            text(r.reason.as_deref()),
            text(r.answered_by.as_deref()),
            number(r.duration),
            number(r.attempts),
            csv_own(r.called_at.as_deref().unwrap_or("")),
            text(r.provider_time.as_deref()),
            r.source.unwrap_or("").to_owned(),
            text(r.recording.as_deref()),
            csv_text(responses_text(r).trim_start()),
        ]
        .join(",");
        for prompt in prompts {
            line.push(',');
            let keys: Vec<&str> = r
                .keypresses
                .iter()
                .filter(|k| k.prompt == *prompt)
                .map(|k| k.keys.as_str())
                .collect();
            line.push_str(&csv_text(&keys.join(" ")));
        }
        writeln!(io::stdout().lock(), "{line}")
    }
}

/// The fixed columns of a result row in CSV, as named in the JSON record.
const RESULT_COLUMNS: [&str; 13] = [
    "number",
    "callid",
    "status",
    "provider_status",
    "reason",
    "answered_by",
    "duration",
    "attempts",
    "called_at",
    "provider_time",
    "source",
    "recording",
    "responses",
];

impl Report for PrintCsv {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match message {
            Message::Call(row) | Message::Recipient(row) => {
                self.result_row(row.result, row.prompts)
            }
            // A query of nobody still writes the header: the prompts are the campaign's.
            Message::Query(_) => self.results_header(&[]),
            Message::Results(summary) => {
                let prompts: Vec<u32> = summary.keypresses.iter().map(|k| k.prompt).collect();
                self.results_header(&prompts)
            }
            other => self.human.report(other),
        }
    }
}
