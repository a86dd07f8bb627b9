//! `--format json`: every message as its JSON Lines record on stdout.

use std::io::{self, Write};

use outdial::report::Message;

use super::report::Report;

/// JSON Lines on stdout: each message's record, one a line.
pub(super) struct PrintJson;

impl PrintJson {
    pub(super) fn new() -> Self {
        let out = PrintJson;
        out.show(Message::Version(outdial::report::Version::current()));
        out
    }
}

impl Report for PrintJson {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match message.json()? {
            Some(line) => writeln!(io::stdout().lock(), "{line}"),
            None => Ok(()),
        }
    }
}
