//! The `/ivrapi.asp` semantics: validate a post, apply it to the state, build the reply.
//!
//! A post is validated completely before anything is changed, so it is taken whole or not
//! at all, like the real service is assumed to do.

use std::collections::BTreeMap;
use std::io;

use base64::Engine as _;
use quick_xml::escape::escape;

use super::call::{CallStatus, SandboxCall, SandboxPrompt};
use super::config::SandboxConfig;
use super::sim;
use super::state::{State, StoredFile};
use crate::provider::voiceshot::errorid;
use crate::provider::voiceshot::reply::{Element, parse_element_tree};

/// Uploads are decoded leniently about padding: hand-made posts (like the documented
/// example) do not always pad, and the WAV check below is what decides.
const LENIENT_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The result of one post: the reply body and whether the state changed.
pub(crate) struct Handled {
    pub(crate) reply: String,
    pub(crate) changed: bool,
}

/// A refusal with a VoiceShot errorid.
struct Refuse(u32);

type Check<T> = Result<T, Refuse>;

/// Why a post was not applied: refused, or the call store failed.
enum Stop {
    Refuse(u32),
    Io(io::Error),
}

impl From<Refuse> for Stop {
    fn from(Refuse(code): Refuse) -> Self {
        Stop::Refuse(code)
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Handles one post body. `request` is the post's number (for the record in each call).
pub(crate) fn handle(
    cfg: &SandboxConfig,
    state: &mut State,
    body: &[u8],
    request: u32,
    now: u64,
) -> io::Result<Handled> {
    // The IP check comes before VoiceShot reads the document.
    if cfg.refuse_all {
        return Ok(refused(1));
    }
    match dispatch(cfg, state, body, request, now) {
        Ok(h) => Ok(h),
        Err(Stop::Refuse(code)) => Ok(refused(code)),
        Err(Stop::Io(e)) => Err(e),
    }
}

/// Reads the post's command and applies it.
fn dispatch(
    cfg: &SandboxConfig,
    state: &mut State,
    body: &[u8],
    request: u32,
    now: u64,
) -> Result<Handled, Stop> {
    let root = parse_element_tree(body).map_err(|_| Refuse(3))?;
    let action = action(cfg, &root)?;
    match action {
        0 => add_calls(cfg, state, &root, request, now)?,
        1 => store_files(state, &root)?,
        2 => delete_calls(state, &root, now)?,
        3 => return query(cfg, state, &root, now),
        6 => {
            return Ok(Handled {
                reply: command_reply(0),
                changed: false,
            });
        }
        7 => pause(state, &root, now)?,
        8 => resume(cfg, state, &root, now)?,
        _ => return Err(Stop::Refuse(4)),
    }
    Ok(Handled {
        reply: command_reply(0),
        changed: true,
    })
}

/// The root's `action`, once the document is a `<campaign>` with the right credentials.
fn action(cfg: &SandboxConfig, root: &Element) -> Result<u32, Stop> {
    if root.name != "campaign" {
        return Err(Stop::Refuse(18));
    }
    if let Some((user, pass)) = &cfg.credentials
        && (root.attr("username") != Some(user.as_str())
            || root.attr("password") != Some(pass.as_str()))
    {
        return Err(Stop::Refuse(1));
    }
    match root.attr("action").map(str::trim) {
        None | Some("") => Err(Stop::Refuse(4)),
        Some(a) => Ok(a.parse::<u32>().map_err(|_| Refuse(4))?),
    }
}

/// Action 0: the post's calls are stored (paused when their menuid is).
fn add_calls(
    cfg: &SandboxConfig,
    state: &mut State,
    root: &Element,
    request: u32,
    now: u64,
) -> Result<(), Stop> {
    let menuid = menuid(root)?;
    let calls = parse_calls(root, menuid)?;
    let paused = state.paused.contains(menuid);
    let mut calls = calls;
    for call in &mut calls {
        call.seq = state.next_seq;
        state.next_seq += 1;
        call.request = request;
        call.due_unix_ms = sim::due_ms(now, cfg.dial_delay, call.dateandtime.as_deref());
        if paused {
            call.status = CallStatus::Paused;
        }
    }
    state.calls.extend(&calls)?;
    Ok(())
}

/// Action 1: sound files are stored or removed.
fn store_files(state: &mut State, root: &Element) -> Result<(), Stop> {
    let ops = parse_files(root)?;
    for (name, content) in ops {
        match content {
            Some(bytes) => {
                let base64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
                state.files.insert(
                    name,
                    StoredFile {
                        size: bytes.len(),
                        base64,
                    },
                );
            }
            None => {
                state.files.remove(&name);
            }
        }
    }
    Ok(())
}

/// Action 2: the named calls not yet dialled are deleted.
fn delete_calls(state: &mut State, root: &Element, now: u64) -> Result<(), Stop> {
    let menuid = menuid(root)?;
    let callids = callids(root, false)?;
    for i in state.calls.with_callids(menuid, &callids)? {
        if state.calls.undialled(i, now) {
            state.calls.set_status(i, CallStatus::Deleted);
        }
    }
    Ok(())
}

/// Action 3: the named calls (every call of the menuid when none is named), as they stand.
fn query(
    cfg: &SandboxConfig,
    state: &mut State,
    root: &Element,
    now: u64,
) -> Result<Handled, Stop> {
    let menuid = menuid(root)?;
    let callids = callids(root, true)?;
    let all = callids.is_empty() || callids.contains(&"");
    let found = if all {
        state.calls.of_menuid(menuid)
    } else {
        state.calls.with_callids(menuid, &callids)?
    };
    let mut matching = Vec::with_capacity(found.len());
    for i in found {
        if state.calls.status(i) != CallStatus::Deleted {
            matching.push(state.calls.view(i, cfg.seed, cfg.success_rate, now)?);
        }
    }
    Ok(Handled {
        reply: query_reply(menuid, matching.iter()),
        changed: false,
    })
}

/// Action 7: the menuid's pending calls wait, and so do its calls posted later.
fn pause(state: &mut State, root: &Element, now: u64) -> Result<(), Stop> {
    let menuid = menuid(root)?.to_owned();
    for i in state.calls.of_menuid(&menuid) {
        if state.calls.pending(i, now) {
            state.calls.set_status(i, CallStatus::Paused);
        }
    }
    state.paused.insert(menuid);
    Ok(())
}

/// Action 8: the menuid's paused calls go on.
fn resume(cfg: &SandboxConfig, state: &mut State, root: &Element, now: u64) -> Result<(), Stop> {
    let menuid = menuid(root)?.to_owned();
    for i in state.calls.of_menuid(&menuid) {
        if state.calls.status(i) == CallStatus::Paused {
            // The dial delay runs again from the resume, as a paused call was never
            // started.
            state
                .calls
                .resume(i, |at| sim::due_ms(now, cfg.dial_delay, at))?;
        }
    }
    state.paused.remove(&menuid);
    Ok(())
}

fn refused(code: u32) -> Handled {
    Handled {
        reply: command_reply(code),
        changed: false,
    }
}

/// `<campaign errorid="N" comment="…"/>` with the table text as the comment.
pub(crate) fn command_reply(code: u32) -> String {
    let comment = if code == 0 {
        "ok"
    } else if code == 1 {
        // VoiceShot's own wording, as its documentation quotes it.
        "IP address is not registered with VoiceShot."
    } else {
        errorid::describe(code).unwrap_or("error")
    };
    format!(
        r#"<campaign errorid="{code}" comment="{}"/>"#,
        escape(comment)
    )
}

fn query_reply<'a>(menuid: &str, calls: impl Iterator<Item = &'a SandboxCall>) -> String {
    let mut out = format!(r#"<campaign menuid="{}"><phonenumbers>"#, escape(menuid));
    for c in calls {
        out.push_str(&format!(
            r#"<phonenumber number="{}" dateandtime="{}" callid="{}" duration="{}" status="{}" comment="{}""#,
            escape(&c.number),
            escape(c.dialled_at.as_deref().unwrap_or("")),
            escape(&c.callid),
            c.duration.map(|d| d.to_string()).unwrap_or_default(),
            c.status.as_str(),
            escape(&c.comment),
        ));
        if c.keypresses.is_empty() {
            out.push_str("/>");
            continue;
        }
        out.push_str("><prompts>");
        for (promptid, key) in &c.keypresses {
            out.push_str(&format!(
                r#"<prompt promptid="{promptid}" keypress="{}"/>"#,
                escape(key)
            ));
        }
        out.push_str("</prompts></phonenumber>");
    }
    out.push_str("</phonenumbers></campaign>");
    out
}

/// The root `menuid`: `digits` or `digits-digits` (the SDK demos use bare `0` and `1`).
fn menuid(root: &Element) -> Check<&str> {
    let m = root.attr("menuid").ok_or(Refuse(5))?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let valid = match m.split_once('-') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(m),
    };
    if valid { Ok(m) } else { Err(Refuse(5)) }
}

fn is_callerid(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The callid domain: up to 50 characters, alphanumeric (plus `-` and `_`, which callers use
/// in generated ids).
fn is_callid(s: &str) -> bool {
    s.len() <= 50
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the children of `<campaign>`: misplaced `prompt`/`phonenumber` get their
/// documented codes, anything unknown is a general parse error.
fn campaign_sections(root: &Element) -> Check<(Vec<&Element>, Vec<&Element>)> {
    let (mut prompts, mut numbers) = (Vec::new(), Vec::new());
    for child in &root.children {
        match child.name.as_str() {
            "prompts" => prompts.extend(list_items(child, "prompt", 14)?),
            "phonenumbers" => numbers.extend(list_items(child, "phonenumber", 16)?),
            "prompt" => return Err(Refuse(15)),
            "phonenumber" => return Err(Refuse(17)),
            "file" => {}
            _ => return Err(Refuse(7)),
        }
    }
    Ok((prompts, numbers))
}

/// The children of a list element, which must all be `item`s (else `misplaced`).
fn list_items<'a>(list: &'a Element, item: &str, misplaced: u32) -> Check<Vec<&'a Element>> {
    list.children
        .iter()
        .map(|c| {
            if c.name == item {
                Ok(c)
            } else {
                Err(Refuse(misplaced))
            }
        })
        .collect()
}

fn parse_prompt(p: &Element) -> Check<SandboxPrompt> {
    let promptid = p
        .attr("promptid")
        .and_then(|v| v.trim().parse().ok())
        .ok_or(Refuse(11))?;
    let nonempty = |name: &str, code: u32| match p.attr(name) {
        Some(v) if v.trim().is_empty() => Err(Refuse(code)),
        v => Ok(v.map(str::to_owned)),
    };
    let transferto = p.attr("transferto").map(str::to_owned);
    if transferto
        .as_deref()
        .is_some_and(|t| t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refuse(7));
    }
    if p.attr("callerid").is_some_and(|c| !is_callerid(c)) {
        return Err(Refuse(9));
    }
    Ok(SandboxPrompt {
        promptid,
        tts: nonempty("tts", 12)?,
        filename: nonempty("filename", 13)?,
        transferto,
        txt: p.attr("txt").map(str::to_owned),
    })
}

fn parse_prompts(items: &[&Element]) -> Check<BTreeMap<u32, SandboxPrompt>> {
    items
        .iter()
        .map(|p| parse_prompt(p).map(|p| (p.promptid, p)))
        .collect()
}

/// Validates an action-0 post into calls (status pending, not yet numbered).
fn parse_calls(root: &Element, menuid: &str) -> Check<Vec<SandboxCall>> {
    let campaign_callerid = root.attr("callerid");
    if campaign_callerid.is_some_and(|c| !is_callerid(c)) {
        return Err(Refuse(9));
    }
    let (prompt_items, number_items) = campaign_sections(root)?;
    let shared_prompts = parse_prompts(&prompt_items)?;
    if number_items.is_empty() {
        return Err(Refuse(8));
    }
    let mut calls = Vec::with_capacity(number_items.len());
    for phone in number_items {
        let number = phone.attr("number").map(str::trim).unwrap_or("");
        if number.is_empty() || number.len() > 15 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Refuse(8));
        }
        let callid = phone.attr("callid").unwrap_or("");
        if !is_callid(callid) {
            return Err(Refuse(6));
        }
        let callerid = phone.attr("callerid").or(campaign_callerid);
        if phone.attr("callerid").is_some_and(|c| !is_callerid(c)) {
            return Err(Refuse(9));
        }
        let dateandtime = phone.attr("dateandtime");
        if dateandtime.is_some_and(|d| sim::parse_dateandtime(d).is_none()) {
            return Err(Refuse(10));
        }
        let mut prompts = shared_prompts.clone();
        for child in &phone.children {
            match child.name.as_str() {
                "prompts" => prompts.extend(parse_prompts(&list_items(child, "prompt", 14)?)?),
                "prompt" => return Err(Refuse(15)),
                _ => return Err(Refuse(7)),
            }
        }
        calls.push(SandboxCall {
            seq: 0,
            request: 0,
            menuid: menuid.to_owned(),
            number: number.to_owned(),
            callid: callid.to_owned(),
            callerid: callerid.map(str::to_owned),
            dateandtime: dateandtime.map(str::to_owned),
            ext: phone.attr("ext").map(str::to_owned),
            prompts: prompts.into_values().collect(),
            status: CallStatus::Pending,
            comment: String::new(),
            duration: None,
            dialled_at: None,
            keypresses: Vec::new(),
            due_unix_ms: 0,
        });
    }
    Ok(calls)
}

/// The callids listed under `<phonenumbers>` for actions 2 and 3. For a query an absent or
/// empty callid means "all"; a delete must name its calls.
fn callids(root: &Element, query: bool) -> Check<Vec<&str>> {
    let (_, numbers) = campaign_sections(root)?;
    if numbers.is_empty() && !query {
        return Err(Refuse(16));
    }
    numbers
        .iter()
        .map(|p| match p.attr("callid") {
            Some(c) if !c.is_empty() || query => Ok(c),
            None if query => Ok(""),
            _ => Err(Refuse(6)),
        })
        .collect()
}

/// Validates an action-1 post: per `<file>`, the name and either the WAV bytes to save or
/// `None` to delete.
fn parse_files(root: &Element) -> Check<Vec<(String, Option<Vec<u8>>)>> {
    let files: Vec<&Element> = root.children_named("file").collect();
    if files.is_empty() || root.children.len() != files.len() {
        return Err(Refuse(20));
    }
    let mut ops = Vec::new();
    for file in files {
        let name = file.attr("filename").map(str::trim).unwrap_or("");
        if name.is_empty() {
            return Err(Refuse(13));
        }
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(Refuse(20));
        }
        match file.attr("fileaction") {
            Some("save") => {
                // The documented example wraps its base64 and has stray spaces.
                let b64: String = file
                    .text
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect();
                let bytes = LENIENT_BASE64.decode(b64).map_err(|_| Refuse(21))?;
                if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
                    return Err(Refuse(21));
                }
                ops.push((name.to_owned(), Some(bytes)));
            }
            Some("delete") => ops.push((name.to_owned(), None)),
            _ => return Err(Refuse(20)),
        }
    }
    Ok(ops)
}
