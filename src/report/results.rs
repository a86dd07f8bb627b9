//! What `query` and `report` show of results: one recipient's row, the counts of a query,
//! and a post `listen` kept as unmatched.

use serde::{Serialize, Serializer};

/// One recipient of a results report, with the campaign's prompt ids (the record is the
/// result's own).
#[derive(Debug, Clone, Copy)]
pub struct ResultRow<'a> {
    /// The recipient's result.
    pub result: &'a crate::results::RecipientResult,
    /// The campaign's prompt ids, in order (a CSV column each).
    pub prompts: &'a [u32],
}

impl Serialize for ResultRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.result.serialize(s)
    }
}

/// The counts of a Call Query, by the statuses a report uses.
#[derive(Debug, Default, Serialize)]
pub struct QuerySummary {
    /// Recipients queried.
    pub recipients: usize,
    /// Recipients per status.
    #[serde(flatten)]
    pub counts: crate::results::StatusCounts,
}

impl QuerySummary {
    /// Counts `result` too.
    pub fn add(&mut self, result: &crate::results::RecipientResult) {
        self.recipients += 1;
        self.counts.add(result.status);
    }
}

/// A post `listen` could read but not file under a call, as `report --unmatched` shows it.
#[derive(Debug, Serialize)]
pub struct UnmatchedPost<'a> {
    /// When it was stored (RFC 3339, UTC).
    pub received_at: &'a str,
    /// The route it came on.
    pub route: &'a str,
    /// The call id it named ('' for none).
    pub callid: &'a str,
    /// The number it named ('' for none).
    pub number: &'a str,
    /// Why it matched no call.
    pub why: &'a str,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl<'a> UnmatchedPost<'a> {
    /// The row of a stored unmatched post.
    pub fn of(u: &'a crate::results::Unmatched) -> UnmatchedPost<'a> {
        UnmatchedPost {
            received_at: &u.received_at,
            route: &u.route,
            callid: &u.callid,
            number: &u.number,
            why: &u.why,
            body: String::from_utf8_lossy(&u.body).into_owned(),
        }
    }
}
