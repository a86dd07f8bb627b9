//! Rendering of library values: human text (miette) on stderr/stdout, or JSON Lines on stdout.

use std::io::{self, IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use outdial::diagnostic::Problem;
use serde_json::{Value, json};

use crate::args::Format;

/// Version of the JSON Lines event stream; consumers ignore fields they do not know.
const EVENT_SCHEMA: u32 = 1;

/// Where and how the command's results are shown.
pub struct Output {
    format: Format,
    quiet: bool,
    handler: GraphicalReportHandler,
}

impl Output {
    /// An output in `format`; in JSON, the version record is written at once.
    pub fn new(format: Format, quiet: bool) -> Self {
        let color =
            io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false);
        let out = Self {
            format,
            quiet,
            handler,
        };
        if format == Format::Json {
            out.event(&json!({"type": "version", "outdial": env!("CARGO_PKG_VERSION"), "schema": EVENT_SCHEMA}));
        }
        out
    }

    /// The selected format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Writes one JSON event line on stdout.
    pub fn event(&self, event: &Value) {
        let mut stdout = io::stdout().lock();
        // A closed pipe (`outdial … | head`) is not an error worth reporting.
        let _ = writeln!(stdout, "{event}");
    }

    /// Shows a problem: rendered with its source excerpt, or as a JSON record.
    pub fn problem(&self, problem: &Problem) {
        match self.format {
            Format::Human | Format::Csv => {
                let mut text = String::new();
                if self.handler.render_report(&mut text, problem).is_err() {
                    text = format!("{problem}\n");
                }
                let _ = write!(io::stderr().lock(), "{text}");
            }
            Format::Json => {
                let mut record = serde_json::to_value(problem.record()).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut record {
                    map.insert("type".into(), json!("problem"));
                }
                self.event(&record);
            }
        }
    }

    /// A one-line human summary on stdout (suppressed by `-q`; JSON uses events instead).
    pub fn summary(&self, line: &str) {
        if self.format == Format::Human && !self.quiet {
            let _ = writeln!(io::stdout().lock(), "{line}");
        }
    }

    /// A human note on stderr (suppressed by `-q`).
    pub fn note(&self, line: &str) {
        if self.format != Format::Json && !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{line}");
        }
    }
}
