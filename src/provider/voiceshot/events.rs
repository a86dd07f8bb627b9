//! Call Events (§8): what VoiceShot posts during a call, and the Call Command a rule of the
//! campaign file answers a keypress with.

use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

use super::reply::{ReplyError, parse_element_tree};
use super::summary::SummaryError;
use crate::campaign::model::KeypressRule;

/// One Call Event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallEvent {
    /// `<prompt menuid callid promptid keypress/>`: keys pressed at a prompt (the only event
    /// of outbound campaigns).
    Keypress {
        /// The VoiceShot campaign.
        menuid: String,
        /// The call id.
        callid: String,
        /// The prompt.
        prompt: u32,
        /// The keys, as VoiceShot wrote them.
        keys: String,
    },
    /// `<campaign action="4"|"5" …/>`: an inbound call was answered or hung up.
    Call {
        /// The VoiceShot campaign.
        menuid: String,
        /// The call id.
        callid: String,
        /// 4 answer, 5 hang-up.
        action: u32,
    },
}

impl CallEvent {
    /// The VoiceShot campaign the event is for.
    pub fn menuid(&self) -> &str {
        match self {
            CallEvent::Keypress { menuid, .. } | CallEvent::Call { menuid, .. } => menuid,
        }
    }

    /// The call id the event is for.
    pub fn callid(&self) -> &str {
        match self {
            CallEvent::Keypress { callid, .. } | CallEvent::Call { callid, .. } => callid,
        }
    }
}

/// Parses a Call Event; the root element tells the kind apart (`prompt`: keypress;
/// `campaign`: answer or hang-up, by `action`).
pub fn parse_event(body: &[u8]) -> Result<CallEvent, SummaryError> {
    let root = parse_element_tree(body)?;
    let text = |name: &'static str| {
        root.attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(SummaryError::Missing(name))
    };
    match root.name.as_str() {
        "prompt" => Ok(CallEvent::Keypress {
            menuid: text("menuid")?,
            callid: text("callid")?,
            prompt: root
                .u32_attr("promptid")?
                .ok_or(SummaryError::Missing("promptid"))?,
            keys: root.attr("keypress").unwrap_or_default().to_owned(),
        }),
        "campaign" => Ok(CallEvent::Call {
            menuid: text("menuid")?,
            callid: text("callid")?,
            action: root
                .u32_attr("action")?
                .filter(|a| matches!(a, 4 | 5))
                .ok_or(SummaryError::Missing("action (4 or 5)"))?,
        }),
        other => Err(ReplyError::UnexpectedRoot(other.to_owned()).into()),
    }
}

/// The Call Command for a rule: one `<prompt …/>` with the rule's attributes, escaped by the
/// writer.
pub fn render_command(rule: &KeypressRule) -> String {
    let mut tag = BytesStart::new("prompt");
    let goto = rule.goto.map(|g| g.to_string());
    let attrs = [
        ("goto", goto.as_deref()),
        ("filename", rule.filename.as_deref()),
        ("tts", rule.tts.as_deref()),
        ("transferto", rule.transferto.as_deref()),
        ("callerid", rule.callerid.as_deref()),
        ("dtmf", rule.dtmf.as_deref()),
    ];
    for (name, value) in attrs {
        if let Some(value) = value {
            tag.push_attribute((name, value));
        }
    }
    let mut w = Writer::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_event(Event::Empty(tag));
    String::from_utf8_lossy(&w.into_inner()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_documented_events() {
        assert_eq!(
            parse_event(br#"<prompt menuid="1-1234" callid="77" promptid="2" keypress="1"/>"#)
                .unwrap(),
            CallEvent::Keypress {
                menuid: "1-1234".into(),
                callid: "77".into(),
                prompt: 2,
                keys: "1".into()
            }
        );
        assert_eq!(
            parse_event(br#"<campaign menuid="1-1234" callid="77" action="5" duration="9"/>"#)
                .unwrap(),
            CallEvent::Call {
                menuid: "1-1234".into(),
                callid: "77".into(),
                action: 5
            }
        );
        for bad in [
            &br#"<campaign menuid="1-1234" callid="77" action="3"/>"#[..],
            br#"<prompt menuid="1-1234" promptid="2"/>"#,
            br#"<file/>"#,
            b"<prompt",
        ] {
            assert!(parse_event(bad).is_err(), "{bad:?}");
        }
    }
}
