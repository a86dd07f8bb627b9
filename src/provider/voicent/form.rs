//! Call requests as form bodies: exactly the bytes the gateway receives.
//!
//! Encoded by `form_urlencoded` (UTF-8, `application/x-www-form-urlencoded` as the WHATWG URL
//! standard defines it), never by string concatenation: one vendor SDK sends `txt` without
//! encoding, and a sentence with `&` then loses its tail.

use std::io::Write;

use jiff::{SignedDuration, Timestamp};

use super::model::{PROBE_REQID, Play, Voicent};
use crate::campaign::model::{PromptContent, Recipient};
use crate::campaign::validated::Campaign;
use crate::plan::{Post, PostBody};
use crate::provider::EncodeError;

/// Writes `post` as sent at `now`.
pub fn write_post(
    v: &Voicent,
    campaign: &Campaign,
    post: &Post<'_>,
    now: Timestamp,
    out: &mut dyn Write,
) -> Result<(), EncodeError> {
    let body = match &post.body {
        PostBody::Calls(recipients) => match (&v.play, recipients.as_slice()) {
            (Play::Exec { .. }, [first, ..]) => exec_form(v, campaign, first, now),
            (_, [r]) => call_form(v, campaign, r, now)?,
            _ => {
                return Err(EncodeError::Unsupported(format!(
                    "the Voicent Gateway takes one call per request, not {}",
                    recipients.len()
                )));
            }
        },
        PostBody::Ping => form_urlencoded::Serializer::new(String::new())
            .append_pair("reqid", PROBE_REQID)
            .finish(),
        PostBody::Query(_) | PostBody::DeleteCalls(_) => {
            return Err(EncodeError::Unsupported(
                "the Voicent Gateway names calls by the reqId it gave each one, which only `send` learns: `outdial query` and `outdial delete` read them from the journal".into(),
            ));
        }
        other => {
            return Err(EncodeError::Unsupported(format!(
                "the Voicent Gateway has no request for {}",
                other.kind()
            )));
        }
    };
    out.write_all(body.as_bytes())?;
    Ok(())
}

/// Whole minutes from `now` until `at`, rounded up so that a call never starts before the
/// time asked for (a calling window stays respected); `None` when `at` is not in the future.
pub fn calltime(at: Timestamp, now: Timestamp) -> Option<i64> {
    let wait: SignedDuration = at.duration_since(now);
    let secs = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
    (secs > 0).then(|| (secs + 59) / 60)
}

/// A gateway path: `dir` joined with `name` by the separator `dir` already uses.
pub fn gateway_path(dir: &str, name: &str) -> String {
    let sep = if dir.contains('\\') && !dir.contains('/') {
        '\\'
    } else {
        '/'
    };
    let dir = dir.trim_end_matches(['/', '\\']);
    format!("{dir}{sep}{name}")
}

/// The one request of a campaign whose calls a program on the gateway host makes
/// (callTillConfirm): the fields in the order the vendor's SDK writes them, then the
/// optional ones. `first` is the campaign's first recipient, for `info` and the schedule.
fn exec_form(v: &Voicent, campaign: &Campaign, first: &Recipient, now: Timestamp) -> String {
    let Play::Exec {
        program,
        cmdline,
        phoneno,
    } = &v.play
    else {
        return String::new();
    };
    let minutes = first
        .at
        .as_ref()
        .and_then(|at| calltime(at.timestamp(), now));
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("info", &v.info_for(campaign, first));
    form.append_pair("phoneno", phoneno);
    let firstocc = i64::from(v.firstocc) + minutes.unwrap_or(0);
    form.append_pair("firstocc", &firstocc.to_string());
    form.append_pair("selfdelete", if v.selfdelete { "1" } else { "0" });
    form.append_pair("startexec", program);
    form.append_pair("cmdline", cmdline);
    if let Some(id) = &v.callerid {
        form.append_pair("callerid", id);
    }
    if let Some(m) = minutes {
        form.append_pair("schedule", "t");
        form.append_pair("calltime", &m.to_string());
    }
    form.finish()
}

fn call_form(
    v: &Voicent,
    campaign: &Campaign,
    r: &Recipient,
    now: Timestamp,
) -> Result<String, EncodeError> {
    let minutes = r.at.as_ref().and_then(|at| calltime(at.timestamp(), now));
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("info", &v.info_for(campaign, r));
    form.append_pair("phoneno", &format!("{}{}", v.dial_prefix, r.number));
    // `firstocc` counts from the request, like `calltime`: a scheduled call keeps its whole
    // window after the scheduled minute.
    let firstocc = i64::from(v.firstocc) + minutes.unwrap_or(0);
    form.append_pair("firstocc", &firstocc.to_string());
    match &v.play {
        Play::Prompt { audio_dir } => append_prompt(&mut form, campaign, r, audio_dir.as_deref())?,
        Play::Ivr(app) => {
            form.append_pair("startapp", app);
        }
        Play::Vxml {
            start: (key, value),
            exit,
            fields,
        } => {
            form.append_pair(key, value);
            if let Some((key, value)) = exit {
                form.append_pair(key, value);
            }
            // The application's own fields, named as its vars are (never a name the gateway
            // reads itself: the check refuses those).
            for name in fields {
                let value = campaign
                    .var(r, name)
                    .ok_or_else(|| EncodeError::MissingVar(name.clone(), r.callid.clone()))?;
                form.append_pair(name, value);
            }
        }
        Play::Exec { .. } => {
            // Written by `exec_form` (one request for the campaign).
            return Err(EncodeError::Unsupported(
                "a program the gateway runs is started once for the campaign".into(),
            ));
        }
    }
    form.append_pair("selfdelete", if v.selfdelete { "1" } else { "0" });
    if let Some(id) = &v.callerid {
        form.append_pair("callerid", id);
    }
    if let Some(m) = minutes {
        form.append_pair("schedule", "t");
        form.append_pair("calltime", &m.to_string());
    }
    Ok(form.finish())
}

/// The campaign's one prompt as `txt` (its text for `r`) or `audiofile` (a path in
/// `audio_dir` on the gateway host).
fn append_prompt(
    form: &mut form_urlencoded::Serializer<'_, String>,
    campaign: &Campaign,
    r: &Recipient,
    audio_dir: Option<&str>,
) -> Result<(), EncodeError> {
    let prompt = campaign
        .prompts
        .first()
        .ok_or_else(|| EncodeError::Unsupported("the campaign has no prompt to play".into()))?;
    match &prompt.content {
        PromptContent::Tts(template) => {
            let text = template
                .render(|name| campaign.var(r, name))
                .map_err(|name| EncodeError::MissingVar(name.to_owned(), r.callid.clone()))?;
            // Line breaks and tabs become spaces, as for every provider.
            let text = text.replace(['\r', '\n', '\t'], " ");
            form.append_pair("txt", &text);
        }
        PromptContent::Audio(index) => {
            let name = &campaign.sounds[*index].name;
            form.append_pair("audiofile", &gateway_path(audio_dir.unwrap_or(""), name));
        }
        PromptContent::Sound(name) => {
            form.append_pair("audiofile", &gateway_path(audio_dir.unwrap_or(""), name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn calltime_rounds_up_and_is_absent_for_now_or_past() {
        let now = ts("2026-12-01T14:00:00Z");
        assert_eq!(calltime(ts("2026-12-01T15:00:00Z"), now), Some(60));
        assert_eq!(calltime(ts("2026-12-01T14:00:01Z"), now), Some(1));
        assert_eq!(calltime(ts("2026-12-01T14:01:30Z"), now), Some(2));
        assert_eq!(calltime(now, now), None);
        assert_eq!(calltime(ts("2026-12-01T13:00:00Z"), now), None);
    }

    #[test]
    fn gateway_paths_keep_the_hosts_separator() {
        assert_eq!(
            gateway_path("C:\\Voicent\\audio\\", "a.wav"),
            "C:\\Voicent\\audio\\a.wav"
        );
        assert_eq!(gateway_path("/srv/audio", "a.wav"), "/srv/audio/a.wav");
        assert_eq!(gateway_path("C:/audio/", "a.wav"), "C:/audio/a.wav");
    }
}
