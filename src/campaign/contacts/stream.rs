//! The second pass over a CSV: the rows the scan kept, turned into [`Recipient`]s one at a
//! time while the posts are built.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use csv::ByteRecord;
use jiff::{Timestamp, Zoned};

use super::checked::{Contacts, Fingerprint};
use super::list::{ListReader, open_error, open_list, read_row, reader};
use super::rows::Rules;
use crate::callid;
use crate::campaign::model::{Recipient, Vars, Zone};
use crate::diagnostic::Problem;
use crate::provider::name::ProviderName;
use crate::source::SourceFile;

/// The second pass over a CSV: valid, new, unsuppressed rows as [`Recipient`]s, in file
/// order. Made by [`Contacts::stream`].
pub struct RowStream<'c> {
    contacts: &'c Contacts,
    reader: ListReader<BufReader<File>>,
    record: ByteRecord,
    index: u64,
    next_skip: usize,
    rules: Rules<'c>,
    prefix: &'c str,
    source: Arc<SourceFile>,
    done: bool,
}

/// What the second pass needs of the campaign beside its contacts (the campaign holds the
/// contacts, so they take these parts of it rather than the whole).
pub struct StreamFrom<'c> {
    /// The campaign file, where problems point.
    pub source: &'c Arc<SourceFile>,
    /// The zone `at` times are written in.
    pub timezone: Option<&'c Zone>,
    /// `[recipients] at`.
    pub default_at: Option<&'c Zoned>,
    /// The provider the campaign is sent to: whether it calls abroad.
    pub provider_name: ProviderName,
    /// Derived call ids start with this.
    pub callid_prefix: &'c str,
}

impl Contacts {
    /// Opens the CSV for the second pass. Fails if it cannot be read or changed since loading.
    #[allow(clippy::result_large_err)] // once per plan; Problem is what every caller shows
    pub fn stream<'c>(&'c self, campaign: StreamFrom<'c>) -> Result<RowStream<'c>, Problem> {
        let changed = || {
            Problem::error(
                "csv::changed",
                format!(
                    "{} changed after it was checked; nothing more is compiled from it",
                    self.path.display()
                ),
            )
            .at(campaign.source, self.span.clone(), "this file")
            .help("run the command again so the new contents are checked first")
        };
        let file = open_list(&self.path).map_err(|err| {
            Problem::error("csv::unreadable", open_error(&self.path, &err)).at(
                campaign.source,
                self.span.clone(),
                "this file",
            )
        })?;
        if Fingerprint::of(&file).as_ref() != Some(&self.fingerprint) {
            return Err(changed());
        }
        let mut reader = reader(BufReader::with_capacity(1 << 16, file));
        let _ = reader.byte_headers();
        let default_at = campaign.default_at;
        Ok(RowStream {
            contacts: self,
            reader,
            record: ByteRecord::new(),
            index: 0,
            next_skip: 0,
            rules: Rules {
                columns: &self.columns,
                zone: campaign.timezone,
                default_at,
                calling: self.calling.as_deref(),
                // Past times were judged when loading; a run that crosses a scheduled minute
                // must not fail halfway.
                now: Timestamp::MIN,
                deny_past: false,
                trusted: true,
                abroad: campaign.provider_name.calls_abroad(),
                allowed: self.allowed,
                time_check: None,
            },
            prefix: campaign.callid_prefix,
            source: Arc::clone(campaign.source),
            done: false,
        })
    }
}

impl RowStream<'_> {
    fn changed(&self, line: u64) -> Problem {
        Problem::error(
            "csv::changed",
            format!(
                "{} line {line} no longer passes the checks: the file changed after it was \
                 checked",
                self.contacts.path.display()
            ),
        )
        .at(&self.source, self.contacts.span.clone(), "this file")
        .help("run the command again so the new contents are checked first")
    }
}

impl Iterator for RowStream<'_> {
    type Item = Result<Recipient, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match read_row(&mut self.reader, &mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(err) => {
                    self.done = true;
                    return Some(Err(Problem::error(
                        "csv::unreadable",
                        format!("{}: {err}", self.contacts.path.display()),
                    )
                    .in_file(&self.source)));
                }
            }
            let index = self.index;
            self.index += 1;
            if self.contacts.skip.get(self.next_skip) == Some(&index) {
                self.next_skip += 1;
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line()) + self.contacts.line_fix;
            let row = match self.rules.row(&self.record) {
                Ok(row) => row,
                Err(_) => {
                    self.done = true;
                    return Some(Err(self.changed(line)));
                }
            };
            let callid = match row.callid {
                Some(id) => id.to_string(),
                None => callid::derive(self.prefix, &row.number),
            };
            let columns = &self.contacts.columns;
            let record = &self.record;
            let Some(vars) = Vars::from_utf8(
                Arc::clone(&columns.var_names),
                columns.vars.iter().map(|&c| &record[c]),
            ) else {
                self.done = true;
                return Some(Err(self.changed(line)));
            };
            return Some(Ok(Recipient {
                number: row.number,
                callid,
                at: row.at,
                ext: None,
                callerid: None,
                timezone: row.timezone.map(str::to_string),
                vars,
                span: self.contacts.span.clone(),
                at_span: None,
                row: Some(line),
            }));
        }
        None
    }
}
