//! Rendering one planned post as the exact bytes VoiceShot receives.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, Event};

use super::model::VoiceShot;
use crate::campaign::model::{PromptContent, Recipient};
use crate::campaign::validated::Campaign;
use crate::plan::{Post, PostBody};
use crate::provider::{Credentials, EncodeError as RenderError};
use crate::template::Part;

/// The namespace of the MSXML data-type marker VoiceShot's upload example declares.
const DT_NAMESPACE: &str = "urn:schemas-microsoft-com:datatypes";

/// Writes `post` for `campaign` as one XML document (no declaration, as VoiceShot's
/// examples), with `credentials` as root attributes when given (after `action`).
pub fn write_post_as<W: Write>(
    voiceshot: &VoiceShot,
    campaign: &Campaign,
    post: &Post<'_>,
    credentials: Option<&Credentials>,
    out: W,
) -> Result<(), RenderError> {
    let creds = credentials;
    let menuid = voiceshot.menuid.as_str();
    match &post.body {
        PostBody::Upload(sound) => {
            // No indentation: whitespace before `</file>` would become part of the base64.
            let mut w = Writer::new(out);
            w.write_event(Event::Start(root(None, 1, creds)))?;
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
            w.write_event(Event::Start(root(None, 1, creds)))?;
            w.create_element("file")
                .with_attributes([("filename", sound.name.as_str()), ("fileaction", "delete")])
                .write_empty()?;
            w.write_event(Event::End(BytesEnd::new("campaign")))?;
        }
        PostBody::Calls(recipients) => write_calls(voiceshot, campaign, recipients, creds, out)?,
        PostBody::DeleteCalls(recipients) => write_callids(
            menuid,
            2,
            creds,
            recipients.iter().map(|r| r.callid.as_str()),
            out,
        )?,
        PostBody::Query(recipients) => write_callids(
            menuid,
            3,
            creds,
            recipients.iter().map(|r| r.callid.as_str()),
            out,
        )?,
        PostBody::QueryAll => write_callids(menuid, 3, creds, std::iter::once(""), out)?,
        PostBody::Ping => indented(out).write_event(Event::Empty(root(None, 6, creds)))?,
        PostBody::Pause => indented(out).write_event(Event::Empty(root(Some(menuid), 7, creds)))?,
        PostBody::Resume => {
            indented(out).write_event(Event::Empty(root(Some(menuid), 8, creds)))?
        }
    }
    Ok(())
}

fn indented<W: Write>(out: W) -> Writer<W> {
    Writer::new_with_indent(out, b' ', 2)
}

fn root(menuid: Option<&str>, action: u8, creds: Option<&Credentials>) -> BytesStart<'static> {
    let mut start = BytesStart::new("campaign");
    if let Some(menuid) = menuid {
        start.push_attribute(("menuid", menuid));
    }
    start.push_attribute(("action", action.to_string().as_str()));
    if let Some(c) = creds {
        start.push_attribute(("username", c.username.as_str()));
        start.push_attribute(("password", c.password.as_str()));
    }
    start
}

fn write_callids<'a, W: Write>(
    menuid: &str,
    action: u8,
    creds: Option<&Credentials>,
    callids: impl Iterator<Item = &'a str>,
    out: W,
) -> io::Result<()> {
    let mut w = indented(out);
    w.write_event(Event::Start(root(Some(menuid), action, creds)))?;
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
/// side; doing it here keeps what VoiceShot reads equal to what `compile` shows. Applied to the
/// text appended to `text` since `start`, in place (values and literals together, since a
/// CR LF may be split between them).
fn normalise_breaks(text: &mut String, start: usize) {
    // A vectorised search, since this runs per call over the whole text: `str::contains`
    // with a char set decodes UTF-8, and a plain byte loop was still half of the texts' own
    // cost (callgrind, compile of 100k rows).
    if memchr::memchr3(b'\n', b'\r', b'\t', &text.as_bytes()[start..]).is_some() {
        let normalised = text[start..]
            .replace("\r\n", " ")
            .replace(['\n', '\r', '\t'], " ");
        text.truncate(start);
        text.push_str(&normalised);
    }
}

/// The TTS texts of every call of a post, rendered into one buffer: one allocation per post
/// rather than a string per recipient and prompt, because CSV posts come by the thousand.
struct PostTexts {
    text: String,
    /// `ends[i * per + j]` closes recipient i's prompt j (non-TTS prompts are empty).
    ends: Vec<usize>,
    per: usize,
}

impl PostTexts {
    fn render(campaign: &Campaign, recipients: &[Recipient]) -> Result<Self, RenderError> {
        let per = campaign.prompts.len();
        // Sized for typical sentences, so a post's texts rarely grow (and copy) the buffer.
        let mut text = String::with_capacity(recipients.len() * per * 160);
        let mut ends = Vec::with_capacity(recipients.len() * per);
        // A recipient's values are split once, not searched for each placeholder: `Vars::get`
        // scans the values from the start every time (callgrind, compile of 100k rows with
        // four placeholders: 570k scans, 7% of the instructions).
        let mut values: Vec<&str> = Vec::new();
        let mut slots = Slots::default();
        for recipient in recipients {
            slots.fit(campaign, recipient.vars.names());
            values.clear();
            values.extend(recipient.vars.values());
            for (prompt, parts) in campaign.prompts.iter().zip(&slots.prompts) {
                if let PromptContent::Tts(_) = &prompt.content {
                    let start = text.len();
                    for part in parts {
                        let piece = match *part {
                            Slot::Text(literal) => literal,
                            Slot::Var {
                                name,
                                index,
                                default,
                            } => index
                                .and_then(|i| values.get(i).copied())
                                .filter(|value| !value.is_empty())
                                .or(default)
                                .ok_or_else(|| {
                                    RenderError::MissingVar(
                                        name.to_string(),
                                        recipient.number.to_string(),
                                    )
                                })?,
                        };
                        text.push_str(piece);
                    }
                    normalise_breaks(&mut text, start);
                }
                ends.push(text.len());
            }
        }
        Ok(Self { text, ends, per })
    }

    /// Recipient `i`'s text for prompt `j`.
    fn get(&self, i: usize, j: usize) -> &str {
        let k = i * self.per + j;
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }

    /// Whether every recipient hears the same texts.
    fn shared(&self, recipients: usize) -> bool {
        (1..recipients).all(|i| (0..self.per).all(|j| self.get(i, j) == self.get(0, j)))
    }
}

/// Where each piece of each TTS prompt comes from, worked out once for a set of var names
/// rather than per recipient: CSV recipients share one set, and looking every placeholder up
/// by name (a string compare per column, then `[vars]`) was a third of the texts' cost
/// (callgrind, compile of 100k rows with four placeholders).
#[derive(Default)]
struct Slots<'c> {
    /// The names the slots were worked out for.
    names: Option<Arc<[Box<str>]>>,
    /// Per prompt, its pieces in order (empty for prompts that are not TTS).
    prompts: Vec<Vec<Slot<'c>>>,
}

#[derive(Clone, Copy)]
enum Slot<'c> {
    Text(&'c str),
    /// A placeholder: the recipient's value at `index` when not empty, else the campaign's.
    Var {
        name: &'c str,
        index: Option<usize>,
        default: Option<&'c str>,
    },
}

impl<'c> Slots<'c> {
    /// Makes the slots fit `names`, unless they already do.
    fn fit(&mut self, campaign: &'c Campaign, names: &Arc<[Box<str>]>) {
        if self.names.as_ref().is_some_and(|n| Arc::ptr_eq(n, names)) {
            return;
        }
        self.prompts = campaign
            .prompts
            .iter()
            .map(|prompt| match &prompt.content {
                PromptContent::Tts(template) => template
                    .parts()
                    .iter()
                    .map(|part| match part {
                        Part::Text(text) => Slot::Text(text),
                        Part::Var { name, .. } => Slot::Var {
                            name,
                            index: names.iter().position(|n| **n == **name),
                            default: campaign.vars.get(name).map(String::as_str),
                        },
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        self.names = Some(Arc::clone(names));
    }
}

/// Pushes a text attribute. VoiceShot takes ASCII in practice: characters outside it travel
/// as decimal character references (`é` as `&#233;`), which every XML parser reads back as
/// the same text. ASCII text (nearly all of it) is escaped by the writer as usual.
fn push_text(tag: &mut BytesStart<'static>, name: &str, value: &str) {
    if value.is_ascii() {
        tag.push_attribute((name, value));
        return;
    }
    let mut escaped = String::with_capacity(value.len() + 16);
    // Runs of plain ASCII are copied whole; only the characters that need a reference stop.
    // The runs are walked byte by byte, a character decoded only where a byte is not ASCII:
    // decoding every character was 25 instructions a byte (callgrind, 100k rows, a fifth of
    // them with an accented name: 5% of a compile).
    let bytes = value.as_bytes();
    let (mut plain, mut i) = (0, 0);
    while i < bytes.len() {
        let named = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b if b.is_ascii() => {
                i += 1;
                continue;
            }
            _ => "",
        };
        escaped.push_str(&value[plain..i]);
        // `i` is always where a character starts: it moves by whole characters.
        let Some(c) = value[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        plain = i;
        if !named.is_empty() {
            escaped.push_str(named);
            continue;
        }
        // Decimal digits by hand: `write!` costs a formatter per character, and names
        // with accents come by the thousand in a contact list.
        escaped.push_str("&#");
        let mut digits = [0u8; 7];
        let mut n = c as u32;
        let mut k = digits.len();
        loop {
            k -= 1;
            digits[k] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[k..] {
            escaped.push(char::from(d));
        }
        escaped.push(';');
    }
    escaped.push_str(&value[plain..]);
    // Already escaped: pushed as the raw attribute value.
    tag.push_attribute(quick_xml::events::attributes::Attribute {
        key: quick_xml::name::QName(name),
        value: escaped.into(),
    });
}

/// A start tag whose buffer is reused for every element of its kind in a post: a call post
/// writes one `<phonenumber>` (and, per number, its `<prompt>`s) for each of thousands of
/// recipients, and a fresh tag each time would allocate and grow a buffer each time.
fn reusable_tag(name: &'static str) -> BytesStart<'static> {
    let mut content = String::with_capacity(256);
    content.push_str(name);
    BytesStart::from_content(content, name.len())
}

/// Writes recipient `i`'s prompts (`i` = 0 for the shared, campaign-level ones).
fn write_prompts<W: Write>(
    w: &mut Writer<W>,
    campaign: &Campaign,
    texts: &PostTexts,
    i: usize,
    ids: &[String],
    tag: &mut BytesStart<'static>,
) -> io::Result<()> {
    if campaign.prompts.is_empty() {
        return Ok(());
    }
    w.write_event(Event::Start(BytesStart::new("prompts")))?;
    for (j, (prompt, id)) in campaign.prompts.iter().zip(ids).enumerate() {
        tag.clear_attributes();
        tag.push_attribute(("promptid", id.as_str()));
        match &prompt.content {
            PromptContent::Tts(_) => push_text(tag, "tts", texts.get(i, j)),
            PromptContent::Sound(name) => push_text(tag, "filename", name),
            PromptContent::Audio(index) => {
                push_text(tag, "filename", &campaign.sounds[*index].name);
            }
        }
        if let Some(number) = &prompt.transferto {
            tag.push_attribute(("transferto", number.as_str()));
        }
        if let Some(callerid) = &prompt.callerid {
            tag.push_attribute(("callerid", callerid.as_str()));
        }
        w.write_event(Event::Empty(tag.borrow()))?;
    }
    w.write_event(Event::End(BytesEnd::new("prompts")))
}

/// Action 0. Prompts whose text is the same for every number of the post go once at campaign
/// level (the documented outage-alert shape); otherwise every number carries its own prompts
/// (the documented per-number shape). The two are never mixed in one post: which level wins
/// when both appear is undocumented.
fn write_calls<W: Write>(
    voiceshot: &VoiceShot,
    campaign: &Campaign,
    recipients: &[Recipient],
    creds: Option<&Credentials>,
    out: W,
) -> Result<(), RenderError> {
    let texts = PostTexts::render(campaign, recipients)?;
    let shared = texts.shared(recipients.len());
    let account_zone = voiceshot
        .account_zone
        .as_ref()
        .or(campaign.timezone.as_ref().map(|z| &z.tz));
    let ids: Vec<String> = campaign.prompts.iter().map(|p| p.id.to_string()).collect();
    let mut prompt_tag = reusable_tag("prompt");
    let mut number_tag = reusable_tag("phonenumber");

    let mut w = indented(out);
    let mut start = root(Some(&voiceshot.menuid), 0, creds);
    if let Some(callerid) = &voiceshot.callerid {
        start.push_attribute(("callerid", callerid.as_str()));
    }
    w.write_event(Event::Start(start))?;
    if shared && !recipients.is_empty() {
        write_prompts(&mut w, campaign, &texts, 0, &ids, &mut prompt_tag)?;
    }
    w.write_event(Event::Start(BytesStart::new("phonenumbers")))?;
    // Rows of a CSV mostly share one time: format it once per distinct time, not per row.
    let mut last_at: Option<(&jiff::Zoned, String)> = None;
    for (i, recipient) in recipients.iter().enumerate() {
        let number = &mut number_tag;
        number.clear_attributes();
        number.push_attribute(("number", recipient.number.as_str()));
        number.push_attribute(("callid", recipient.callid.as_str()));
        if let Some(callerid) = &recipient.callerid {
            number.push_attribute(("callerid", callerid.as_str()));
        }
        if let (Some(at), Some(zone)) = (&recipient.at, account_zone) {
            if last_at.as_ref().is_none_or(|(last, _)| *last != at) {
                last_at = Some((at, super::dates::format(at, zone)));
            }
            if let Some((_, formatted)) = &last_at {
                number.push_attribute(("dateandtime", formatted.as_str()));
            }
        }
        if let Some(ext) = &recipient.ext {
            number.push_attribute(("ext", ext.as_str()));
        }
        if shared || campaign.prompts.is_empty() {
            w.write_event(Event::Empty(number.borrow()))?;
        } else {
            w.write_event(Event::Start(number.borrow()))?;
            write_prompts(&mut w, campaign, &texts, i, &ids, &mut prompt_tag)?;
            w.write_event(Event::End(BytesEnd::new("phonenumber")))?;
        }
    }
    w.write_event(Event::End(BytesEnd::new("phonenumbers")))?;
    w.write_event(Event::End(BytesEnd::new("campaign")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::plan::{self, Action};

    fn tts_of(toml: &str) -> Vec<String> {
        // At a pinned instant: at the real clock, the default calling hours refuse these
        // numbers at night in Los Angeles.
        let options = crate::campaign::model::LoadOptions {
            now: Some("2026-06-01T00:00:00Z".parse().unwrap()),
            ..crate::campaign::model::LoadOptions::default()
        };
        let campaign = crate::load::load_str_with(Path::new("t.toml"), toml.to_string(), &options)
            .unwrap()
            .campaign;
        let post = plan::posts(&campaign, Action::Send)
            .next()
            .unwrap()
            .unwrap();
        let xml =
            String::from_utf8(crate::prepared::encode_to_vec(&campaign, &post).unwrap()).unwrap();
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

    /// Text outside ASCII travels as character references: the post itself is ASCII.
    #[test]
    fn non_ascii_text_becomes_character_references() {
        let texts = tts_of(
            "[campaign]\nname = \"t\"\n[voiceshot]\nmenuid = \"1-1\"\n[[prompt]]\nid = 1\ntts = \"Café & crème — 中 🙂 <ok>\"\n[recipients]\nnumbers = [\"8185550100\"]\n",
        );
        assert_eq!(
            texts,
            ["Caf&#233; &amp; cr&#232;me &#8212; &#20013; &#128578; &lt;ok&gt;"]
        );
    }
}
