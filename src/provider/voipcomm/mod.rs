//! voip-communications.net make-calls API (`POST …/api-v2/index.php/pcall/call`): one form
//! POST per call, HTTP Basic auth, JSON replies, and a local stand-in ([`sandbox`]).
//!
//! What plays is chosen per answer: `answer_*` options when a person answers, and
//! `answermachine_*` options when voicemail does. Text options take the `tts` of a
//! `[[prompt]]` (so per-recipient `{placeholders}` work in each of them); audio is played
//! from URLs, never uploaded.
//!
//! Facts not on the vendor's page are choices, said where they are made: the zone of
//! `call_date` (default the campaign's), the shape of the scheduled-calls list and delete
//! (off unless configured), the reply to 401 and 402.

mod actions;
mod audio_file;
pub mod callback;
pub(crate) mod facts;
pub(crate) mod inbound;
mod model;
mod number;
mod options;
mod prompts;
pub mod reply;
pub mod sandbox;
pub mod scheduled;
pub(crate) mod section;
pub(crate) mod settings;
pub mod tables;
mod unsupported;

use std::io::Write;

pub use facts::{CALLS_ABROAD, CREDENTIAL_VARS};
pub use model::{DEFAULT_ENDPOINT, Field, PARAMS, Value, VoipComm};
pub use section::{AnswerSection, MachineSection, Record, Section};

use super::name::ProviderName;
use super::{
    ById, CallResult, Credentials, EncodeError, Limits, Lookup, LookupReply, Provider, Reach,
    ReplyOutcome, RequestHead, ScheduledCall, ScheduledList,
};
use crate::campaign::model::{PromptContent, Recipient};
use crate::campaign::rules::ProviderRules;
use crate::campaign::validated::Campaign;
use crate::plan::{Action, Post, PostBody, PostKind};

/// A call's own callback URL: the campaign's, with outdial's call id added as the query
/// parameter `outdial_callid`. The callback then names the call even when the make-calls reply
/// was lost (a call in doubt has no provider callid in the journal), and `listen` matches it
/// by that id and the number called. A URL that already sets the parameter is left alone.
fn callback_url(url: &str, callid: &str) -> String {
    // Checked as an absolute http(s) URL when the campaign was loaded.
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.query_pairs().any(|(k, _)| k == callback::OUR_CALLID) {
        return url.to_owned();
    }
    parsed
        .query_pairs_mut()
        .append_pair(callback::OUR_CALLID, callid);
    parsed.into()
}

impl VoipComm {
    /// The form fields of one call, in [`PARAMS`] order.
    pub fn fields(
        &self,
        campaign: &Campaign,
        r: &Recipient,
    ) -> Result<Vec<(&'static str, String)>, EncodeError> {
        let mut out: Vec<(&'static str, String)> = Vec::with_capacity(8);
        // A recipient's own caller ID (10 NANP digits, checked when loading) wins.
        let from = r
            .callerid
            .as_ref()
            .map(|id| format!("1{id}"))
            .or_else(|| self.from.clone());
        if let Some(from) = from {
            out.push(("from", from));
        }
        // Numbers are North American today (10 digits): the API wants the country code too.
        // "Country code + area code + number, digits only".
        out.push(("to", r.number.e164_digits()));
        if let Some(at) = &r.at {
            let zone = self
                .zone
                .clone()
                .or_else(|| campaign.timezone.as_ref().map(|z| z.tz.clone()))
                .unwrap_or_else(|| at.time_zone().clone());
            out.push((
                "call_date",
                at.with_time_zone(zone)
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
            ));
        }
        if let Some(record) = self.record {
            out.push((
                "record",
                match record {
                    Record::Yes => "YES",
                    Record::No => "NO",
                }
                .into(),
            ));
        }
        if let Some(url) = &self.callback_url {
            out.push(("callback_url", callback_url(url, &r.callid)));
        }
        for field in self.answer.iter().chain(&self.machine) {
            let value = match &field.value {
                Value::Fixed(v) => v.clone(),
                Value::Prompt(id) => prompt_text(campaign, *id, r)?,
            };
            out.push((field.name, value));
        }
        Ok(out)
    }
}

/// The text of prompt `id` for `r`. Line breaks and tabs become spaces, as they do for
/// the other providers: a TTS engine reads them as pauses at best, and one-line values keep compiled
/// posts readable.
fn prompt_text(campaign: &Campaign, id: u32, r: &Recipient) -> Result<String, EncodeError> {
    let template = campaign
        .prompts
        .iter()
        .find_map(|p| match (&p.content, p.id == id) {
            (PromptContent::Tts(t), true) => Some(t),
            _ => None,
        })
        .ok_or_else(|| EncodeError::Unsupported(format!("prompt {id} has no tts")))?;
    let text = template
        .render(|name| campaign.var(r, name))
        .map_err(|name| EncodeError::MissingVar(name.to_string(), r.number.to_string()))?;
    Ok(text.replace(['\r', '\n', '\t'], " "))
}

/// Writes `fields` as an `application/x-www-form-urlencoded` body.
pub fn form_body(fields: &[(&str, String)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
}

/// The value of an `Authorization` header for HTTP Basic auth.
fn basic_auth(credentials: &Credentials) -> String {
    use base64::Engine;
    let pair = format!("{}:{}", credentials.username, credentials.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Audio plays from URLs, never uploaded; times and sound names as written.
impl ProviderRules for VoipComm {}

impl Provider for VoipComm {
    fn name(&self) -> ProviderName {
        ProviderName::Voipcomm
    }

    fn limits(&self) -> Limits {
        Limits {
            batch_size: 1,
            // Audio is played from URLs, never uploaded.
        }
    }

    fn supports(&self, action: Action) -> bool {
        // The make-calls page documents one request. Scheduled-call deletion has no public
        // shape (see `sandbox` for the one outdial's stand-in assumes), so `delete` needs its
        // URL configured; `query` says what the journal knows, since there is no status
        // request.
        match action {
            Action::Send | Action::Query => true,
            Action::Delete => self.scheduled_delete_url.is_some(),
            _ => false,
        }
    }

    fn unsupported_reason(&self, action: Action) -> (String, Option<String>) {
        match action {
            Action::Delete => (
                "the campaign sets no scheduled_delete_url".to_owned(),
                Some("set `scheduled_delete_url` in [voipcomm] to the URL the account deletes scheduled calls at".to_owned()),
            ),
            _ => ("it has no such request".to_owned(), None),
        }
    }

    fn endpoints(&self) -> Vec<String> {
        vec![self.endpoint.clone()]
    }

    fn credential_problem(&self, user: bool, value: &str) -> Option<String> {
        // HTTP Basic authentication joins user and password with the first colon
        // (RFC 7617 §2), so a colon in the key would move the split.
        if user && value.contains(':') {
            return Some("a colon (:)".to_owned());
        }
        super::control_character(value)
    }

    fn extension(&self) -> &'static str {
        "form"
    }

    fn encode(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        _credentials: Option<&Credentials>,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        // Credentials travel in the Authorization header (see `head`), never in the body.
        let PostBody::Calls(recipients) = &post.body else {
            return Err(EncodeError::Unsupported(format!(
                "voip-communications.net cannot {}: it has no such request",
                post.body.kind()
            )));
        };
        for (i, r) in recipients.iter().enumerate() {
            if i > 0 {
                // One call per request (batch size 1); never reached through the planner.
                out.write_all(b"\n")?;
            }
            out.write_all(form_body(&self.fields(campaign, r)?).as_bytes())?;
        }
        Ok(())
    }

    fn head(&self, credentials: Option<&Credentials>) -> RequestHead {
        let mut headers = Vec::new();
        if let Some(credentials) = credentials {
            headers.push(("Authorization", basic_auth(credentials)));
        }
        RequestHead {
            content_type: "application/x-www-form-urlencoded",
            headers,
        }
    }

    fn read_reply(&self, body: &[u8]) -> ReplyOutcome {
        reply::read(200, body)
    }

    fn answer_statuses(&self) -> &'static [u16] {
        reply::ANSWER_STATUSES
    }

    fn read_answer(&self, status: u16, body: &[u8]) -> ReplyOutcome {
        reply::read(status, body)
    }

    fn lookup(&self) -> Lookup {
        Lookup::None
    }

    fn read_lookup(&self, _body: &[u8]) -> LookupReply {
        Err(ReplyOutcome::Unreadable(
            "voip-communications.net has no documented call status request".into(),
        ))
    }

    fn by_id(&self) -> Option<&dyn ById> {
        Some(self)
    }

    fn removal(&self) -> crate::provider::CallRemoval {
        // Only through the scheduled-call delete, when the campaign configures it.
        if self.scheduled_delete_url.is_some() {
            crate::provider::CallRemoval::ById
        } else {
            crate::provider::CallRemoval::None
        }
    }

    fn scheduled_list(&self) -> Option<&dyn ScheduledList> {
        self.scheduled_list_url
            .is_some()
            .then_some(self as &dyn ScheduledList)
    }

    fn no_results_why(&self) -> Option<&'static str> {
        self.callback_url.is_none().then_some(
            "voip-communications.net has no status request and posts results only to callback_url, which this campaign does not set",
        )
    }

    fn reach(&self, result: &CallResult) -> Reach {
        // The callback's answer status (Person/Machine, seed 004), once results arrive
        // there; the same words the callback reader knows. Any other word is unknown, never
        // "not reached" (which would put the person on the list to call again).
        let folded: String = result
            .status
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .flat_map(char::to_lowercase)
            .collect();
        match folded.as_str() {
            "person" | "human" | "machine" | "answeringmachine" | "voicemail" | "answered" => {
                Reach::Reached
            }
            "noanswer" | "busy" | "failed" => Reach::NotReached,
            "" | "scheduled" | "pending" => Reach::Pending,
            _ => Reach::Unknown,
        }
    }
}

impl ById for VoipComm {
    fn has(&self, kind: PostKind) -> bool {
        kind == PostKind::Delete && self.scheduled_delete_url.is_some()
    }

    fn url(&self, _kind: PostKind, endpoint: &str) -> String {
        // Only removal is ever asked for (see `has`).
        self.scheduled_delete_url
            .as_deref()
            .map_or_else(|| endpoint.to_owned(), |url| resolve(url, endpoint))
    }

    fn method(&self, _kind: PostKind) -> super::Method {
        self.scheduled.delete_method
    }

    fn body(&self, _kind: PostKind, id: &str) -> Vec<u8> {
        scheduled::delete_params(&self.scheduled, id)
    }

    fn probe_id(&self) -> &'static str {
        "0"
    }

    fn read_status(&self, _body: &[u8]) -> Result<Option<super::Status>, ReplyOutcome> {
        Err(ReplyOutcome::Unreadable(
            "voip-communications.net has no call status request".into(),
        ))
    }

    fn finished(&self, _status: &super::Status) -> bool {
        false
    }

    fn read_removal(&self, body: &[u8]) -> Result<bool, ReplyOutcome> {
        reply::read_removal(body)
    }

    fn unasked_note(&self) -> &'static str {
        "voip-communications.net has no status request: results arrive at callback_url"
    }

    fn early(&self) -> std::time::Duration {
        // As far ahead as a scheduled call may leave the scheduled list.
        ScheduledList::margin(self)
    }
}

impl ScheduledList for VoipComm {
    fn list_url(&self, endpoint: &str) -> String {
        self.scheduled_list_url
            .as_deref()
            .map_or_else(|| endpoint.to_owned(), |url| resolve(url, endpoint))
    }

    fn list_method(&self) -> super::Method {
        self.scheduled.list_method
    }

    fn read_list(&self, body: &[u8]) -> Result<Vec<ScheduledCall>, ReplyOutcome> {
        reply::read_list(body, &self.scheduled.list_array)
    }

    fn entry_of(&self, campaign: &Campaign, recipient: &Recipient) -> Option<(String, String)> {
        let fields = self.fields(campaign, recipient).ok()?;
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        Some((get("to")?, get("call_date")?))
    }

    fn margin(&self) -> std::time::Duration {
        // "The scheduler checks every 5 minutes": a call may be started up to 5 minutes
        // early, or be made by then; twice that leaves room for clocks that disagree.
        std::time::Duration::from_secs(10 * 60)
    }
}

/// A URL setting as used with posts going to `endpoint`: a path (`/…`) is taken on the
/// endpoint's host, so `--endpoint` moves it along; a full URL stays where it is.
pub(crate) fn resolve(url: &str, endpoint: &str) -> String {
    if !url.starts_with('/') {
        return url.to_owned();
    }
    let host_start = endpoint.find("://").map_or(0, |i| i + 3);
    let origin_end = endpoint[host_start..]
        .find('/')
        .map_or(endpoint.len(), |i| host_start + i);
    format!("{}{url}", &endpoint[..origin_end])
}

#[cfg(test)]
mod tests {
    use super::{callback_url, resolve};

    #[test]
    fn each_call_has_its_own_callback_url() {
        assert_eq!(
            callback_url("https://hooks.example/ended", "dent 101&x"),
            "https://hooks.example/ended?outdial_callid=dent+101%26x"
        );
        assert_eq!(
            callback_url("https://hooks.example/ended?team=a", "c1"),
            "https://hooks.example/ended?team=a&outdial_callid=c1"
        );
        // A URL that names the call itself is left as it is.
        let own = "https://hooks.example/ended?outdial_callid=fixed";
        assert_eq!(callback_url(own, "c1"), own);
        assert_eq!(
            crate::provider::voipcomm::callback::our_callid_in(
                "team=a&outdial_callid=dent+101%26x"
            ),
            Some("dent 101&x".to_owned())
        );
    }

    #[test]
    fn a_path_setting_follows_the_endpoint_and_a_url_stays() {
        assert_eq!(
            resolve(
                "/api-v2/x/delete",
                "http://127.0.0.1:4100/api-v2/index.php/pcall/call"
            ),
            "http://127.0.0.1:4100/api-v2/x/delete"
        );
        assert_eq!(
            resolve("/d", "https://host.example"),
            "https://host.example/d"
        );
        assert_eq!(
            resolve("https://other.example/d", "http://127.0.0.1:1/c"),
            "https://other.example/d"
        );
    }
}
