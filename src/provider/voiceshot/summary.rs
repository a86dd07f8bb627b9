//! Call Summaries (§7): the XML VoiceShot posts to the Call Summary URL when a call ends,
//! read into provider-neutral results; and written, for the sandbox that posts them.

use base64::Engine;
use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

use super::reply::{Element, ReplyError, parse_element_tree};
use crate::outcome::Outcome;

/// One Call Summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The VoiceShot campaign (`account-campaign`).
    pub menuid: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number called (`phonenumber`; an inbound summary's `callerid`).
    pub number: String,
    /// VoiceShot's status word (`Successful`, `Unsuccessful` …), verbatim.
    pub status: String,
    /// The detail (`Human Answer`, `Answering Machine`, `No Answer`, `Busy` …).
    pub comment: String,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// When the call took place, as VoiceShot wrote it.
    pub dateandtime: Option<String>,
    /// `(promptid, keys)` per prompt reached, in document order.
    pub keypresses: Vec<(u32, String)>,
    /// Voicemail recordings, each inside the prompt that recorded it.
    pub recordings: Vec<Recording>,
}

/// A voicemail recording carried inside a summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The prompt that recorded it.
    pub prompt: u32,
    /// The name VoiceShot gave it: untrusted, never used as a path as it is.
    pub filename: String,
    /// The WAV bytes, decoded from base64.
    pub wav: Vec<u8>,
}

/// Why a body is not a Call Summary.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SummaryError {
    /// Not well-formed XML, or not shaped as a summary.
    #[error(transparent)]
    Xml(#[from] ReplyError),
    /// An attribute a summary cannot do without.
    #[error("summary has no {0} attribute")]
    Missing(&'static str),
    /// A recording whose content is not base64.
    #[error("recording {0:?} is not base64")]
    Base64(String),
}

/// Parses a Call Summary: `<campaign menuid callid phonenumber status comment duration
/// dateandtime><prompts><prompt promptid keypress>[<file filename>base64</file>]…`.
pub fn parse_summary(body: &[u8]) -> Result<Summary, SummaryError> {
    let root = parse_element_tree(body)?;
    if root.name != "campaign" {
        return Err(ReplyError::UnexpectedRoot(root.name).into());
    }
    let text = |name: &str| root.attr(name).map(|v| v.trim().to_owned());
    let required = |name: &'static str| {
        text(name)
            .filter(|v| !v.is_empty())
            .ok_or(SummaryError::Missing(name))
    };
    let mut summary = Summary {
        menuid: required("menuid")?,
        callid: required("callid")?,
        number: text("phonenumber")
            .or_else(|| text("callerid"))
            .unwrap_or_default(),
        status: text("status").unwrap_or_default(),
        comment: text("comment").unwrap_or_default(),
        duration: root.u32_attr("duration")?,
        dateandtime: text("dateandtime").filter(|v| !v.is_empty()),
        ..Summary::default()
    };
    for prompt in root
        .children_named("prompts")
        .flat_map(|p| p.children_named("prompt"))
    {
        let promptid = promptid(prompt)?;
        summary.keypresses.push((
            promptid,
            prompt.attr("keypress").unwrap_or_default().to_owned(),
        ));
        for file in prompt.children_named("file") {
            // The doc names it `filename`; the SDKs also read `fileid` and `name`.
            let filename = ["filename", "fileid", "name"]
                .iter()
                .find_map(|a| file.attr(a))
                .unwrap_or_default()
                .to_owned();
            // The doc's example wraps base64 lines and has stray spaces.
            let packed: String = file.text.split_ascii_whitespace().collect();
            let wav = base64::engine::general_purpose::STANDARD
                .decode(packed.as_bytes())
                .map_err(|_| SummaryError::Base64(filename.clone()))?;
            summary.recordings.push(Recording {
                prompt: promptid,
                filename,
                wav,
            });
        }
    }
    Ok(summary)
}

fn promptid(prompt: &Element) -> Result<u32, ReplyError> {
    prompt
        .u32_attr("promptid")?
        .ok_or_else(|| ReplyError::BadAttribute {
            name: "promptid".into(),
            value: String::new(),
        })
}

/// Whether a post with this content type (lower case, without parameters) can be a summary
/// or an event. VoiceShot posts XML but does not document the type it sends, so an XML type,
/// none, or what HTTP clients put on a raw string by default (`text/plain`, a form) is taken,
/// and anything else (JSON, multipart, binary) is not.
pub(crate) fn takes_content_type(ctype: Option<&str>) -> bool {
    matches!(
        ctype,
        None | Some(
            "text/xml" | "application/xml" | "text/plain" | "application/x-www-form-urlencoded"
        )
    )
}

/// What a summary's status means, with the reason (when not reached) and who answered.
///
/// A summary is posted on hang-up or after the last attempt (§7), so `Successful` means the
/// call connected and played (reached; `comment` says a person or a machine), and
/// `Unsuccessful` (or `Failed`) is the provider giving up (not reached, `comment` says why).
/// An empty or queue-like status (as in Call Query replies) means VoiceShot still holds the
/// call. Any other word is unknown, kept verbatim: never read as not reached.
pub fn outcome(status: &str, comment: &str) -> (Outcome, Option<String>, Option<&'static str>) {
    let answered_by = match comment.trim().to_ascii_lowercase().as_str() {
        "human answer" => Some("human"),
        "answering machine" => Some("machine"),
        _ => None,
    };
    match status.trim().to_ascii_lowercase().as_str() {
        "successful" | "success" => (Outcome::Reached, None, answered_by),
        "" | "pending" | "paused" | "queued" | "scheduled" => (Outcome::Pending, None, None),
        "unsuccessful" | "failed" | "failure" => {
            let reason = if comment.trim().is_empty() {
                status.trim()
            } else {
                comment.trim()
            };
            (Outcome::NotReached, Some(reason.to_owned()), None)
        }
        // A word outdial does not know: kept verbatim, never read as not reached.
        _ => (Outcome::Unknown, Some(status.trim().to_owned()), None),
    }
}

/// Writes a summary as VoiceShot posts it (recordings are not written: the sandbox records
/// none).
pub fn render_summary(summary: &Summary) -> String {
    let mut w = Writer::new(Vec::new());
    let mut root = BytesStart::new("campaign");
    root.push_attribute(("menuid", summary.menuid.as_str()));
    if let Some(d) = summary.duration {
        root.push_attribute(("duration", d.to_string().as_str()));
    }
    root.push_attribute(("phonenumber", summary.number.as_str()));
    root.push_attribute(("status", summary.status.as_str()));
    root.push_attribute(("comment", summary.comment.as_str()));
    root.push_attribute(("callid", summary.callid.as_str()));
    if let Some(at) = &summary.dateandtime {
        root.push_attribute(("dateandtime", at.as_str()));
    }
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Start(root.borrow()));
    let _ = w.write_event(Event::Start(BytesStart::new("prompts")));
    for (promptid, keys) in &summary.keypresses {
        let mut p = BytesStart::new("prompt");
        p.push_attribute(("promptid", promptid.to_string().as_str()));
        p.push_attribute(("keypress", keys.as_str()));
        let _ = w.write_event(Event::Empty(p));
    }
    let _ = w.write_event(Event::End(BytesStart::new("prompts").to_end()));
    let _ = w.write_event(Event::End(root.to_end()));
    let mut out = String::from("<?xml version=\"1.0\"?>");
    out.push_str(&String::from_utf8_lossy(&w.into_inner()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_outbound_example() {
        let s = parse_summary(
            br##"<?xml version="1.0"?>
<campaign menuid="1-1234" duration="14" phonenumber="8182238964" status="Successful"
          comment="Human Answer" callid="123" dateandtime="5/20/2004 10:50:50 PM">
  <prompts>
    <prompt promptid="1" keypress=""></prompt>
    <prompt promptid="3" keypress="#"></prompt>
  </prompts>
</campaign>"##,
        )
        .unwrap();
        assert_eq!(s.menuid, "1-1234");
        assert_eq!(s.callid, "123");
        assert_eq!(s.number, "8182238964");
        assert_eq!(s.duration, Some(14));
        assert_eq!(s.dateandtime.as_deref(), Some("5/20/2004 10:50:50 PM"));
        assert_eq!(s.keypresses, vec![(1, String::new()), (3, "#".into())]);
        assert_eq!(
            outcome(&s.status, &s.comment),
            (Outcome::Reached, None, Some("human"))
        );
    }

    #[test]
    fn a_recording_is_decoded_even_when_wrapped() {
        let s = parse_summary(
            b"<campaign menuid=\"1-1\" callid=\"a\" phonenumber=\"1\" status=\"Successful\"><prompts><prompt promptid=\"4\" keypress=\"\"><file filename=\"../../etc/vm.wav\">UklG\n Rg==</file></prompt></prompts></campaign>",
        )
        .unwrap();
        assert_eq!(
            s.recordings,
            vec![Recording {
                prompt: 4,
                filename: "../../etc/vm.wav".into(),
                wav: b"RIFF".to_vec()
            }]
        );
        let bad = parse_summary(
            b"<campaign menuid=\"1-1\" callid=\"a\"><prompts><prompt promptid=\"4\"><file filename=\"v.wav\">!!!</file></prompt></prompts></campaign>",
        );
        assert_eq!(bad, Err(SummaryError::Base64("v.wav".into())));
    }

    #[test]
    fn broken_or_incomplete_summaries_are_errors() {
        for body in [
            &b""[..],
            b"<campaign menuid=\"1-1\" callid=\"a\">",
            b"<prompt menuid=\"1-1\" callid=\"a\"/>",
            b"<campaign callid=\"a\"/>",
            b"<campaign menuid=\"1-1\"/>",
            b"<campaign menuid=\"1-1\" callid=\"a\" duration=\"x\"/>",
            b"<campaign menuid=\"1-1\" callid=\"a\"><prompts><prompt keypress=\"1\"/></prompts></campaign>",
            b"\xff\xfe",
        ] {
            assert!(parse_summary(body).is_err(), "{body:?}");
        }
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(
            outcome("Unsuccessful", "Busy"),
            (Outcome::NotReached, Some("Busy".into()), None)
        );
        assert_eq!(
            outcome("Successful", "Answering Machine"),
            (Outcome::Reached, None, Some("machine"))
        );
        assert_eq!(outcome("", ""), (Outcome::Pending, None, None));
        assert_eq!(
            outcome("Failed", ""),
            (Outcome::NotReached, Some("Failed".into()), None)
        );
        // A word VoiceShot never documented is unknown, never not reached.
        assert_eq!(
            outcome("Retry ", "No Answer"),
            (Outcome::Unknown, Some("Retry".into()), None)
        );
    }

    proptest::proptest! {
        #[test]
        fn no_body_makes_a_reader_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_summary(&body);
            let _ = crate::provider::voiceshot::events::parse_event(&body);
            for ctype in [None, Some("application/json"), Some("text/plain"), Some("multipart/form-data; boundary=b")] {
                let _ = crate::provider::voipcomm::callback::parse_callback(&body, ctype);
            }
        }

        #[test]
        fn no_summary_like_text_makes_a_reader_panic(
            text in r#"<(campaign|prompt)( [a-z]{1,9}="[^"<]{0,12}"){0,6}>(<prompts>(<prompt( [a-z]{1,9}="[^"<]{0,8}"){0,3}>(<file filename="[^"]{0,8}">[A-Za-z0-9+/= ]{0,16}</file>)?</prompt>){0,3}</prompts>)?</(campaign|prompt)>"#
        ) {
            let _ = parse_summary(text.as_bytes());
            let _ = crate::provider::voiceshot::events::parse_event(text.as_bytes());
        }
    }

    #[test]
    fn a_rendered_summary_parses_back() {
        let s = Summary {
            menuid: "1-1234".into(),
            callid: "c&1".into(),
            number: "2025550143".into(),
            status: "Successful".into(),
            comment: "Human \"Answer\"".into(),
            duration: Some(31),
            dateandtime: Some("12/1/2026 1:02:03 AM".into()),
            keypresses: vec![(1, "#".into()), (2, String::new())],
            recordings: Vec::new(),
        };
        assert_eq!(parse_summary(render_summary(&s).as_bytes()).unwrap(), s);
    }
}
