//! VoiceShot IVR API (`/ivrapi.asp`): the `<campaign>` XML of every outbound action, the
//! error table, reply parsing, its date format, and a local stand-in ([`sandbox`]).
//!
//! Documents are written with quick-xml's writer, which escapes every attribute; nothing here
//! builds XML by string concatenation (the official SDKs do, and break on `&` in a sentence).

pub mod dates;
pub mod errorid;
pub mod events;
pub(crate) mod facts;
pub(crate) mod inbound;
mod model;
pub mod render;
pub mod reply;
pub(crate) mod rules;
pub mod sandbox;
pub(crate) mod section;
pub(crate) mod settings;
pub mod summary;
pub mod vocabulary;

use std::io::Write;

use jiff::tz::TimeZone;

pub use facts::CALLS_ABROAD;
pub use model::{DEFAULT_ENDPOINT, DEFAULT_FALLBACK, VoiceShot};
pub use section::Section;
pub use settings::DEFAULT_BATCH_SIZE;

use super::name::ProviderName;
use super::{
    CallResult, Credentials, EncodeError, Limits, Lookup, LookupReply, Provider, Reach,
    ReplyOutcome, RequestHead,
};
use crate::campaign::validated::Campaign;
use crate::plan::{Action, Post};

impl Provider for VoiceShot {
    fn name(&self) -> ProviderName {
        ProviderName::Voiceshot
    }

    fn limits(&self) -> Limits {
        Limits {
            batch_size: self.batch_size.max(1),
        }
    }

    fn supports(&self, _action: Action) -> bool {
        // Every action outdial has was modelled on VoiceShot's.
        true
    }

    fn endpoints(&self) -> Vec<String> {
        vec![self.endpoint.clone(), self.fallback_endpoint.clone()]
    }

    fn results_note(&self) -> Option<&'static str> {
        // The Call Summary URL lives in VoiceShot's designer, out of outdial's sight: without
        // summary_url nothing says anyone listens there, but the Call Query still answers.
        self.summary_url.is_none().then_some(
            "VoiceShot posts Call Summaries to the URL set in its web designer, which this campaign does not name ([voiceshot] summary_url): results come only from `outdial query` until `outdial listen` receives them there",
        )
    }

    fn nothing_stored_why(&self) -> Option<(String, String)> {
        let (why, help) = match &self.summary_url {
            Some(url) => (
                format!(
                    "no result of this campaign is stored: no Call Summary has reached `outdial listen` at {url}, and no `outdial query` has been run"
                ),
                format!(
                    "run `outdial query FILE` to ask VoiceShot now; check that the designer's Call Summary URL is {url} and that `outdial listen` runs there"
                ),
            ),
            None => (
                "no result of this campaign is stored: it names no summary_url where `outdial listen` receives VoiceShot's Call Summaries, and no `outdial query` has been run".to_owned(),
                "run `outdial query FILE` to ask VoiceShot; or set the Call Summary URL in VoiceShot's designer, run `outdial listen` there, and name it as summary_url in [voiceshot]".to_owned(),
            ),
        };
        Some((why, help))
    }

    fn credential_problem(&self, _user: bool, value: &str) -> Option<String> {
        // Credentials are attributes of the XML root: XML 1.0 has no way to write U+FFFE or
        // U+FFFF, and a parser turns a line break or tab in an attribute into a space.
        if let Some(c) = value.chars().find(|&c| c == '\u{FFFE}' || c == '\u{FFFF}') {
            return Some(format!("a noncharacter (U+{:04X})", u32::from(c)));
        }
        super::control_character(value)
    }

    fn extension(&self) -> &'static str {
        "xml"
    }

    fn encode(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        if matches!(post.body, crate::plan::PostBody::Upload(_)) {
            // Streamed: a large WAV never sits in memory as base64.
            return render::write_post_as(self, campaign, post, credentials, out);
        }
        // Rendered into a buffer of a known type first: quick-xml makes many small writes
        // per number, and each one through `dyn Write` is a call the compiler cannot inline
        // (measured: 5% of a 100k-row plan); one copy of the finished post costs less.
        let per_number = 96 + 192 * campaign.prompts.len();
        let mut buf = Vec::with_capacity(256 + post.body.recipients().len() * per_number);
        render::write_post_as(self, campaign, post, credentials, &mut buf)?;
        out.write_all(&buf)?;
        Ok(())
    }

    fn encode_into(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        _now: jiff::Timestamp,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        // Straight into the caller's vector: `encode` renders into a buffer of its own and
        // copies it out, a second pass over every post (callgrind, compile of 100k rows:
        // 26M of 1,230M instructions were that copy).
        render::write_post_as(self, campaign, post, credentials, out)
    }

    fn head(&self, _credentials: Option<&Credentials>) -> RequestHead {
        // Credentials travel as root attributes of the document, not as a header.
        RequestHead {
            content_type: "text/xml",
            headers: Vec::new(),
        }
    }

    fn read_reply(&self, body: &[u8]) -> ReplyOutcome {
        match reply::parse_command_reply(body) {
            Ok(r) if r.errorid == 0 => ReplyOutcome::Accepted { ids: Vec::new() },
            // Only a documented errorid is a refusal: another code may not mean that nothing
            // was taken, so the post stays in doubt.
            Ok(r) if errorid::describe(r.errorid).is_none() => ReplyOutcome::Unreadable(format!(
                "VoiceShot answered errorid {}, which it does not document: {}",
                r.errorid,
                r.comment.trim()
            )),
            Ok(r) => ReplyOutcome::Rejected(errorid::rejection(r.errorid, &r.comment)),
            Err(e) => ReplyOutcome::Unreadable(format!("unreadable reply: {e}")),
        }
    }

    fn lookup(&self) -> Lookup {
        Lookup::ByCallId {
            batch: self.batch_size.max(1),
        }
    }

    fn removal(&self) -> crate::provider::CallRemoval {
        // Action 2 deletes calls not yet dialling by call id; its reply says only that the
        // post was read, so a Call Query afterwards tells which calls went.
        crate::provider::CallRemoval::ByCallId {
            batch: self.batch_size.max(1),
        }
    }

    fn read_lookup(&self, body: &[u8]) -> LookupReply {
        let parsed = reply::parse_query_reply(body)
            .map_err(|e| ReplyOutcome::Unreadable(format!("unreadable query reply: {e}")))?;
        match parsed.errorid {
            Some(e) if e != 0 => Err(ReplyOutcome::Rejected(errorid::rejection(
                e,
                parsed.comment.as_deref().unwrap_or(""),
            ))),
            _ => Ok(parsed.calls),
        }
    }

    fn results_key(&self) -> Option<&str> {
        // Summaries and Call Events name the campaign by its menuid.
        Some(&self.menuid)
    }

    fn reach(&self, result: &CallResult) -> Reach {
        vocabulary::status_reach(&result.status)
    }

    fn answered_by(&self, comment: &str) -> Option<&'static str> {
        // VoiceShot's results say who answered in the comment (`Human Answer`, `Answering
        // Machine`; the API documents `Machine Answer` too).
        match comment.trim().to_ascii_lowercase().as_str() {
            "human answer" => Some("human"),
            "answering machine" | "machine answer" => Some("machine"),
            _ => None,
        }
    }

    fn result_time(&self, text: &str) -> Option<jiff::civil::DateTime> {
        dates::parse_result(text)
    }

    fn result_zone(&self) -> Option<TimeZone> {
        self.account_zone.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{CredentialError, credentials_from};

    fn voiceshot() -> VoiceShot {
        VoiceShot {
            menuid: "1-1".into(),
            callerid: None,
            batch_size: 500,
            max_upload_bytes: crate::audio::DEFAULT_MAX_BYTES,
            account_zone: None,
            endpoint: DEFAULT_ENDPOINT.into(),
            fallback_endpoint: DEFAULT_FALLBACK.into(),
            summary_url: None,
        }
    }

    #[test]
    fn without_summary_url_results_come_only_from_query_and_report_says_so() {
        let without = voiceshot();
        let note = without.results_note().expect("a note without summary_url");
        assert!(note.contains("summary_url"), "{note}");
        assert!(note.contains("outdial query"), "{note}");
        let (why, help) = without.nothing_stored_why().unwrap();
        assert!(why.contains("no summary_url"), "{why}");
        assert!(help.contains("outdial query"), "{help}");
        let with = VoiceShot {
            summary_url: Some("https://hooks.example/outdial".into()),
            ..voiceshot()
        };
        assert_eq!(with.results_note(), None);
        let (why, help) = with.nothing_stored_why().unwrap();
        assert!(why.contains("https://hooks.example/outdial"), "{why}");
        assert!(help.contains("outdial listen"), "{help}");
    }

    #[test]
    fn credentials_xml_cannot_carry_are_refused_by_code_point() {
        let provider = voiceshot();
        for (password, what) in [
            ("pa\u{FFFF}ss", "a noncharacter (U+FFFF)"),
            ("pa\tss", "a control character (U+0009)"),
            ("pa\u{7}ss", "a control character (U+0007)"),
        ] {
            let err = credentials_from(&provider, |var| {
                Some(
                    if var == "VOICESHOT_USERNAME" {
                        "ann"
                    } else {
                        password
                    }
                    .to_owned(),
                )
            })
            .unwrap_err();
            assert!(matches!(
                err,
                CredentialError::Unusable {
                    var: "VOICESHOT_PASSWORD",
                    ..
                }
            ));
            let message = err.to_string();
            assert_eq!(
                message,
                format!("VOICESHOT_PASSWORD holds {what}, which VoiceShot cannot take")
            );
        }
        // A colon, quotes and non-ASCII letters are fine in an XML attribute.
        let ok = credentials_from(&provider, |_| Some("a:b\"<é>".to_owned())).unwrap();
        assert_eq!(ok.unwrap().password, "a:b\"<é>");
    }

    #[test]
    fn a_refusal_keeps_voiceshots_words_and_an_undocumented_code_is_in_doubt() {
        let v = voiceshot();
        let ReplyOutcome::Rejected(r) = v.read_reply(
            br#"<campaign errorid="19" comment="Invalid MenuID 1-999 (campaign deleted 12/1)"/>"#,
        ) else {
            panic!("a documented errorid is a refusal");
        };
        assert_eq!(r.code, "19");
        assert!(r.message.contains("menuid is invalid"), "{}", r.message);
        assert_eq!(
            r.provider_message.as_deref(),
            Some("Invalid MenuID 1-999 (campaign deleted 12/1)")
        );
        for body in [
            &br#"<campaign errorid="22" comment="Rate limited"/>"#[..],
            br#"<campaign errorid="9999" comment=""/>"#,
        ] {
            assert!(
                matches!(v.read_reply(body), ReplyOutcome::Unreadable(_)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
