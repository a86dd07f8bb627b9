//! Parsing VoiceShot's replies to outbound posts.
//!
//! Replies are read with quick-xml's reader, never by string matching: a body that is not
//! well-formed XML, or lacks the attribute the caller needs, is a [`ReplyError`], which the
//! client treats as an ambiguous failure (VoiceShot may or may not have taken the post).

use std::borrow::Cow;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

pub use crate::provider::CallResult;

/// The reply to a command post (actions 0, 1, 2, 6, 7, 8): `<campaign errorid="N" comment="…"/>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandReply {
    /// 0 when the post was well formed and received; see [`super::errorid`].
    pub errorid: u32,
    /// VoiceShot's text for the code (`ok` on success); empty when absent.
    pub comment: String,
}

/// The reply to a Call Query (action 3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryReply {
    /// The root `errorid`, if VoiceShot sent one (it is undocumented for successful queries).
    pub errorid: Option<u32>,
    /// The root `comment`, if any.
    pub comment: Option<String>,
    /// One entry per `<phonenumber>` in the result, in document order.
    pub calls: Vec<CallResult>,
}

/// Why a reply body could not be understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReplyError {
    /// The body is not UTF-8 (VoiceShot speaks ASCII).
    #[error("reply is not valid UTF-8 text")]
    NotText,
    /// The body is not well-formed XML.
    #[error("reply is not well-formed XML: {0}")]
    Malformed(String),
    /// The body holds no element at all.
    #[error("reply is empty: no XML element")]
    Empty,
    /// The root element is not `<campaign>`.
    #[error("reply root is <{0}>, expected <campaign>")]
    UnexpectedRoot(String),
    /// A command reply without `errorid`.
    #[error("reply has no errorid attribute")]
    MissingErrorid,
    /// An attribute whose value does not have the documented form.
    #[error("reply attribute {name}=\"{value}\" is invalid")]
    BadAttribute {
        /// The attribute name.
        name: String,
        /// Its (unescaped) value.
        value: String,
    },
}

/// Parses a command reply: `<campaign errorid="N" comment="…"/>`.
///
/// A missing `errorid` is an error rather than a default, because a reply that does not say
/// whether the post was taken must not be read as success.
pub fn parse_command_reply(body: &[u8]) -> Result<CommandReply, ReplyError> {
    let root = campaign_root(body)?;
    let errorid = root
        .u32_attr("errorid")?
        .ok_or(ReplyError::MissingErrorid)?;
    let comment = root.attr("comment").unwrap_or_default().to_owned();
    Ok(CommandReply { errorid, comment })
}

/// Parses a Call Query reply (§6.2): `<campaign menuid=…><phonenumbers><phonenumber number
/// callid status comment dateandtime duration><prompts><prompt promptid keypress/>…`.
///
/// `errorid`/`comment` on the root are accepted (VoiceShot may send them on failure).
pub fn parse_query_reply(body: &[u8]) -> Result<QueryReply, ReplyError> {
    let root = campaign_root(body)?;
    let mut reply = QueryReply {
        errorid: root.u32_attr("errorid")?,
        comment: root.attr("comment").map(str::to_owned),
        calls: Vec::new(),
    };
    for phone in root
        .children_named("phonenumbers")
        .flat_map(|p| p.children_named("phonenumber"))
    {
        let text = |name: &str| phone.attr(name).unwrap_or_default().to_owned();
        let mut call = CallResult {
            // Summaries name the called number `phonenumber`; accept it here too.
            number: phone
                .attr("number")
                .or(phone.attr("phonenumber"))
                .unwrap_or_default()
                .to_owned(),
            callid: text("callid"),
            status: text("status"),
            // FreshDirect reads `lasterror` where the docs say `comment`.
            comment: phone
                .attr("comment")
                .or(phone.attr("lasterror"))
                .unwrap_or_default()
                .to_owned(),
            dateandtime: text("dateandtime"),
            duration: phone.u32_attr("duration")?,
            keypresses: Vec::new(),
        };
        for prompt in phone
            .children_named("prompts")
            .flat_map(|p| p.children_named("prompt"))
        {
            let Some(promptid) = prompt.u32_attr("promptid")? else {
                return Err(ReplyError::BadAttribute {
                    name: "promptid".into(),
                    value: String::new(),
                });
            };
            call.keypresses.push((
                promptid,
                prompt.attr("keypress").unwrap_or_default().to_owned(),
            ));
        }
        reply.calls.push(call);
    }
    Ok(reply)
}

fn campaign_root(body: &[u8]) -> Result<Element, ReplyError> {
    let root = parse_element_tree(body)?;
    if root.name != "campaign" {
        return Err(ReplyError::UnexpectedRoot(root.name));
    }
    Ok(root)
}

/// A parsed XML element: the small tree both this module and the sandbox walk.
///
/// Documents here are a few levels deep, so a tree is simpler than streaming and costs little.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    /// Attributes in document order, values unescaped.
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    /// Character data directly inside this element (text, references and CDATA), concatenated.
    pub(crate) text: String,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Attribute `name` as a `u32`: `None` when absent or empty, an error when not a number.
    pub(crate) fn u32_attr(&self, name: &str) -> Result<Option<u32>, ReplyError> {
        match self.attr(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| ReplyError::BadAttribute {
                name: name.to_owned(),
                value: v.to_owned(),
            }),
        }
    }

    /// Direct children called `name`.
    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// How deep elements may nest in a document read by [`parse_element_tree`]: VoiceShot's
/// documents nest four deep; a tree of a hostile peer's depth would overflow the stack when
/// dropped.
pub(crate) const MAX_DEPTH: usize = 256;

/// Parses a whole document into its root element, enforcing what quick-xml leaves to the
/// caller: exactly one root, nothing but whitespace, comments and PIs outside it, every
/// element closed, and no deeper than [`MAX_DEPTH`].
pub(crate) fn parse_element_tree(body: &[u8]) -> Result<Element, ReplyError> {
    let text = std::str::from_utf8(body).map_err(|_| ReplyError::NotText)?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let malformed = |e: &dyn std::fmt::Display| ReplyError::Malformed(e.to_string());
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e))?;
        match event {
            Event::Start(start) => {
                if stack.is_empty() && root.is_some() {
                    return Err(malformed(&"more than one root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(&format!(
                        "elements nested deeper than {MAX_DEPTH}"
                    )));
                }
                stack.push(element_from(&start)?);
            }
            Event::Empty(start) => {
                let element = element_from(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(malformed(&"more than one root element")),
                }
            }
            Event::End(_) => {
                // quick-xml checks that end names match their start tags.
                let element = stack
                    .pop()
                    .ok_or_else(|| malformed(&"unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(c) => push_text(&mut stack, &c.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved: Cow<str> = match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                    Some(ch) => Cow::Owned(ch.to_string()),
                    None => match resolve_predefined_entity(&r.xml10_content()) {
                        Some(s) => Cow::Borrowed(s),
                        None => {
                            return Err(malformed(&format!(
                                "unknown entity &{};",
                                r.xml10_content()
                            )));
                        }
                    },
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(&"unclosed element at end of document"));
    }
    root.ok_or(ReplyError::Empty)
}

fn element_from(start: &BytesStart) -> Result<Element, ReplyError> {
    let mut element = Element {
        name: start.name().as_ref().to_owned(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| ReplyError::Malformed(e.to_string()))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| ReplyError::Malformed(e.to_string()))?;
        element
            .attrs
            .push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(element)
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), ReplyError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => {
            return Err(ReplyError::Malformed(
                "text outside the root element".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_all_rejected<T: std::fmt::Debug>(
        cases: &[&[u8]],
        parse: fn(&[u8]) -> Result<T, ReplyError>,
    ) {
        for body in cases {
            assert!(parse(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn command_reply_ok_and_error() {
        let ok = parse_command_reply(br#"<campaign errorid="0" comment="ok"/>"#).unwrap();
        assert_eq!(
            ok,
            CommandReply {
                errorid: 0,
                comment: "ok".into()
            }
        );
        let refused = parse_command_reply(
            b"<?xml version=\"1.0\"?>\r\n<campaign errorid=\"1\" comment=\"IP address is not registered with VoiceShot.\"></campaign>\r\n",
        )
        .unwrap();
        assert_eq!(refused.errorid, 1);
        assert_eq!(
            refused.comment,
            "IP address is not registered with VoiceShot."
        );
        // Attribute order and a missing comment do not matter.
        let bare = parse_command_reply(br#"<campaign comment='x' errorid=' 7 '/>"#).unwrap();
        assert_eq!(bare.errorid, 7);
        assert_eq!(
            parse_command_reply(br#"<campaign errorid="3"/>"#)
                .unwrap()
                .comment,
            ""
        );
    }

    #[test]
    fn command_reply_unescapes_attributes() {
        let r = parse_command_reply(
            br#"<campaign errorid="14" comment="&lt;PROMPT&gt; tag &amp; &quot;x&quot; &apos;y&apos; &#65;&#x42;"/>"#,
        )
        .unwrap();
        assert_eq!(r.comment, r#"<PROMPT> tag & "x" 'y' AB"#);
    }

    #[test]
    fn command_reply_garbage_is_an_error() {
        let cases: &[&[u8]] = &[
            b"",
            b"   \n",
            b"ok",
            b"<html><body>500 Internal Server Error</body></html>",
            b"<campaign comment=\"ok\"/>",
            b"<campaign errorid=\"zero\"/>",
            b"<campaign errorid=\"-1\"/>",
            b"<campaign errorid=\"0\">",
            b"<campaign errorid=\"0\"></other>",
            b"<campaign errorid=\"0\"/><campaign errorid=\"1\"/>",
            b"<campaign errorid=\"0\"/>trailing",
            b"<campaign errorid=\"0\" comment=\"&bogus;\"/>",
            b"<campaign errorid=\"0\" errorid=\"1\"/>",
            b"<campaign errorid=0/>",
            b"\xff\xfe<\x00c\x00",
        ];
        assert_all_rejected(cases, parse_command_reply);
        assert_eq!(
            parse_command_reply(b"<campaign/>"),
            Err(ReplyError::MissingErrorid)
        );
        assert_eq!(
            parse_command_reply(b"<prompt errorid=\"0\"/>"),
            Err(ReplyError::UnexpectedRoot("prompt".into()))
        );
    }

    #[test]
    fn query_reply_documented_shape() {
        let body = br#"<campaign menuid="1-1234">
  <phonenumbers>
    <phonenumber number="8182238964" dateandtime="5/22/2004 4:15:15 PM" callid="123"
                 duration="15" status="Successful" comment="Human Answer">
      <prompts><prompt promptid="1" keypress="" /><prompt promptid="2" keypress="1" /></prompts>
    </phonenumber>
    <phonenumber number="8185550100" callid="124" status="Unsuccessful" comment="No Answer &amp; busy"
                 dateandtime="" duration=""/>
  </phonenumbers>
</campaign>"#;
        let q = parse_query_reply(body).unwrap();
        assert_eq!(q.errorid, None);
        assert_eq!(q.comment, None);
        assert_eq!(q.calls.len(), 2);
        assert_eq!(
            q.calls[0],
            CallResult {
                number: "8182238964".into(),
                callid: "123".into(),
                status: "Successful".into(),
                comment: "Human Answer".into(),
                dateandtime: "5/22/2004 4:15:15 PM".into(),
                duration: Some(15),
                keypresses: vec![(1, String::new()), (2, "1".into())],
            }
        );
        assert_eq!(q.calls[1].duration, None);
        assert_eq!(q.calls[1].comment, "No Answer & busy");
        assert!(q.calls[1].keypresses.is_empty());
    }

    #[test]
    fn query_reply_root_error_and_empty() {
        let q = parse_query_reply(br#"<campaign errorid="5" comment="menuid missing"/>"#).unwrap();
        assert_eq!(q.errorid, Some(5));
        assert_eq!(q.comment.as_deref(), Some("menuid missing"));
        assert!(q.calls.is_empty());
        let empty =
            parse_query_reply(br#"<campaign menuid="1-1"><phonenumbers/></campaign>"#).unwrap();
        assert_eq!(empty, QueryReply::default());
    }

    #[test]
    fn query_reply_garbage_is_an_error() {
        let cases: &[&[u8]] = &[
            b"",
            b"<campaign><phonenumbers>",
            b"<campaign><phonenumbers><phonenumber duration=\"long\"/></phonenumbers></campaign>",
            b"<campaign><phonenumbers><phonenumber><prompts><prompt keypress=\"1\"/></prompts></phonenumber></phonenumbers></campaign>",
            b"<campaign errorid=\"x\"/>",
            b"<result/>",
        ];
        assert_all_rejected(cases, parse_query_reply);
    }

    #[test]
    fn nesting_is_bounded() {
        let doc = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(parse_element_tree(doc(MAX_DEPTH).as_bytes()).is_ok());
        for depth in [MAX_DEPTH + 1, 1_000_000] {
            let err = parse_element_tree(doc(depth).as_bytes()).unwrap_err();
            assert!(err.to_string().contains("nested deeper than 256"), "{err}");
        }
    }

    #[test]
    fn tree_keeps_text_and_cdata() {
        let root = parse_element_tree(b"<campaign action=\"1\"><file filename=\"a.wav\">UklG\r\n Rg==<![CDATA[x]]>&amp;</file></campaign>").unwrap();
        let file = root.children_named("file").next().unwrap();
        assert_eq!(file.text, "UklG\n Rg==x&");
        assert_eq!(file.attr("filename"), Some("a.wav"));
    }
}
