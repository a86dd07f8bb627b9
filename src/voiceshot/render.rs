//! Rendering one planned post as the exact bytes VoiceShot receives.

use std::fs::File;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};

use std::sync::Arc;

use crate::campaign::{Campaign, PromptContent, Recipient};
use crate::plan::{Post, PostBody};
use crate::schedule;
use crate::template::{Part, Template};

/// The namespace of the MSXML data-type marker VoiceShot's upload example declares.
const DT_NAMESPACE: &str = "urn:schemas-microsoft-com:datatypes";

/// Why a post could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing the output failed.
    #[error("writing the post failed: {0}")]
    Io(#[from] io::Error),
    /// A sound file could not be read while encoding it.
    #[error("cannot read {path}: {source}")]
    Sound {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The campaign has no `[voiceshot]` settings.
    #[error("the campaign has no [voiceshot] settings")]
    NotVoiceShot,
    /// A template placeholder had no value (validation rules this out; kept for safety).
    #[error("`{{{0}}}` has no value for {1}")]
    MissingVar(String, String),
}

/// Writes `post` for `campaign` as one XML document (no declaration, as VoiceShot's examples).
pub fn write_post<W: Write>(
    campaign: &Campaign,
    post: &Post<'_>,
    out: W,
) -> Result<(), RenderError> {
    let voiceshot = campaign.voiceshot().ok_or(RenderError::NotVoiceShot)?;
    let menuid = voiceshot.menuid.as_str();
    match &post.body {
        PostBody::Upload(sound) => {
            // No indentation: whitespace before `</file>` would become part of the base64.
            let mut w = Writer::new(out);
            w.write_event(Event::Start(root(None, 1)))?;
            let file = BytesStart::new("file").with_attributes([
                ("xmlns:dt", DT_NAMESPACE),
                ("dt:dt", "bin.base64"),
                ("filename", sound.name.as_str()),
                ("fileaction", "save"),
            ]);
            w.write_event(Event::Start(file))?;
            let reader = File::open(&sound.path).map_err(|source| RenderError::Sound {
                path: sound.path.display().to_string(),
                source,
            })?;
            crate::audio::encode_base64(reader, w.get_mut()).map_err(|source| {
                RenderError::Sound {
                    path: sound.path.display().to_string(),
                    source,
                }
            })?;
            w.write_event(Event::End(BytesEnd::new("file")))?;
            w.write_event(Event::End(BytesEnd::new("campaign")))?;
        }
        PostBody::DeleteSound(sound) => {
            let mut w = indented(out);
            w.create_element("campaign")
                .with_attribute(("action", "1"))
                .write_inner_content(|w| {
                    w.create_element("file")
                        .with_attributes([
                            ("filename", sound.name.as_str()),
                            ("fileaction", "delete"),
                        ])
                        .write_empty()
                        .map(drop)
                })?;
        }
        PostBody::Calls(recipients) => {
            let mut buf = Vec::new();
            render_calls(campaign, recipients, &mut buf)?;
            let mut out = out;
            out.write_all(&buf)?;
        }
        PostBody::DeleteCalls(recipients) => {
            write_callids(menuid, 2, recipients.iter().map(|r| r.callid.as_str()), out)?
        }
        PostBody::Query(recipients) => {
            write_callids(menuid, 3, recipients.iter().map(|r| r.callid.as_str()), out)?
        }
        PostBody::QueryAll => write_callids(menuid, 3, std::iter::once(""), out)?,
        PostBody::Ping => indented(out).write_event(Event::Empty(root(None, 6)))?,
        PostBody::Pause => indented(out).write_event(Event::Empty(root(Some(menuid), 7)))?,
        PostBody::Resume => indented(out).write_event(Event::Empty(root(Some(menuid), 8)))?,
    }
    Ok(())
}

fn indented<W: Write>(out: W) -> Writer<W> {
    Writer::new_with_indent(out, b' ', 2)
}

fn root(menuid: Option<&str>, action: u8) -> BytesStart<'static> {
    let mut start = BytesStart::new("campaign");
    if let Some(menuid) = menuid {
        start.push_attribute(("menuid", menuid));
    }
    start.push_attribute(("action", action.to_string().as_str()));
    start
}

fn write_callids<'a, W: Write>(
    menuid: &str,
    action: u8,
    callids: impl Iterator<Item = &'a str>,
    out: W,
) -> io::Result<()> {
    let mut w = indented(out);
    w.write_event(Event::Start(root(Some(menuid), action)))?;
    w.create_element("phonenumbers").write_inner_content(|w| {
        for callid in callids {
            w.create_element("phonenumber")
                .with_attribute(("callid", callid))
                .write_empty()?;
        }
        Ok(())
    })?;
    w.write_event(Event::End(BytesEnd::new("campaign")))
}

/// XML attribute-value normalisation turns line breaks and tabs into spaces on the receiving
/// side; doing it here keeps what VoiceShot reads equal to what `compile` shows.
fn push_attr_text(out: &mut String, text: &str) {
    if has_breaks(text) {
        out.push_str(&text.replace("\r\n", " ").replace(['\n', '\r', '\t'], " "));
    } else {
        out.push_str(text);
    }
}

fn has_breaks(text: &str) -> bool {
    text.bytes().any(|b| matches!(b, b'\n' | b'\r' | b'\t'))
}

/// Bytes that need an entity in a double-quoted attribute.
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[b'\'' as usize] = true;
    table[b'"' as usize] = true;
    table
};

/// Appends `text` escaped for a double-quoted attribute, with the same entities quick-xml
/// uses elsewhere in the post (`&lt; &gt; &amp; &apos; &quot;`).
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !SPECIAL[b as usize] {
            continue;
        }
        let entity: &[u8] = match b {
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'&' => b"&amp;",
            b'\'' => b"&apos;",
            _ => b"&quot;",
        };
        out.extend_from_slice(&bytes[from..i]);
        out.extend_from_slice(entity);
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
}

fn push_attr(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b' ');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"=\"");
    push_escaped(out, value);
    out.push(b'"');
}

/// The prompts of one call: `texts` holds each TTS prompt's rendered text, already escaped,
/// in prompt order.
fn push_prompts(
    out: &mut Vec<u8>,
    campaign: &Campaign,
    ids: &[String],
    texts: &[&[u8]],
    indent: &str,
) {
    if campaign.prompts.is_empty() {
        return;
    }
    out.extend_from_slice(indent.as_bytes());
    out.extend_from_slice(b"<prompts>\n");
    let mut texts = texts.iter();
    for (prompt, id) in campaign.prompts.iter().zip(ids) {
        out.extend_from_slice(indent.as_bytes());
        out.extend_from_slice(b"  <prompt promptid=\"");
        out.extend_from_slice(id.as_bytes());
        out.push(b'"');
        match &prompt.content {
            PromptContent::Tts(_) => {
                out.extend_from_slice(b" tts=\"");
                out.extend_from_slice(texts.next().copied().unwrap_or_default());
                out.push(b'"');
            }
            PromptContent::Sound(name) => push_attr(out, "filename", name),
            PromptContent::Audio(index) => {
                push_attr(out, "filename", &campaign.sounds[*index].name)
            }
        }
        if let Some(number) = &prompt.transferto {
            push_attr(out, "transferto", number.as_str());
        }
        if let Some(callerid) = &prompt.callerid {
            push_attr(out, "callerid", callerid);
        }
        out.extend_from_slice(b"/>\n");
    }
    out.extend_from_slice(indent.as_bytes());
    out.extend_from_slice(b"</prompts>\n");
}

/// Recipient `i`'s prompt texts (see `ends` in [`render_calls`]).
fn fill_texts<'t>(texts: &'t [u8], ends: &[usize], per: usize, i: usize, into: &mut Vec<&'t [u8]>) {
    into.clear();
    for k in i * per..(i + 1) * per {
        let start = if k == 0 { 0 } else { ends[k - 1] };
        into.push(&texts[start..ends[k]]);
    }
}

/// Action 0. Prompts whose text is the same for every number of the post go once at campaign
/// level (the documented outage-alert shape); otherwise every number carries its own prompts
/// (the documented per-number shape). The two are never mixed in one post: which level wins
/// when both appear is undocumented.
///
/// Written by hand into one buffer rather than through quick-xml's element builder: a post is
/// a fixed, shallow shape, and this runs for every recipient of a million-row CSV. The output
/// is the same bytes the builder wrote (two-space indentation, quick-xml's entities).
fn render_calls(
    campaign: &Campaign,
    recipients: &[Recipient],
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let voiceshot = campaign.voiceshot().ok_or(RenderError::NotVoiceShot)?;
    // Every TTS text of the post in one buffer; `ends[i * per + j]` closes recipient i's
    // prompt j.
    let per = campaign
        .prompts
        .iter()
        .filter(|p| matches!(p.content, PromptContent::Tts(_)))
        .count();
    let ids: Vec<String> = campaign.prompts.iter().map(|p| p.id.to_string()).collect();
    let mut texts: Vec<u8> = Vec::with_capacity(recipients.len() * per * 128);
    let mut scratch = String::new();
    let mut ends: Vec<usize> = Vec::with_capacity(recipients.len() * per);
    let templates: Vec<&Template> = campaign
        .prompts
        .iter()
        .filter_map(|p| match &p.content {
            PromptContent::Tts(template) => Some(template),
            _ => None,
        })
        .collect();
    // Literal text escaped once per post, so per recipient only the values are scanned.
    let literals: Vec<Vec<Option<Vec<u8>>>> = templates
        .iter()
        .map(|t| {
            t.parts()
                .iter()
                .map(|part| match part {
                    Part::Text(text) if !has_breaks(text) => {
                        let mut escaped = Vec::with_capacity(text.len());
                        push_escaped(&mut escaped, text);
                        Some(escaped)
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    // For each template, each placeholder's position among the recipient's var names; the
    // names are shared by all rows of a CSV, so this is worked out once per post, not per row.
    let mut names: Option<&Arc<[Box<str>]>> = None;
    let mut slots: Vec<Vec<Option<usize>>> = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    for recipient in recipients {
        let own = recipient.vars.names();
        if names.is_none_or(|n| !Arc::ptr_eq(n, own)) {
            names = Some(own);
            slots = templates
                .iter()
                .map(|t| {
                    t.vars()
                        .map(|(name, _)| own.iter().position(|n| **n == *name))
                        .collect()
                })
                .collect();
        }
        values.clear();
        values.extend(recipient.vars.values());
        for ((template, slots), literals) in templates.iter().zip(&slots).zip(&literals) {
            let value_of = |slot: Option<&Option<usize>>, name: &str| {
                slot.copied()
                    .flatten()
                    .and_then(|i| values.get(i).copied())
                    .filter(|v| !v.is_empty())
                    .or_else(|| campaign.vars.get(name).map(String::as_str))
                    .ok_or_else(|| {
                        RenderError::MissingVar(name.to_string(), recipient.number.to_string())
                    })
            };
            let start = texts.len();
            let mut slot = slots.iter();
            let mut fast = true;
            for (part, literal) in template.parts().iter().zip(literals) {
                match (part, literal) {
                    (Part::Text(_), Some(escaped)) => texts.extend_from_slice(escaped),
                    (Part::Var { name, .. }, _) => {
                        let value = value_of(slot.next(), name)?;
                        if has_breaks(value) {
                            fast = false;
                            break;
                        }
                        push_escaped(&mut texts, value);
                    }
                    (Part::Text(_), None) => {
                        fast = false;
                        break;
                    }
                }
            }
            if !fast {
                // Line breaks or tabs somewhere: normalise the whole text (a CR LF may be
                // split between a literal and a value), then escape it.
                texts.truncate(start);
                scratch.clear();
                let mut slot = slots.iter();
                for part in template.parts() {
                    match part {
                        Part::Text(text) => scratch.push_str(text),
                        Part::Var { name, .. } => scratch.push_str(value_of(slot.next(), name)?),
                    }
                }
                let mut normalised = String::with_capacity(scratch.len());
                push_attr_text(&mut normalised, &scratch);
                push_escaped(&mut texts, &normalised);
            }
            ends.push(texts.len());
        }
    }
    let start_of = |k: usize| if k == 0 { 0 } else { ends[k - 1] };
    let call_range = |i: usize| -> std::ops::Range<usize> {
        if per == 0 {
            return 0..0;
        }
        start_of(i * per)..ends[(i + 1) * per - 1]
    };
    let mut prompt_texts: Vec<&[u8]> = Vec::with_capacity(per);
    let texts = texts.as_slice();
    let first = &texts[call_range(0)];
    let mut shared = (1..recipients.len()).all(|i| &texts[call_range(i)] == first);
    if shared && per > 1 {
        // Equal concatenations can still split differently between prompts.
        let mut a = Vec::new();
        let mut b = Vec::new();
        fill_texts(texts, &ends, per, 0, &mut a);
        shared = (1..recipients.len()).all(|i| {
            fill_texts(texts, &ends, per, i, &mut b);
            a == b
        });
    }
    let account_zone = voiceshot
        .account_zone
        .as_ref()
        .or(campaign.timezone.as_ref().map(|z| &z.tz));

    // The texts, the fixed markup of each number, and the line break `compile` adds.
    out.reserve(texts.len() * usize::from(!shared) + recipients.len() * (120 + 60 * per) + 256);
    out.extend_from_slice(b"<campaign");
    push_attr(out, "menuid", &voiceshot.menuid);
    out.extend_from_slice(b" action=\"0\"");
    if let Some(callerid) = &voiceshot.callerid {
        push_attr(out, "callerid", callerid);
    }
    out.extend_from_slice(b">\n");
    if shared && !recipients.is_empty() {
        fill_texts(texts, &ends, per, 0, &mut prompt_texts);
        push_prompts(out, campaign, &ids, &prompt_texts, "  ");
    }
    out.extend_from_slice(b"  <phonenumbers>\n");
    for (i, recipient) in recipients.iter().enumerate() {
        out.extend_from_slice(b"    <phonenumber number=\"");
        out.extend_from_slice(recipient.number.as_str().as_bytes());
        out.push(b'"');
        push_attr(out, "callid", &recipient.callid);
        if let Some(callerid) = &recipient.callerid {
            push_attr(out, "callerid", callerid);
        }
        if let (Some(at), Some(zone)) = (&recipient.at, account_zone) {
            push_attr(out, "dateandtime", &schedule::voiceshot_format(at, zone));
        }
        if let Some(ext) = &recipient.ext {
            push_attr(out, "ext", ext);
        }
        if shared || campaign.prompts.is_empty() {
            out.extend_from_slice(b"/>\n");
        } else {
            out.extend_from_slice(b">\n");
            fill_texts(texts, &ends, per, i, &mut prompt_texts);
            push_prompts(out, campaign, &ids, &prompt_texts, "      ");
            out.extend_from_slice(b"    </phonenumber>\n");
        }
    }
    out.extend_from_slice(b"  </phonenumbers>\n</campaign>");
    Ok(())
}

/// Writes `post` into a new byte vector (uploads stream better with [`write_post`]).
pub fn post_to_vec(campaign: &Campaign, post: &Post<'_>) -> Result<Vec<u8>, RenderError> {
    if let PostBody::Calls(recipients) = &post.body {
        let mut out = Vec::new();
        render_calls(campaign, recipients, &mut out)?;
        return Ok(out);
    }
    let mut out = Vec::new();
    write_post(campaign, post, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::plan::{self, Action};

    fn tts_of(toml: &str) -> Vec<String> {
        let campaign = crate::campaign::load_str(Path::new("t.toml"), toml.to_string())
            .unwrap()
            .campaign;
        let post = plan::posts(&campaign, Action::Send)
            .next()
            .unwrap()
            .unwrap();
        let xml = String::from_utf8(post_to_vec(&campaign, &post).unwrap()).unwrap();
        xml.split("tts=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].to_string())
            .collect()
    }

    #[test]
    fn escapes_values_and_normalises_breaks_across_parts() {
        let texts = tts_of(
            r#"
[campaign]
name = "t"
[voiceshot]
menuid = "1-1"
[[prompt]]
id = 1
tts = "A\r{v} & 'b'"
[[recipient]]
number = "8185550100"
vars = { v = "\nB <c>" }
[[recipient]]
number = "8185550101"
vars = { v = "x\ty" }
[[recipient]]
number = "8185550102"
vars = { v = "\"q\"" }
"#,
        );
        assert_eq!(
            texts,
            [
                "A B &lt;c&gt; &amp; &apos;b&apos;",
                "A x y &amp; &apos;b&apos;",
                "A &quot;q&quot; &amp; &apos;b&apos;",
            ]
        );
    }
}
