//! Reading the gateway's replies: the `[ReqId=…]` page of a call request, status records,
//! removals.

use super::vocabulary;
use crate::provider::{CallResult, Rejection, ReplyOutcome, Status};

/// What the gateway says when it has no record of a reqId (removed, self-deleted, never
/// made).
pub const NO_SUCH_RECORD: &str = "no such call record";

/// The longest reqId accepted (real ones are 13-digit epoch milliseconds).
const MAX_REQID: usize = 40;

/// Reads the reply to a call request.
///
/// The reqId is read leniently where it is unambiguous (see [`vocabulary::REQID_FORMS`]):
/// one id, however often repeated, is the call taken. Only a page with a recognised refusal
/// ([`vocabulary::REFUSALS`]) is a rejection. Every other page — no id, an empty body, a
/// marker without a number, two different ids — leaves the call in doubt: the gateway may
/// have scheduled it, so it is never posted again on a guess.
pub fn read_call_reply(body: &[u8]) -> ReplyOutcome {
    let text = String::from_utf8_lossy(body);
    let ids = match reqids(&text) {
        Ok(ids) => ids,
        Err(why) => return ReplyOutcome::Unreadable(why),
    };
    match ids.as_slice() {
        [id] => ReplyOutcome::Accepted {
            // One call per request: the call id is the post's only one (filled in by submit).
            ids: vec![(String::new(), id.clone())],
        },
        [] => without_reqid(&text),
        _ => ReplyOutcome::Unreadable(format!(
            "the gateway's reply names {} different reqIds",
            ids.len()
        )),
    }
}

/// A page that names no reqId: a recognised refusal, or in doubt.
fn without_reqid(text: &str) -> ReplyOutcome {
    let page = plain_text(text, 300);
    if let Some(phrase) = vocabulary::refusal_in(&page) {
        return ReplyOutcome::Rejected(Rejection {
            code: "refused".into(),
            code_name: "reply",
            message: format!("the gateway refused the call request ({phrase})"),
            refusal: false,
            help: Some(
                "check the request with `outdial compile` and the gateway's log; nothing was scheduled"
                    .into(),
            ),
            provider_message: Some(page.into()),
        });
    }
    ReplyOutcome::Unreadable(if page.is_empty() {
        "the gateway answered with an empty page: no reqId, so whether it scheduled the call is unknown".into()
    } else if page.to_ascii_lowercase().contains("scheduled") {
        format!("the gateway's page says the call is scheduled but names no reqId: {page}")
    } else {
        format!("the gateway's page names no reqId and is not a refusal outdial knows: {page}")
    })
}

/// Every distinct reqId the page names, in order: the word `reqid` in any case (not inside
/// another word), `=` or `:`, then digits, in brackets or not. A marker whose value is not a
/// number, or a `[` left open, is an error (the page may still mean the call was taken).
fn reqids(text: &str) -> Result<Vec<String>, String> {
    const WORD: &str = "reqid";
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut ids: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(WORD) {
        let at = from + found;
        from = at + WORD.len();
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let bracketed = at > 0 && bytes[at - 1] == b'[';
        let mut i = skip_spaces(bytes, from);
        if !matches!(bytes.get(i), Some(b'=' | b':')) {
            // The word alone (`reqid` in a sentence or a form field name) names nothing.
            continue;
        }
        i = skip_spaces(bytes, i + 1);
        let quoted = matches!(bytes.get(i), Some(b'"' | b'\''));
        i += usize::from(quoted);
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let id = &text[start..i];
        i += usize::from(quoted && matches!(bytes.get(i), Some(b'"' | b'\'')));
        let next = bytes.get(i).copied();
        let garbled = id.is_empty()
            || id.len() > MAX_REQID
            || next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if garbled {
            let shown: String = text[at..].chars().take(40).collect();
            return Err(format!(
                "the gateway's reply has a reqId that is not a number: {}",
                plain_text(&shown, 60)
            ));
        }
        if bracketed && bytes.get(skip_spaces(bytes, i)) != Some(&b']') {
            return Err(format!(
                "the gateway's reply has an unterminated [ReqId=: {}",
                plain_text(text, 200)
            ));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
        from = i;
    }
    Ok(ids)
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    i
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
    fn only_a_recognised_refusal_is_a_rejection() {
        let page = "<html><body><h1>Error</h1>\n<p>Invalid call request:   phoneno missing</p></body></html>";
        let ReplyOutcome::Rejected(r) = read_call_reply(page.as_bytes()) else {
            panic!("expected a rejection");
        };
        assert_eq!(r.code, "refused");
        assert_eq!(
            r.provider_message.as_deref(),
            Some("Error Invalid call request: phoneno missing")
        );
        assert!(r.message.contains("refused"), "{}", r.message);
        assert!(!r.refusal);
    }

    #[test]
    fn a_page_without_a_readable_reqid_is_in_doubt_never_a_rejection() {
        for page in [
            "Your call is scheduled for Mon Apr 21 11:51:18 BST 2008.",
            "<html><body><h1>Call Scheduler</h1><p>Error</p></body></html>",
            "Ihr Anruf ist geplant für Mo 21 Apr 11:51:18 MESZ 2008.",
            "",
            "   \n",
            "<html></html>",
            "ReqId",
            "reqid is a number",
        ] {
            let outcome = read_call_reply(page.as_bytes());
            assert!(
                matches!(outcome, ReplyOutcome::Unreadable(_)),
                "{page:?}: {outcome:?}"
            );
        }
        let ReplyOutcome::Unreadable(why) =
            read_call_reply(b"Your call is scheduled for Mon Apr 21 11:51:18 BST 2008.")
        else {
            unreachable!()
        };
        assert!(why.contains("scheduled but names no reqId"), "{why}");
        let ReplyOutcome::Unreadable(why) = read_call_reply(b"") else {
            unreachable!()
        };
        assert!(why.contains("empty page"), "{why}");
    }

    #[test]
    fn the_reqid_is_read_in_any_case_with_or_without_brackets() {
        for page in [
            "Your call is scheduled. [reqid=1208775078314]",
            "Your call is scheduled. [REQID = 1208775078314 ]",
            "Your call is scheduled. ReqId=1208775078314",
            "Ihr Anruf ist geplant. ReqId: 1208775078314.",
            "<a href=\"callstatusHandler.jsp?reqid=1208775078314\">[ReqId=1208775078314]</a>",
            "<input name=reqid value=x> ReqId=\"1208775078314\"",
        ] {
            assert_eq!(
                read_call_reply(page.as_bytes()),
                ReplyOutcome::Accepted {
                    ids: vec![(String::new(), "1208775078314".into())]
                },
                "{page}"
            );
        }
        // Inside another word it names nothing.
        assert!(matches!(
            read_call_reply(b"myreqid=5 and nothing else"),
            ReplyOutcome::Unreadable(_)
        ));
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
