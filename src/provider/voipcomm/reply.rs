//! Reading make-calls replies: `{"data": {…, "code": 200, "code_desc": "", "callid": "…"}}`.
//!
//! The rule is the one a careful client of a paid API needs: a call counts as placed only on
//! HTTP 200 whose JSON says code 200 and carries a callid; a documented refusal (400 invalid
//! request, 401 invalid credentials) means nothing was taken; anything else after the body
//! left (another status, a body that is not this JSON) leaves the call in doubt.

use serde::Deserialize;

use crate::provider::{Rejection, ReplyOutcome, ScheduledCall};

/// Statuses the provider documents as refusals: 400 (invalid request) and 401 (invalid API
/// credentials). 402 (insufficient funds) is documented for its TTS API, which shares the
/// account and the host; taken here as a refusal too.
pub const ANSWER_STATUSES: &[u16] = &[400, 401, 402];

#[derive(Deserialize)]
struct Envelope {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    code_desc: Option<String>,
    #[serde(default)]
    callid: Option<String>,
}

/// The code as a number, whether the JSON writes it as `200` or `"200"`.
fn code_of(data: &Data) -> Option<u16> {
    match data.code.as_ref()? {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads a reply with HTTP `status` (2xx or one of [`ANSWER_STATUSES`]).
pub fn read(status: u16, body: &[u8]) -> ReplyOutcome {
    let parsed: Option<Envelope> = serde_json::from_slice(body).ok();
    let data = parsed.as_ref().map(|e| &e.data);
    let desc = data
        .and_then(|d| d.code_desc.clone())
        .filter(|d| !d.trim().is_empty());
    match status {
        400 => rejected(
            "400",
            "the request was refused as invalid",
            desc,
            body,
            false,
            None,
        ),
        401 => rejected(
            "401",
            "invalid API credentials",
            desc,
            body,
            true,
            Some(format!(
                "check {} and {} (the API key and password of your voip-communications.net account)",
                super::facts::CREDENTIAL_VARS.0,
                super::facts::CREDENTIAL_VARS.1
            )),
        ),
        402 => rejected(
            "402",
            "insufficient funds",
            desc,
            body,
            true,
            Some(
                "add funds to the voip-communications.net account, then run the command again"
                    .into(),
            ),
        ),
        200..=299 => {
            let Some(data) = data else {
                return ReplyOutcome::Unreadable(format!(
                    "the reply is not the make-calls JSON: {}",
                    snippet(body)
                ));
            };
            match code_of(data) {
                Some(200) => match data.callid.as_deref().map(str::trim) {
                    Some(id) if !id.is_empty() => ReplyOutcome::Accepted {
                        ids: vec![(String::new(), id.to_string())],
                    },
                    _ => ReplyOutcome::Unreadable(
                        "the reply says code 200 but carries no callid".into(),
                    ),
                },
                // The body itself says the request was refused.
                Some(code @ 400..=402) => read(code, body),
                Some(other) => ReplyOutcome::Unreadable(format!(
                    "the reply carries code {other}{}",
                    desc.map(|d| format!(": {d}")).unwrap_or_default()
                )),
                None => ReplyOutcome::Unreadable("the reply carries no code".into()),
            }
        }
        other => ReplyOutcome::Unreadable(format!("HTTP {other}: {}", snippet(body))),
    }
}

/// A documented refusal: outdial's explanation of `code`, and the provider's own words
/// (its `code_desc`, else the start of the body).
fn rejected(
    code: &str,
    message: &str,
    desc: Option<String>,
    body: &[u8],
    refusal: bool,
    help: Option<String>,
) -> ReplyOutcome {
    let said = desc.or_else(|| (!body.trim_ascii().is_empty()).then(|| snippet(body)));
    ReplyOutcome::Rejected(Rejection {
        code: code.into(),
        code_name: "HTTP",
        message: message.into(),
        refusal,
        help,
        provider_message: said.map(Into::into),
    })
}

/// The start of a body, for messages.
/// Reads the reply to a scheduled-call delete. Its shape is not published: outdial assumes
/// the make-calls envelope (as its stand-in answers), `data.code` 200 when the call was
/// removed and 400 when no scheduled call has that callid (made already, or never taken).
pub fn read_removal(body: &[u8]) -> Result<bool, ReplyOutcome> {
    let parsed: Option<Envelope> = serde_json::from_slice(body).ok();
    match parsed.as_ref().and_then(|e| code_of(&e.data)) {
        Some(200) => Ok(true),
        Some(400) => Ok(false),
        Some(code @ (401 | 402)) => Err(read(code, body)),
        _ => Err(ReplyOutcome::Unreadable(format!(
            "the reply to a delete is not the expected JSON: {}",
            snippet(body)
        ))),
    }
}

/// Reads the scheduled-calls list. Its shape is not published: outdial reads the array at
/// JSON pointer `array` (`scheduled_list_array`, default `/data`: the make-calls envelope, as
/// its stand-in answers) as `{callid, to, call_date}` entries.
pub fn read_list(body: &[u8], array: &str) -> Result<Vec<ScheduledCall>, ReplyOutcome> {
    #[derive(Deserialize)]
    struct Entry {
        callid: String,
        to: String,
        #[serde(default)]
        call_date: Option<String>,
    }
    let unreadable = || {
        ReplyOutcome::Unreadable(format!(
            "the scheduled-calls list is not the expected JSON (an array of callid, to, call_date at \"{array}\"): {}",
            snippet(body)
        ))
    };
    let mut reply: serde_json::Value = serde_json::from_slice(body).map_err(|_| unreadable())?;
    let list = reply.pointer_mut(array).map(serde_json::Value::take);
    let entries: Vec<Entry> = list
        .and_then(|l| serde_json::from_value(l).ok())
        .ok_or_else(unreadable)?;
    Ok(entries
        .into_iter()
        .map(|e| ScheduledCall {
            to: e.to,
            when: e.call_date.unwrap_or_default(),
            id: e.callid,
        })
        .collect())
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".into()
    } else {
        text.replace(['\r', '\n'], " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_replies_say_removed_gone_or_unreadable() {
        assert_eq!(
            read_removal(br#"{"data":{"code":200,"code_desc":"","callid":"c1"}}"#),
            Ok(true)
        );
        assert_eq!(
            read_removal(br#"{"data":{"code":"400","code_desc":"no scheduled call"}}"#),
            Ok(false)
        );
        assert!(matches!(
            read_removal(br#"{"data":{"code":401}}"#),
            Err(ReplyOutcome::Rejected(_))
        ));
        assert!(matches!(
            read_removal(b"<html>busy</html>"),
            Err(ReplyOutcome::Unreadable(_))
        ));
    }

    #[test]
    fn the_list_is_read_where_its_setting_points() {
        let enveloped =
            br#"{"data":[{"callid":"c1","to":"18185550100","call_date":"2026-12-01 09:00:00"}]}"#;
        let calls = read_list(enveloped, "/data").unwrap();
        assert_eq!(
            (
                calls[0].id.as_str(),
                calls[0].to.as_str(),
                calls[0].when.as_str()
            ),
            ("c1", "18185550100", "2026-12-01 09:00:00")
        );
        let nested = br#"{"result":{"calls":[{"callid":"c2","to":"1"}]}}"#;
        assert_eq!(read_list(nested, "/result/calls").unwrap()[0].id, "c2");
        let bare = br#"[{"callid":"c3","to":"1"}]"#;
        assert_eq!(read_list(bare, "").unwrap()[0].id, "c3");
        // Elsewhere than the setting says, or not this JSON: unreadable, never "no calls".
        for (body, array) in [
            (&nested[..], "/data"),
            (&enveloped[..], "/result/calls"),
            (b"{\"data\":{}}", "/data"),
            (b"<html/>", "/data"),
        ] {
            let Err(ReplyOutcome::Unreadable(why)) = read_list(body, array) else {
                panic!("{} at {array} was read", String::from_utf8_lossy(body))
            };
            assert!(why.contains(array), "{why}");
        }
    }

    #[test]
    fn accepted_only_with_code_200_and_a_callid() {
        let ok = br#"{"data":{"to":"18185550100","code":200,"code_desc":"","callid":"4812659e8ee99a8167613597768"}}"#;
        assert_eq!(
            read(200, ok),
            ReplyOutcome::Accepted {
                ids: vec![(String::new(), "4812659e8ee99a8167613597768".into())]
            }
        );
        let as_text = br#"{"data":{"code":"200","callid":"x1"}}"#;
        assert!(matches!(read(200, as_text), ReplyOutcome::Accepted { .. }));
        for unsure in [
            &br#"{"data":{"code":200,"callid":""}}"#[..],
            br#"{"data":{"code":200}}"#,
            br#"{"data":{"code":500,"code_desc":"oops"}}"#,
            br#"{"data":{}}"#,
            b"<html>OK</html>",
            b"",
        ] {
            assert!(
                matches!(read(200, unsure), ReplyOutcome::Unreadable(_)),
                "{}",
                String::from_utf8_lossy(unsure)
            );
        }
    }

    #[test]
    fn documented_refusals_are_rejections() {
        let bad = br#"{"data":{"code":400,"code_desc":"answer_speak_lang is required"}}"#;
        let ReplyOutcome::Rejected(r) = read(400, bad) else {
            panic!("400 is a rejection")
        };
        assert_eq!(
            (r.code.as_str(), r.message.as_str(), r.refusal),
            ("400", "the request was refused as invalid", false)
        );
        // The provider's words are kept verbatim beside outdial's.
        assert_eq!(
            r.provider_message.as_deref(),
            Some("answer_speak_lang is required")
        );
        let ReplyOutcome::Rejected(r) = read(401, b"Unauthorized") else {
            panic!("401 is a refusal")
        };
        assert!(r.refusal);
        assert_eq!(r.provider_message.as_deref(), Some("Unauthorized"));
        let ReplyOutcome::Rejected(r) = read(402, b"") else {
            panic!("402 is a refusal")
        };
        assert_eq!(r.provider_message, None, "an empty body said nothing");
        assert!(r.help.unwrap().contains("add funds"));
        // A 200 whose JSON says 400 is the same refusal.
        let ReplyOutcome::Rejected(r) = read(200, bad) else {
            panic!("code 400 in a 200 is a rejection")
        };
        assert!(!r.refusal);
        assert!(matches!(read(500, b"oops"), ReplyOutcome::Unreadable(_)));
    }
}
