//! The callback voip-communications.net posts to a call's `callback_url` when the call ends.
//!
//! The vendor says only that it is a POST carrying "the answer status (Person/Machine) and
//! the seconds billed" (seed 004); the field names, the body's encoding and the other words
//! are not published. So this reader takes the shapes and synonyms a careful reader would
//! expect, listed with where each comes from in `callback-vocabulary.md` beside this file,
//! and reads any word it does not know as *unknown*, never as not reached: the raw body is
//! kept beside the row. `send` puts outdial's own call id in each call's callback URL
//! ([`OUR_CALLID`]), so the call is found even when the body names none.

use crate::multipart;
use crate::outcome::Outcome;

/// The name of the field, and of the callback URL's query parameter, that carries outdial's
/// own call id.
pub const OUR_CALLID: &str = "outdial_callid";

/// Fields that name the provider's call id.
const CALLID: &[&str] = &["callid", "call_id"];
/// Fields that name the number called.
const TO: &[&str] = &["to", "number"];
/// Fields that say how the call was answered, in the order they are shown.
const STATUS: &[&str] = &["status", "answer_status", "answered_by"];
/// Fields that carry the seconds billed.
const SECONDS: &[&str] = &["billed_seconds", "billsec", "duration"];

/// One callback, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// The provider's call id (the make-calls reply's `data.callid`), when the body has it.
    pub callid: Option<String>,
    /// outdial's own call id, when the body carries it.
    pub outdial_callid: Option<String>,
    /// The number called ('' when the body does not say).
    pub to: String,
    /// The status fields' values, verbatim, joined by " / " ('' for none).
    pub status: String,
    /// What they mean.
    pub outcome: Outcome,
    /// Why not reached, or the words outdial did not recognise.
    pub reason: Option<String>,
    /// `human` or `machine`, when a field says.
    pub answered_by: Option<&'static str>,
    /// Seconds billed, when a field carries a number of them.
    pub billed_seconds: Option<u32>,
}

/// Why a body is not a callback.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallbackError {
    /// Not in a shape this reader takes.
    #[error("callback body is not {0}")]
    Shape(&'static str),
    /// A content type this reader does not take.
    #[error("content type {0}: post a form, JSON, multipart/form-data or text/plain key=value")]
    Type(String),
}

/// The fields of a body of content type `ctype` (the whole header, parameters included):
/// a form (also when no type is given), JSON, multipart/form-data, or text/plain lines of
/// `key=value`. Names are lower-cased.
fn fields(body: &[u8], ctype: Option<&str>) -> Result<Vec<(String, String)>, CallbackError> {
    let media = ctype
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let fields = match media.as_deref() {
        None | Some("application/x-www-form-urlencoded") => form(body)?,
        Some(m) if m == "application/json" || m.ends_with("+json") => json(body)?,
        Some("multipart/form-data") => {
            let boundary = ctype
                .and_then(multipart::boundary)
                .ok_or(CallbackError::Shape("multipart/form-data with a boundary"))?;
            multipart::fields(body, &boundary)
                .ok_or(CallbackError::Shape("well-formed multipart/form-data"))?
        }
        Some("text/plain") => text(body)?,
        Some(other) => return Err(CallbackError::Type(other.to_owned())),
    };
    Ok(fields
        .into_iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v))
        .collect())
}

fn utf8(body: &[u8]) -> Result<&str, CallbackError> {
    std::str::from_utf8(body).map_err(|_| CallbackError::Shape("UTF-8 text"))
}

fn form(body: &[u8]) -> Result<Vec<(String, String)>, CallbackError> {
    utf8(body)?;
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

fn text(body: &[u8]) -> Result<Vec<(String, String)>, CallbackError> {
    Ok(utf8(body)?
        .split(['\n', '&'])
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_end_matches('\r').to_owned()))
        .collect())
}

fn json(body: &[u8]) -> Result<Vec<(String, String)>, CallbackError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| CallbackError::Shape("a JSON object"))?;
    let object = value
        .as_object()
        .ok_or(CallbackError::Shape("a JSON object"))?;
    Ok(object
        .iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), text))
        })
        .collect())
}

/// Parses a callback of content type `ctype`. Only a body that cannot be read at all is an
/// error; missing or unknown fields make an *unknown* callback.
pub fn parse_callback(body: &[u8], ctype: Option<&str>) -> Result<Callback, CallbackError> {
    let fields = fields(body, ctype)?;
    let get = |names: &[&str]| {
        names.iter().find_map(|name| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    };
    let said: Vec<(&str, String)> = STATUS
        .iter()
        .filter_map(|name| get(&[name]).map(|v| (*name, v)))
        .collect();
    let (outcome, reason, answered_by) = outcome(&said);
    Ok(Callback {
        callid: get(CALLID),
        outdial_callid: get(&[OUR_CALLID]),
        to: get(TO).unwrap_or_default(),
        status: said
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" / "),
        outcome,
        reason,
        answered_by,
        billed_seconds: SECONDS
            .iter()
            .find_map(|name| get(&[name]).and_then(seconds)),
    })
}

/// A number of seconds: whole, or with a fraction (cut off).
fn seconds(text: String) -> Option<u32> {
    text.parse::<u32>().ok().or_else(|| {
        let f: f64 = text.parse().ok()?;
        (f.is_finite() && (0.0..4e9).contains(&f)).then_some(f as u32)
    })
}

/// What one status word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// Answered by `human` or `machine`.
    By(&'static str),
    /// Answered, by whom not said.
    Answered,
    /// Ended unanswered.
    NotReached,
    /// Not a word outdial knows.
    Unknown,
}

/// The vocabulary (callback-vocabulary.md): compared without case, spaces, `-` or `_`.
fn word(value: &str) -> Word {
    let folded: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    match folded.as_str() {
        "person" | "human" => Word::By("human"),
        "machine" | "answeringmachine" | "voicemail" => Word::By("machine"),
        "answered" => Word::Answered,
        "noanswer" | "busy" | "failed" => Word::NotReached,
        _ => Word::Unknown,
    }
}

/// What the status fields together mean, with the reason (not reached, or the words not
/// recognised) and who answered. Words outdial does not know beside a known one are left to
/// the raw body; known words that disagree (answered and busy) or none at all are unknown.
fn outcome(said: &[(&str, String)]) -> (Outcome, Option<String>, Option<&'static str>) {
    let words: Vec<(Word, &str)> = said.iter().map(|(_, v)| (word(v), v.as_str())).collect();
    let by = words.iter().find_map(|(w, _)| match w {
        Word::By(who) => Some(*who),
        _ => None,
    });
    let answered = by.is_some() || words.iter().any(|(w, _)| *w == Word::Answered);
    let not_reached = words.iter().find(|(w, _)| *w == Word::NotReached);
    let raw = || {
        let text = said
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        Some(if text.is_empty() {
            "no status field".to_owned()
        } else {
            text
        })
    };
    match (answered, not_reached) {
        (true, None) => (Outcome::Reached, None, by),
        (false, Some((_, w))) => (Outcome::NotReached, Some((*w).to_owned()), None),
        _ => (Outcome::Unknown, raw(), None),
    }
}

/// outdial's call id as a callback URL's query string carries it.
pub fn our_callid_in(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == OUR_CALLID)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    fn read(body: &str, ctype: Option<&str>) -> Callback {
        parse_callback(body.as_bytes(), ctype).unwrap()
    }

    #[test]
    fn every_shape_reads_alike() {
        let want = Callback {
            callid: Some("4812659e8ee".into()),
            outdial_callid: None,
            to: "18185550100".into(),
            status: "Person".into(),
            outcome: Outcome::Reached,
            reason: None,
            answered_by: Some("human"),
            billed_seconds: Some(12),
        };
        let form = "callid=4812659e8ee&to=18185550100&status=Person&billed_seconds=12";
        assert_eq!(read(form, FORM), want);
        assert_eq!(read(form, None), want);
        let json = r#"{"callid":"4812659e8ee","to":18185550100,"status":"Person","billed_seconds":12,"extra":{"a":1}}"#;
        assert_eq!(read(json, Some("application/json; charset=utf-8")), want);
        let text = "callid=4812659e8ee\r\nto=18185550100\r\nstatus=Person\r\nbilled_seconds=12\r\n";
        assert_eq!(read(text, Some("text/plain")), want);
        // PHP's curl with CURLOPT_POSTFIELDS => array(...).
        let multi = "--XyZ\r\nContent-Disposition: form-data; name=\"callid\"\r\n\r\n4812659e8ee\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n18185550100\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nPerson\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"billed_seconds\"\r\n\r\n12\r\n--XyZ--\r\n";
        assert_eq!(read(multi, Some("multipart/form-data; boundary=XyZ")), want);
    }

    #[test]
    fn synonyms_map_and_anything_else_is_unknown_never_not_reached() {
        let cases = [
            (
                "status=ANSWERED&answered_by=Person",
                Outcome::Reached,
                Some("human"),
            ),
            (
                "answer_status=Machine&billsec=3",
                Outcome::Reached,
                Some("machine"),
            ),
            ("status= human ", Outcome::Reached, Some("human")),
            ("status=ANSWERED", Outcome::Reached, None),
            ("status=No Answer", Outcome::NotReached, None),
            ("status=busy", Outcome::NotReached, None),
            ("status=completed", Outcome::Unknown, None),
            ("status=Busy&answered_by=Person", Outcome::Unknown, None),
            ("billed_seconds=4", Outcome::Unknown, None),
            ("", Outcome::Unknown, None),
        ];
        for (body, outcome, by) in cases {
            let cb = read(body, FORM);
            assert_eq!((cb.outcome, cb.answered_by), (outcome, by), "{body}");
            if outcome == Outcome::Unknown {
                assert!(cb.reason.is_some(), "{body}");
            }
        }
        assert_eq!(read("billsec=7", FORM).billed_seconds, Some(7));
        assert_eq!(read("duration=7.9", FORM).billed_seconds, Some(7));
        assert_eq!(read("billed_seconds=x", FORM).billed_seconds, None);
        assert_eq!(
            read("status=ANSWERED&answered_by=Person", FORM).status,
            "ANSWERED / Person"
        );
    }

    #[test]
    fn unreadable_bodies_are_errors() {
        for (body, ctype) in [
            (&b"[1]"[..], Some("application/json")),
            (b"{", Some("application/json")),
            (b"\xff", FORM),
            (b"a=1", Some("image/png")),
            (b"--x\r\n", Some("multipart/form-data")),
        ] {
            assert!(parse_callback(body, ctype).is_err(), "{body:?} {ctype:?}");
        }
    }
}
