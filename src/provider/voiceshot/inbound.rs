//! What VoiceShot posts back, declared for `listen`: the Call Summary and Call Event routes
//! and their readers (the XML is read in `summary.rs` and `events.rs`).

use super::events::{CallEvent, parse_event, render_command};
use super::summary::{outcome, parse_summary, takes_content_type};
use crate::outcome::Source;
use crate::provider::inbound::{CallName, Command, Reading, Received, Route, Said, Unreadable};
use crate::provider::name::ProviderName;

/// Where VoiceShot posts Call Summaries (the path is stored with each post: never changed).
pub(crate) const SUMMARY: Route = Route {
    path: "/voiceshot/summary",
    provider: ProviderName::Voiceshot,
    source: Source::Summary,
    keep_body: false,
    read: read_summary,
};

/// Where VoiceShot posts Call Events (the path is stored with each post: never changed).
pub(crate) const EVENTS: Route = Route {
    path: "/voiceshot/events",
    provider: ProviderName::Voiceshot,
    source: Source::Event,
    keep_body: false,
    read: read_event,
};

/// A Call Summary post, read for `listen`: matched by menuid, call id and number.
fn read_summary(post: &Received<'_>) -> Result<Reading, Unreadable> {
    check_content_type(post.ctype)?;
    let s = parse_summary(post.body).map_err(|e| Unreadable::Malformed(e.to_string()))?;
    let (outcome, reason, answered_by) = outcome(&s.status, &s.comment);
    // The Test button on VoiceShot's summary settings posts callid 0.
    let test = s.callid == "0" && s.comment.trim().eq_ignore_ascii_case("test");
    Ok(Reading {
        call: CallName::Keyed {
            key_name: "menuid",
            key: s.menuid,
            callid: s.callid,
            number: s.number,
        },
        said: Some(Said {
            status: s.status,
            outcome,
            reason,
            duration: s.duration,
            answered_by,
            called_at: s.dateandtime,
        }),
        keypresses: s.keypresses,
        recordings: s.recordings,
        command: None,
        unmatched_why: test.then(|| "VoiceShot's Test post".to_owned()),
    })
}

/// Refuses a post whose content type [`takes_content_type`] does not take (parameters and
/// case aside).
fn check_content_type(ctype: Option<&str>) -> Result<(), Unreadable> {
    let media = ctype.map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    if takes_content_type(media.as_deref()) {
        Ok(())
    } else {
        Err(Unreadable::MediaType(format!(
            "content type {}: post XML",
            ctype.unwrap_or_default()
        )))
    }
}

/// A Call Event post, read for `listen`: matched by menuid and call id (an event names no
/// number); a keypress may be answered with a Call Command.
fn read_event(post: &Received<'_>) -> Result<Reading, Unreadable> {
    check_content_type(post.ctype)?;
    let event = parse_event(post.body).map_err(|e| Unreadable::Malformed(e.to_string()))?;
    let call = CallName::Keyed {
        key_name: "menuid",
        key: event.menuid().to_owned(),
        callid: event.callid().to_owned(),
        number: String::new(),
    };
    Ok(match event {
        CallEvent::Keypress { prompt, keys, .. } => Reading {
            call,
            keypresses: vec![(prompt, keys.clone())],
            command: Some(Command {
                prompt,
                keys,
                render: render_command,
                content_type: "text/xml",
            }),
            ..Reading::default()
        },
        // Answer and hang-up (inbound campaigns) carry nothing the store keeps.
        CallEvent::Call { .. } => Reading {
            call,
            ..Reading::default()
        },
    })
}
