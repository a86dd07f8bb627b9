//! The callback voip-communications.net posts to a call's `callback_url` when the call ends.
//!
//! The vendor says only that it carries the answer status (Person/Machine) and the billed
//! seconds; the field names are not published. outdial takes this shape (and its sandbox
//! posts exactly it), as a form (`application/x-www-form-urlencoded`) or the same fields as
//! a JSON object: `callid` (the provider's id from the make-calls reply), `to`, `status`
//! (`Person`, `Machine`, `NoAnswer`, `Busy`, `Failed`), `billed_seconds`, and optionally
//! `outdial_callid` (outdial's own call id). `send` adds that one to each call's callback URL
//! as a query parameter ([`OUR_CALLID`]), so it also arrives in the URL of the post.

use crate::results::Outcome;

/// The name of the field, and of the callback URL's query parameter, that carries outdial's
/// own call id.
pub const OUR_CALLID: &str = "outdial_callid";

/// One callback.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Callback {
    /// The provider's call id (the make-calls reply's `data.callid`).
    pub callid: String,
    /// outdial's own call id, when the callback carries it.
    pub outdial_callid: Option<String>,
    /// The number called.
    pub to: String,
    /// The answer status, verbatim.
    pub status: String,
    /// Seconds billed.
    pub billed_seconds: Option<u32>,
}

/// Why a body is not a callback.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallbackError {
    /// Neither a form nor a JSON object.
    #[error("callback body is not {0}")]
    Shape(&'static str),
    /// A field a callback cannot do without.
    #[error("callback has no {0} field")]
    Missing(&'static str),
    /// `billed_seconds` is not a number of seconds.
    #[error("billed_seconds {0:?} is not a whole number of seconds")]
    Seconds(String),
}

/// How a body of this content type (lower case, without parameters) is read: `Some(true)`
/// JSON, `Some(false)` a form (also when no type is given), `None` neither.
pub(crate) fn is_json(ctype: Option<&str>) -> Option<bool> {
    match ctype {
        None | Some("application/x-www-form-urlencoded") => Some(false),
        Some("application/json") => Some(true),
        Some(_) => None,
    }
}

/// Parses a callback: a form body, or with `json` the same fields as a JSON object (numbers
/// may be strings or numbers).
pub fn parse_callback(body: &[u8], json: bool) -> Result<Callback, CallbackError> {
    let fields: Vec<(String, String)> = if json {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| CallbackError::Shape("a JSON object"))?;
        let object = value
            .as_object()
            .ok_or(CallbackError::Shape("a JSON object"))?;
        object
            .iter()
            .filter_map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((k.clone(), text))
            })
            .collect()
    } else {
        if std::str::from_utf8(body).is_err() {
            return Err(CallbackError::Shape("a UTF-8 form"));
        }
        form_urlencoded::parse(body).into_owned().collect()
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let billed_seconds = match get("billed_seconds") {
        None => None,
        Some(s) => Some(s.parse().map_err(|_| CallbackError::Seconds(s))?),
    };
    Ok(Callback {
        callid: get("callid").ok_or(CallbackError::Missing("callid"))?,
        outdial_callid: get(OUR_CALLID),
        to: get("to").unwrap_or_default(),
        status: get("status").ok_or(CallbackError::Missing("status"))?,
        billed_seconds,
    })
}

/// outdial's call id as a callback URL's query string carries it.
pub fn our_callid_in(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == OUR_CALLID)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// What a callback's status means, with the reason (when not reached) and who answered.
///
/// The callback is posted once the call process has finished, so nothing is pending: a
/// Person or a Machine answering is reached (the `answer_`/`answermachine_` options played),
/// anything else is the call ending unanswered, in the provider's word.
pub fn outcome(status: &str) -> (Outcome, Option<String>, Option<&'static str>) {
    match status.trim().to_ascii_lowercase().as_str() {
        "person" | "human" => (Outcome::Reached, None, Some("human")),
        "machine" => (Outcome::Reached, None, Some("machine")),
        _ => (Outcome::NotReached, Some(status.trim().to_owned()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_json_read_alike() {
        let want = Callback {
            callid: "4812659e8ee".into(),
            outdial_callid: None,
            to: "18185550100".into(),
            status: "Person".into(),
            billed_seconds: Some(12),
        };
        assert_eq!(
            parse_callback(
                b"callid=4812659e8ee&to=18185550100&status=Person&billed_seconds=12",
                false
            )
            .unwrap(),
            want
        );
        assert_eq!(
            parse_callback(
                br#"{"callid":"4812659e8ee","to":"18185550100","status":"Person","billed_seconds":12}"#,
                true
            )
            .unwrap(),
            want
        );
    }

    #[test]
    fn broken_callbacks_are_errors() {
        for (body, json) in [
            (&b"to=1&status=Person"[..], false),
            (b"callid=a", false),
            (b"callid=a&status=Busy&billed_seconds=x", false),
            (b"[1]", true),
            (b"{", true),
            (b"\xff", false),
        ] {
            assert!(parse_callback(body, json).is_err(), "{body:?}");
        }
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(
            outcome("Machine"),
            (Outcome::Reached, None, Some("machine"))
        );
        assert_eq!(
            outcome("NoAnswer"),
            (Outcome::NotReached, Some("NoAnswer".into()), None)
        );
    }
}
