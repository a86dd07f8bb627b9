//! Recipients at scale: CSV contact lists, do-not-call lists, dedupe, and the row stream.
//!
//! A CSV is read twice and never held. Loading ([`super::load`]) does the file-level checks
//! (the file opens, the header has the number column, placeholders name columns, the
//! suppression lists parse) and then streams every row once through the same checks the
//! posts will rely on, keeping only the dedupe set (8 bytes a number), the sorted indexes of
//! the rows to leave out, counts, and the first few problems. Planning ([`RowStream`]) streams
//! the file again, skips the listed rows and turns the rest into [`Recipient`]s batch by batch;
//! if the file changed in between, the stream stops with a problem instead of sending
//! something that was never checked.
//!
//! [`Recipient`]: super::Recipient

mod cap;
mod checked;
mod csv_pass;
mod dedupe;
mod excerpt;
mod header;
mod inline;
mod list;
mod report;
mod rows;
mod rule_counts;
mod rules;
mod scan;
mod scan_input;
mod settings;
mod stats;
mod stream;
mod suppress;
mod tally;
mod window;

pub use cap::CallHistory;
pub use checked::Contacts;
pub(super) use header::{Header, read_header};
pub use rules::{CallingRules, Closed, QuietDays};
pub(super) use scan::scan;
pub(super) use scan_input::ScanInput;
pub(super) use settings::{number_types, settings};
pub use stats::{RecipientStats, SHOWN, ZoneRules};
pub use stream::{RowStream, StreamFrom};
pub use window::Window;
pub(super) use window::past_times;
