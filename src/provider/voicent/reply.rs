//! Reading the gateway's replies: the `[ReqId=…]` page of a call request, status records,
//! removals.

use crate::provider::{CallResult, Rejection, ReplyOutcome, Status};

/// What the gateway says when it has no record of a reqId (removed, self-deleted, never
/// made).
pub const NO_SUCH_RECORD: &str = "no such call record";

/// The longest reqId accepted (real ones are 13-digit epoch milliseconds).
const MAX_REQID: usize = 40;

/// Reads the reply to a call request.
///
/// Strict: exactly one reqId (the same one repeated is fine), made of digits. A page without
/// any `[ReqId=` is the gateway declining the request (its text, without markup, is the
/// message). A page that has the marker but no readable id may mean the call was taken, so it
/// is unreadable, never a rejection.
pub fn read_call_reply(body: &[u8]) -> ReplyOutcome {
    let text = String::from_utf8_lossy(body);
    let mut ids: Vec<&str> = Vec::new();
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("[ReqId=") {
        rest = &rest[at + "[ReqId=".len()..];
        let Some(end) = rest.find(']') else {
            return ReplyOutcome::Unreadable(format!(
                "the gateway's reply has an unterminated [ReqId=: {}",
                plain_text(&text, 200)
            ));
        };
        let id = &rest[..end];
        if id.is_empty() || id.len() > MAX_REQID || !id.bytes().all(|b| b.is_ascii_digit()) {
            return ReplyOutcome::Unreadable(format!(
                "the gateway's reply has a reqId that is not a number: [ReqId={}]",
                plain_text(id, 60)
            ));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
        rest = &rest[end..];
    }
    match ids.as_slice() {
        [id] => ReplyOutcome::Accepted {
            // One call per request: the call id is the post's only one (filled in by submit).
            ids: vec![(String::new(), (*id).to_owned())],
        },
        [] => ReplyOutcome::Rejected(Rejection {
            code: "no-reqid".into(),
            code_name: "reply",
            message: match plain_text(&text, 300) {
                t if t.is_empty() => "the gateway answered with an empty page (no [ReqId=…])".into(),
                t => format!("the gateway did not schedule the call: {t}"),
            },
            refusal: false,
            help: Some("check the request with `outdial compile` and the gateway's log; nothing was scheduled".into()),
        }),
        _ => ReplyOutcome::Unreadable(format!(
            "the gateway's reply names {} different reqIds",
            ids.len()
        )),
    }
}

/// `text` without HTML tags, whitespace collapsed, at most `max` characters.
pub fn plain_text(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut space = false;
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                space = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() => space = true,
            c => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "…";
    }
    out
}

/// One attempt record of a status reply: ten fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// `made`, `failed`, `retry`, `pending`.
    pub status: String,
    /// When this attempt was made, `YYYY-MM-DD HH:MM` (the gateway's local time).
    pub time: String,
    /// The reason text (`Call succeeded`, `No answer. Try in 1 minute`).
    pub reason: String,
    /// The responses field, split: IVR element name and the caller's answer.
    pub responses: Vec<(String, String)>,
}

/// Reads a status reply: `Ok(None)` for no such record; a record without a finished
/// attempt (`[]`) is pending. Only the **last** attempt counts: earlier ones are retries.
pub fn read_status(body: &[u8]) -> Result<Option<Status>, ReplyOutcome> {
    let text = String::from_utf8_lossy(body);
    if text.contains(NO_SUCH_RECORD) {
        return Ok(None);
    }
    let attempts = attempts(&text).map_err(ReplyOutcome::Unreadable)?;
    let status = match attempts.last() {
        None => Status {
            result: CallResult {
                status: "pending".into(),
                ..CallResult::default()
            },
            responses: Vec::new(),
            attempts: Some(0),
        },
        Some(last) => Status {
            result: CallResult {
                status: last.status.clone(),
                comment: last.reason.clone(),
                dateandtime: last.time.clone(),
                ..CallResult::default()
            },
            responses: last.responses.clone(),
            attempts: Some(u32::try_from(attempts.len()).unwrap_or(u32::MAX)),
        },
    };
    Ok(Some(status))
}

/// Every attempt record of a status reply, in order.
pub fn attempts(text: &str) -> Result<Vec<Attempt>, String> {
    let unreadable = || format!("unreadable status reply: {}", plain_text(text, 200));
    let (Some(open), Some(close)) = (text.find('['), text.rfind(']')) else {
        return Err(unreadable());
    };
    if close < open {
        return Err(unreadable());
    }
    let inner = text[open + 1..close].trim();
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let mut fields: Vec<&str> = inner.split('^').collect();
    // Every field ends with `^`, so the piece after the last one is empty.
    if fields.last().is_some_and(|f| f.trim().is_empty()) {
        fields.pop();
    }
    if fields.is_empty() || !fields.len().is_multiple_of(10) {
        return Err(format!(
            "status reply has {} fields, not a multiple of ten: {}",
            fields.len(),
            plain_text(text, 200)
        ));
    }
    Ok(fields
        .chunks(10)
        .map(|f| Attempt {
            status: f[2].trim().to_owned(),
            time: gateway_time(f[3].trim()),
            reason: f[5].trim().to_owned(),
            responses: responses(f[8]),
        })
        .collect())
}

/// `2008 3 17 12 24` (Java `Calendar` fields, month counted from 0) as `2008-04-17 12:24`;
/// anything else as written.
fn gateway_time(text: &str) -> String {
    let parts: Vec<u32> = text
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, mo, d, h, mi] if text.split_whitespace().count() == 5 && *mo < 12 => {
            format!("{y:04}-{:02}-{d:02} {h:02}:{mi:02}", mo + 1)
        }
        _ => text.to_owned(),
    }
}

/// `name=value|name=value`; an item without `=` is a bare answer, named `response`.
fn responses(field: &str) -> Vec<(String, String)> {
    field
        .split('|')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
            None => ("response".to_owned(), item.to_owned()),
        })
        .collect()
}

/// Reads a removal reply: `[removed]` → removed; no such record → `false`.
pub fn read_removal(body: &[u8]) -> Result<bool, ReplyOutcome> {
    let text = String::from_utf8_lossy(body);
    if text.contains("[removed]") {
        Ok(true)
    } else if text.contains(NO_SUCH_RECORD) {
        Ok(false)
    } else {
        Err(ReplyOutcome::Unreadable(format!(
            "unreadable removal reply: {}",
            plain_text(&text, 200)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The replies below are the ones quoted in the research note (§1.3–1.5), captured from a
    // real gateway.
    const ONE_ATTEMPT: &str = "[0^null^made^2008 3 17 12 24^2008 3 17 12 24^Call succeeded^^^^^\n]";
    const MACHINE: &str =
        "[0^null^made^2008 3 17 12 24^2008 3 17 12 24^Message left on answering machine^^^^^\n]";
    const RETRIES_THEN_MADE: &str = "[0^null^retry^2008 3 17 12 20^2008 3 17 12 20^No answer. Try in 1 minute ^^^^^0^null^retry^2008 3 17 12 22^2008 3 17 12 20^^^^^^0^null^made^2008 3 17 12 24^2008 3 17 12 20^Call succeeded^^^^^\n]";

    fn status(body: &str) -> Status {
        read_status(body.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn the_documented_reqid_reply_is_accepted() {
        let reply =
            "Your call is scheduled for Mon Apr 21 11:51:18 BST 2008. [ReqId=1208775078314]";
        assert_eq!(
            read_call_reply(reply.as_bytes()),
            ReplyOutcome::Accepted {
                ids: vec![(String::new(), "1208775078314".into())]
            }
        );
        let html = "<html><body><p>Scheduled</p>[ReqId=42]\n<p>[ReqId=42]</p></body></html>";
        assert!(
            matches!(read_call_reply(html.as_bytes()), ReplyOutcome::Accepted { ids } if ids[0].1 == "42")
        );
    }

    #[test]
    fn a_page_without_reqid_is_a_rejection_with_its_text() {
        let page = "<html><body><h1>Error</h1>\n<p>Missing   phoneno</p></body></html>";
        let ReplyOutcome::Rejected(r) = read_call_reply(page.as_bytes()) else {
            panic!("expected a rejection");
        };
        assert_eq!(r.code, "no-reqid");
        assert!(
            r.message.ends_with("Error Missing phoneno"),
            "{}",
            r.message
        );
        assert!(!r.refusal);
    }

    #[test]
    fn a_garbled_or_double_reqid_is_unreadable_not_rejected() {
        for page in [
            "[ReqId=]",
            "[ReqId=12a]",
            "[ReqId=123",
            "[ReqId=1] [ReqId=2]",
        ] {
            assert!(
                matches!(
                    read_call_reply(page.as_bytes()),
                    ReplyOutcome::Unreadable(_)
                ),
                "{page}"
            );
        }
    }

    #[test]
    fn one_attempt_made() {
        let s = status(ONE_ATTEMPT);
        assert_eq!(s.result.status, "made");
        assert_eq!(s.result.comment, "Call succeeded");
        assert_eq!(s.result.dateandtime, "2008-04-17 12:24");
        assert!(s.responses.is_empty());
        assert_eq!(s.attempts, Some(1));
    }

    #[test]
    fn answering_machine_is_made_with_its_reason() {
        let s = status(MACHINE);
        assert_eq!(s.result.status, "made");
        assert_eq!(s.result.comment, "Message left on answering machine");
    }

    #[test]
    fn only_the_last_of_several_attempts_counts() {
        let all = attempts(RETRIES_THEN_MADE).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].status, "retry");
        assert_eq!(all[0].reason, "No answer. Try in 1 minute");
        let s = status(RETRIES_THEN_MADE);
        assert_eq!(s.result.status, "made");
        assert_eq!(s.result.comment, "Call succeeded");
        assert_eq!(s.result.dateandtime, "2008-04-17 12:24");
        assert_eq!(s.attempts, Some(3), "every record is an attempt");
        // The vendor's substring check would find `^retry^` first; ours reads the last record.
        let retry_last = "[0^null^made^2008 3 17 12 24^2008 3 17 12 24^Call succeeded^^^a=1^^0^null^retry^2008 3 17 12 25^2008 3 17 12 24^Line Busy^^^^^\n]";
        let s = status(retry_last);
        assert_eq!(s.result.status, "retry");
        assert_eq!(s.result.comment, "Line Busy");
        assert!(
            s.responses.is_empty(),
            "responses of an earlier attempt do not count"
        );
    }

    #[test]
    fn failed_attempt() {
        let s = status("[0^null^failed^2008 3 17 12 24^2008 3 17 12 24^Line Busy^^^^^\n]");
        assert_eq!(s.result.status, "failed");
        assert_eq!(s.result.comment, "Line Busy");
    }

    #[test]
    fn empty_record_is_pending_and_unknown_id_is_not_found() {
        assert_eq!(status("[]").result.status, "pending");
        assert_eq!(status("[]").attempts, Some(0));
        assert_eq!(status("<html>\n[\n]\n</html>").result.status, "pending");
        assert_eq!(
            read_status(b"ERROR: no such call record: 1208775078314").unwrap(),
            None
        );
    }

    #[test]
    fn ivr_responses_are_read_from_the_ninth_field() {
        let s = status(
            "[0^null^made^2026 11 1 9 0^2026 11 1 9 0^Call succeeded^^^confirm=1| reason = late |7^^\n]",
        );
        assert_eq!(
            s.responses,
            vec![
                ("confirm".into(), "1".into()),
                ("reason".into(), "late".into()),
                ("response".into(), "7".into())
            ]
        );
        assert_eq!(s.result.dateandtime, "2026-12-01 09:00");
    }

    #[test]
    fn malformed_status_is_unreadable() {
        for body in ["", "garbage", "[0^null^made^]", "]["] {
            assert!(read_status(body.as_bytes()).is_err(), "{body:?}");
        }
    }

    #[test]
    fn removal_replies() {
        assert_eq!(read_removal(b"[removed]"), Ok(true));
        assert_eq!(read_removal(b"ERROR: no such call record: 5"), Ok(false));
        assert!(read_removal(b"<html>oops</html>").is_err());
    }
}
