//! A minimal HTTP/1.1 server side: request heads via httparse, Content-Length and chunked
//! bodies with a size cap, and plain responses. Only what VoiceShot clients send is handled.

use std::io::{self, BufRead, Read, Write};

/// Longest request head accepted; VoiceShot posts carry a handful of short headers.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 64;
/// A chunk-size line is a hex number plus optional extensions.
const MAX_CHUNK_LINE: usize = 4096;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) method: String,
    /// The path without any query string.
    pub(crate) path: String,
    pub(crate) keep_alive: bool,
    pub(crate) expect_continue: bool,
    pub(crate) body: BodyKind,
}

/// How the request body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    None,
    Length(u64),
    Chunked,
}

/// Why a request could not be read; those with a status get a reply before the close.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The connection failed or closed mid-request: nothing can be replied.
    Io,
    Status(u16, &'static str),
}

impl From<io::Error> for HttpError {
    fn from(_: io::Error) -> Self {
        HttpError::Io
    }
}

/// Reads one request head. `Ok(None)` means the peer closed (or idled out) between requests.
pub(crate) fn read_head(reader: &mut impl BufRead) -> Result<Option<Head>, HttpError> {
    let mut buf = Vec::new();
    loop {
        let start = buf.len();
        let n = read_line(reader, &mut buf, MAX_HEAD)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(HttpError::Status(400, "truncated request head"))
            };
        }
        let line = &buf[start..];
        if line == b"\r\n" || line == b"\n" {
            // RFC 9112 §2.2: ignore empty lines before the request line.
            if start == 0 {
                buf.clear();
                continue;
            }
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(&buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(HttpError::Status(400, "incomplete request head"));
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HttpError::Status(431, "too many headers"));
        }
        Err(_) => return Err(HttpError::Status(400, "malformed request head")),
    }
    let version = req.version.unwrap_or(1);
    let mut keep_alive = version >= 1;
    let mut expect_continue = false;
    let mut length: Option<u64> = None;
    let mut chunked = false;
    for h in req.headers.iter() {
        let value = std::str::from_utf8(h.value)
            .map_err(|_| HttpError::Status(400, "non-ASCII header"))?
            .trim();
        if h.name.eq_ignore_ascii_case("content-length") {
            let n: u64 = value
                .parse()
                .map_err(|_| HttpError::Status(400, "bad Content-Length"))?;
            if length.is_some_and(|m| m != n) {
                return Err(HttpError::Status(400, "conflicting Content-Length"));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.rsplit(',').next().unwrap_or("").trim();
            if !last.eq_ignore_ascii_case("chunked") || value.contains(',') {
                return Err(HttpError::Status(
                    501,
                    "only chunked transfer coding is supported",
                ));
            }
            chunked = true;
        } else if h.name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") {
                    keep_alive = true;
                }
            }
        } else if h.name.eq_ignore_ascii_case("expect")
            && value.eq_ignore_ascii_case("100-continue")
        {
            expect_continue = version >= 1;
        }
    }
    let body = match (chunked, length) {
        // Both framings at once is the request-smuggling shape; refuse it rather than guess.
        (true, Some(_)) => {
            return Err(HttpError::Status(
                400,
                "both Content-Length and Transfer-Encoding",
            ));
        }
        (true, None) => BodyKind::Chunked,
        (false, Some(0) | None) => BodyKind::None,
        (false, Some(n)) => BodyKind::Length(n),
    };
    let target = req.path.unwrap_or("/");
    Ok(Some(Head {
        method: req.method.unwrap_or_default().to_owned(),
        path: target.split('?').next().unwrap_or(target).to_owned(),
        keep_alive,
        expect_continue,
        body,
    }))
}

/// Reads the whole body; more than `cap` bytes is a 413 (the connection must then close,
/// since the rest of the body is left unread).
pub(crate) fn read_body(
    reader: &mut impl BufRead,
    kind: BodyKind,
    cap: u64,
) -> Result<Vec<u8>, HttpError> {
    let too_large = HttpError::Status(413, "request body too large");
    match kind {
        BodyKind::None => Ok(Vec::new()),
        BodyKind::Length(n) if n > cap => Err(too_large),
        BodyKind::Length(n) => {
            let mut body = Vec::with_capacity(n.min(1 << 20) as usize);
            reader.take(n).read_to_end(&mut body)?;
            if (body.len() as u64) < n {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
            }
            Ok(body)
        }
        BodyKind::Chunked => {
            let mut body = Vec::new();
            let mut line = Vec::new();
            loop {
                line.clear();
                if read_line(reader, &mut line, MAX_CHUNK_LINE)? == 0 {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                }
                let size = match httparse::parse_chunk_size(&line) {
                    Ok(httparse::Status::Complete((_, size))) => size,
                    _ => return Err(HttpError::Status(400, "bad chunk size")),
                };
                if size == 0 {
                    break;
                }
                if body.len() as u64 + size > cap {
                    return Err(too_large);
                }
                let before = body.len();
                reader.take(size).read_to_end(&mut body)?;
                if ((body.len() - before) as u64) < size {
                    return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                }
                line.clear();
                read_line(reader, &mut line, MAX_CHUNK_LINE)?;
                if line != b"\r\n" && line != b"\n" {
                    return Err(HttpError::Status(400, "chunk not followed by CRLF"));
                }
            }
            // Trailer fields are read and ignored, up to the blank line.
            let mut trailers = 0;
            loop {
                line.clear();
                let n = read_line(reader, &mut line, MAX_CHUNK_LINE)?;
                trailers += n;
                if n == 0 || line == b"\r\n" || line == b"\n" {
                    break;
                }
                if trailers > MAX_HEAD {
                    return Err(HttpError::Status(431, "trailers too large"));
                }
            }
            Ok(body)
        }
    }
}

/// Appends one line (through `\n`) to `buf`; the whole buffer may not exceed `limit`.
fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> Result<usize, HttpError> {
    let room = (limit + 1).saturating_sub(buf.len()) as u64;
    let n = reader.take(room).read_until(b'\n', buf)?;
    if buf.len() > limit {
        return Err(HttpError::Status(431, "request head too large"));
    }
    Ok(n)
}

/// Writes a complete response with a Content-Length body.
pub(crate) fn write_response(
    w: &mut impl Write,
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        reason(status),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    if status == 405 {
        head.push_str("Allow: POST\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)?;
    w.flush()
}

/// A redirect to `location` with an empty body; the connection closes.
pub(crate) fn write_redirect(w: &mut impl Write, status: u16, location: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        reason(status)
    );
    w.write_all(head.as_bytes())?;
    w.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Result<Option<Head>, HttpError> {
        read_head(&mut &raw[..])
    }

    #[test]
    fn parses_heads() {
        let h =
            head(b"\r\nPOST /ivrapi.asp?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
                .unwrap()
                .unwrap();
        assert_eq!(
            (h.method.as_str(), h.path.as_str(), h.keep_alive, h.body),
            ("POST", "/ivrapi.asp", true, BodyKind::Length(5))
        );
        let h = head(b"POST / HTTP/1.0\r\nContent-length: 0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!h.keep_alive);
        assert_eq!(h.body, BodyKind::None);
        let h = head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n").unwrap().unwrap();
        assert!(!h.keep_alive && h.expect_continue);
        assert_eq!(h.body, BodyKind::Chunked);
        assert!(head(b"").unwrap().is_none());
    }

    #[test]
    fn rejects_bad_heads() {
        let status = |raw: &[u8]| match head(raw) {
            Err(HttpError::Status(s, _)) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            501
        );
        assert_eq!(status(b"NOT HTTP\r\n\r\n"), 400);
        assert_eq!(status(b"POST / HTTP/1.1\r\nHost: a"), 400);
        let mut big = b"POST / HTTP/1.1\r\nX: ".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD));
        big.extend_from_slice(b"\r\n\r\n");
        assert_eq!(status(&big), 431);
    }

    #[test]
    fn reads_bodies() {
        let raw = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        let mut r = &raw[..];
        assert_eq!(
            read_body(&mut r, BodyKind::Chunked, 100).unwrap(),
            b"hello world"
        );
        assert_eq!(r, b"NEXT");
        assert!(matches!(
            read_body(&mut &raw[..], BodyKind::Chunked, 8),
            Err(HttpError::Status(413, _))
        ));
        assert!(matches!(
            read_body(&mut &b"abc"[..], BodyKind::Length(4), 100),
            Err(HttpError::Io)
        ));
        assert!(matches!(
            read_body(&mut &b"abc"[..], BodyKind::Length(400), 100),
            Err(HttpError::Status(413, _))
        ));
        assert!(matches!(
            read_body(&mut &b"zz\r\n"[..], BodyKind::Chunked, 100),
            Err(HttpError::Status(400, _))
        ));
    }
}
