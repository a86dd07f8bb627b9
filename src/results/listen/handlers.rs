//! What each route does with a post it let in: read it, find its call (the campaign, the
//! call id *and* the number), and file it, or keep it as unmatched.

use std::io::{Cursor, Write};
use std::time::Instant;

use axum::http::StatusCode;

use super::{App, ListenEvent, RECORDINGS, Refused, Route, refused};
use crate::audio;
use crate::provider::name::ProviderName;
use crate::provider::voiceshot::events::{self, CallEvent};
use crate::provider::voiceshot::summary;
use crate::provider::voipcomm::callback;
use crate::results::posts::{Post, Unmatched};
use crate::results::watch::{Miss, Watched};
use crate::results::{CallRecord, Keypress, Source};

/// A post let in, body read.
pub(super) struct Incoming<'a> {
    pub(super) route: Route,
    /// The Content-Type header, whole.
    pub(super) ctype: Option<&'a str>,
    /// The URL's query string.
    pub(super) query: Option<&'a str>,
    pub(super) body: &'a [u8],
}

/// What an accepted post is answered with (always 200).
pub(super) struct Accepted {
    filed: Filed,
    /// A Call Command document, or nothing.
    command: Option<String>,
}

enum Filed {
    Call {
        campaign: String,
        callid: String,
        fresh: bool,
        verdict: Option<&'static str>,
    },
    Unmatched {
        callid: String,
        why: String,
        /// `false`: kept before.
        fresh: bool,
    },
}

impl Accepted {
    fn unmatched(callid: &str, why: String, fresh: bool) -> Accepted {
        Accepted {
            filed: Filed::Unmatched {
                callid: callid.to_owned(),
                why,
                fresh,
            },
            command: None,
        }
    }

    /// Whether it was new (not a redelivery), and whether it was kept as unmatched.
    pub(super) fn counts(&self) -> (bool, bool) {
        match &self.filed {
            Filed::Call { fresh, .. } => (*fresh, false),
            Filed::Unmatched { fresh, .. } => (*fresh, true),
        }
    }

    /// The event to show, and the Call Command to reply with.
    pub(super) fn event(self, route: Route) -> (ListenEvent, Option<String>) {
        let route = route.path().to_owned();
        let command = self.command.is_some();
        let event = match self.filed {
            Filed::Call {
                campaign,
                callid,
                fresh,
                verdict,
            } => ListenEvent::Stored {
                route,
                campaign,
                callid,
                fresh,
                verdict,
                command,
            },
            Filed::Unmatched { callid, why, .. } => ListenEvent::Unmatched { route, callid, why },
        };
        (event, self.command)
    }
}

/// Where a post belongs: a call, or nowhere (and why).
type Found<'a> = Result<(&'a Watched, String), String>;

impl App {
    pub(super) fn accept(&self, post: &Incoming<'_>) -> Result<Accepted, Refused> {
        match post.route {
            Route::Summary | Route::Events => {
                let media = post.ctype.map(|c| {
                    c.split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                });
                if !summary::takes_content_type(media.as_deref()) {
                    return Err(refused(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        format!("content type {}: post XML", post.ctype.unwrap_or_default()),
                    ));
                }
                match post.route {
                    Route::Summary => self.summary(post),
                    _ => self.event(post),
                }
            }
            Route::Callback => self.callback(post),
        }
    }

    /// The VoiceShot campaign with `menuid` whose journal has `callid` with the number the
    /// post reported. Several campaign files may share one VoiceShot campaign (one send
    /// after another); their call ids differ, so the call id picks the campaign.
    fn voiceshot(&self, menuid: &str, callid: &str, reported: &str) -> Found<'_> {
        let mut with_menuid = self
            .campaigns
            .iter()
            .filter(|c| c.provider == ProviderName::Voiceshot && c.key.as_deref() == Some(menuid))
            .peekable();
        if with_menuid.peek().is_none() {
            return Err(format!(
                "menuid {menuid:?} is not a campaign given to listen"
            ));
        }
        let mut other_number = false;
        for c in with_menuid {
            match c.number(callid, reported) {
                Ok(number) => return Ok((c, number)),
                Err(Miss::OtherNumber) => other_number = true,
                Err(Miss::UnknownCall) => {}
            }
        }
        Err(if other_number {
            format!("number {reported:?} is not the journal's number for call id {callid:?}")
        } else {
            format!("call id {callid:?} is in the journal of no campaign with menuid {menuid:?}")
        })
    }

    /// Files a post under its call, in one transaction.
    fn commit(
        &self,
        post: &Incoming<'_>,
        keep_body: bool,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<crate::results::Filed, Refused> {
        let filed = Post {
            route: post.route.path(),
            body: post.body,
            keep_body,
        };
        let started = Instant::now();
        let done = self.store.file(Some(filed), calls, keys);
        self.metrics.store_took(started.elapsed());
        done.map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
    }

    /// Keeps a post that names no call, answered 200 all the same.
    fn keep_unmatched(
        &self,
        post: &Incoming<'_>,
        provider: ProviderName,
        callid: &str,
        number: &str,
        why: String,
    ) -> Result<Accepted, Refused> {
        let started = Instant::now();
        let done = self.store.file_unmatched(&Unmatched {
            route: post.route.path().to_owned(),
            provider: provider.key().to_owned(),
            callid: callid.to_owned(),
            number: number.to_owned(),
            why: why.clone(),
            body: post.body.to_vec(),
            received_at: jiff::Timestamp::now().to_string(),
        });
        self.metrics.store_took(started.elapsed());
        let fresh = done.map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        Ok(Accepted::unmatched(callid, why, fresh))
    }

    fn summary(&self, post: &Incoming<'_>) -> Result<Accepted, Refused> {
        let s = summary::parse_summary(post.body)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e.to_string()))?;
        let (campaign, number) = match self.voiceshot(&s.menuid, &s.callid, &s.number) {
            Ok(found) => found,
            Err(why) => {
                // The Test button on VoiceShot's summary settings posts callid 0.
                let why = if s.callid == "0" && s.comment.trim().eq_ignore_ascii_case("test") {
                    "VoiceShot's Test post".to_owned()
                } else {
                    why
                };
                let v = ProviderName::Voiceshot;
                return self.keep_unmatched(post, v, &s.callid, &s.number, why);
            }
        };
        let mut recording = None;
        for r in &s.recordings {
            let saved = self.save_recording(&campaign.name, &s.callid, &number, r)?;
            recording.get_or_insert(saved);
        }
        let (outcome, reason, answered_by) = summary::outcome(&s.status, &s.comment);
        let call = CallRecord {
            provider: ProviderName::Voiceshot.key().to_owned(),
            campaign: campaign.name.clone(),
            callid: s.callid.clone(),
            number: number.clone(),
            status: s.status.clone(),
            outcome,
            reason,
            duration: s.duration,
            answered_by: answered_by.map(str::to_owned),
            attempts: None,
            called_at: s.dateandtime.clone(),
            source: Source::Summary,
            recording,
        };
        let keys: Vec<Keypress> = s
            .keypresses
            .iter()
            .map(|(prompt, keys)| Keypress {
                provider: call.provider.clone(),
                campaign: call.campaign.clone(),
                callid: call.callid.clone(),
                number: number.clone(),
                prompt: *prompt,
                keys: keys.clone(),
                source: Source::Summary,
            })
            .collect();
        let filed = self.commit(post, false, std::slice::from_ref(&call), &keys)?;
        Ok(Accepted {
            filed: Filed::Call {
                campaign: call.campaign,
                callid: call.callid,
                fresh: filed.fresh,
                verdict: filed.verdict.map(|v| v.as_str()),
            },
            command: None,
        })
    }

    fn event(&self, post: &Incoming<'_>) -> Result<Accepted, Refused> {
        let event = events::parse_event(post.body)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e.to_string()))?;
        let (campaign, number) = match self.voiceshot(event.menuid(), event.callid(), "") {
            Ok(found) => found,
            Err(why) => {
                let v = ProviderName::Voiceshot;
                return self.keep_unmatched(post, v, event.callid(), "", why);
            }
        };
        let (keys, command) = match &event {
            CallEvent::Keypress {
                callid,
                prompt,
                keys,
                ..
            } => (
                vec![Keypress {
                    provider: ProviderName::Voiceshot.key().to_owned(),
                    campaign: campaign.name.clone(),
                    callid: callid.clone(),
                    number,
                    prompt: *prompt,
                    keys: keys.clone(),
                    source: Source::Event,
                }],
                campaign.rule(*prompt, keys).map(events::render_command),
            ),
            // Answer and hang-up (inbound campaigns) carry nothing the store keeps.
            CallEvent::Call { .. } => (Vec::new(), None),
        };
        let filed = self.commit(post, false, &[], &keys)?;
        Ok(Accepted {
            filed: Filed::Call {
                campaign: campaign.name.clone(),
                callid: event.callid().to_owned(),
                fresh: filed.fresh,
                verdict: None,
            },
            command,
        })
    }

    /// The voip-communications call a callback is for: by outdial's call id (the URL's
    /// first, then the body's) and the number, else by the provider's call id. When the
    /// journal recorded a provider id for the call, the callback's must be the same.
    fn voipcomm_call(&self, cb: &callback::Callback, ours: Option<&str>) -> Found<'_> {
        let voipcomm = || {
            self.campaigns
                .iter()
                .filter(|c| c.provider == ProviderName::Voipcomm)
        };
        if let Some(ours) = ours {
            let mut why = format!("outdial call id {ours:?} is in no journal given to listen");
            for c in voipcomm() {
                match c.number(ours, &cb.to) {
                    Ok(number) => {
                        let known = c.provider_id(ours, &number);
                        return match (known, &cb.callid) {
                            (Some(known), Some(given)) if &known != given => Err(format!(
                                "provider call id {given:?} is not the one the journal has for {ours:?}"
                            )),
                            _ => Ok((c, number)),
                        };
                    }
                    Err(Miss::OtherNumber) => {
                        why = format!(
                            "number {:?} is not the journal's number for call id {ours:?}",
                            cb.to
                        );
                    }
                    Err(Miss::UnknownCall) => {}
                }
            }
            return Err(why);
        }
        let Some(id) = &cb.callid else {
            return Err("the callback names no call (no callid, no outdial_callid)".to_owned());
        };
        voipcomm()
            .find_map(|c| {
                let (callid, number) = c.by_provider_id(id)?;
                let to_matches =
                    cb.to.is_empty() || c.number(&callid, &cb.to).is_ok_and(|n| n == number);
                to_matches.then_some((c, callid, number))
            })
            .map(|(c, _, number)| (c, number))
            .ok_or_else(|| format!("provider call id {id:?} is in no journal given to listen"))
    }

    fn callback(&self, post: &Incoming<'_>) -> Result<Accepted, Refused> {
        let cb = callback::parse_callback(post.body, post.ctype).map_err(|e| match e {
            callback::CallbackError::Type(_) => {
                refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, e.to_string())
            }
            callback::CallbackError::Shape(_) => refused(StatusCode::BAD_REQUEST, e.to_string()),
        })?;
        // `send` puts outdial's call id in each call's callback URL: that is trusted first.
        let ours = post
            .query
            .and_then(callback::our_callid_in)
            .or_else(|| cb.outdial_callid.clone());
        let (campaign, number) = match self.voipcomm_call(&cb, ours.as_deref()) {
            Ok(found) => found,
            Err(why) => {
                let named = ours.as_deref().or(cb.callid.as_deref()).unwrap_or_default();
                let v = ProviderName::Voipcomm;
                return self.keep_unmatched(post, v, named, &cb.to, why);
            }
        };
        let callid = match ours {
            Some(ours) => ours,
            // Found by the provider's id: the journal's call id for it.
            None => cb
                .callid
                .as_deref()
                .and_then(|id| campaign.by_provider_id(id))
                .map(|(callid, _)| callid)
                .unwrap_or_default(),
        };
        let call = CallRecord {
            provider: ProviderName::Voipcomm.key().to_owned(),
            campaign: campaign.name.clone(),
            callid,
            number,
            status: cb.status.clone(),
            outcome: cb.outcome,
            reason: cb.reason.clone(),
            duration: cb.billed_seconds,
            answered_by: cb.answered_by.map(str::to_owned),
            attempts: None,
            called_at: None,
            source: Source::Callback,
            recording: None,
        };
        // The reading rests on vocabulary outdial chose: the raw body goes with the row.
        let filed = self.commit(post, true, std::slice::from_ref(&call), &[])?;
        Ok(Accepted {
            filed: Filed::Call {
                campaign: call.campaign,
                callid: call.callid,
                fresh: filed.fresh,
                verdict: filed.verdict.map(|v| v.as_str()),
            },
            command: None,
        })
    }

    /// Saves a recording under `recordings/` beside the store, named from outdial's own ids
    /// and a sanitized form of the provider's name, synced before the row that names it is
    /// committed. Returns its path relative to the store's folder.
    fn save_recording(
        &self,
        campaign: &str,
        callid: &str,
        number: &str,
        r: &summary::Recording,
    ) -> Result<String, Refused> {
        let stem = r
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(".wav")
            .trim_end_matches(".WAV");
        let name = format!(
            "{}-{}-{}-p{}-{}.wav",
            safe(campaign),
            safe(callid),
            safe(number),
            r.prompt,
            safe(stem)
        );
        let relative = format!("{RECORDINGS}/{name}");
        let folder = self.folder.join(RECORDINGS);
        let failed = |e: std::io::Error| {
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("recording {relative} could not be saved: {e}"),
            )
        };
        std::fs::create_dir_all(&folder).map_err(failed)?;
        let tmp = folder.join(format!(".{name}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(failed)?;
        file.write_all(&r.wav).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        drop(file);
        std::fs::rename(&tmp, folder.join(&name)).map_err(failed)?;
        let problem = audio::inspect(Cursor::new(&r.wav), r.wav.len() as u64)
            .err()
            .map(|p| p.to_string());
        (self.on_event)(ListenEvent::Recording {
            path: relative.clone(),
            problem,
        });
        Ok(relative)
    }
}

/// A provider-supplied piece of a file name, made harmless: letters, digits, `-` and `_`
/// only (so no separators, no dots, no `..`), at most 48 characters, never empty.
fn safe(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_never_leave_the_folder() {
        for evil in ["../../etc/passwd", "..", "", "a/b\\c.wav", "vm 1.wav\0"] {
            let s = safe(evil);
            assert!(!s.is_empty());
            assert!(!s.contains(['/', '\\', '.', '\0']), "{s}");
        }
        assert_eq!(safe("vm123"), "vm123");
        assert_eq!(safe(&"x".repeat(100)).len(), 48);
    }
}
