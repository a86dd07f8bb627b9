//! The text fields of a `multipart/form-data` body (RFC 7578), as PHP's curl posts an array
//! of fields: enough for a provider's callback, which is short and already in memory. File
//! parts are skipped.

use memchr::memmem;

/// Parts read at most: a callback has a handful.
const MAX_PARTS: usize = 1_000;

/// The `boundary` parameter of a `multipart/form-data` content type, unquoted.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim().trim_matches('"');
        // RFC 2046: 1 to 70 characters.
        (!value.is_empty() && value.len() <= 70).then(|| value.to_owned())
    })
}

/// The `(name, value)` of each text part, in order; `None` when the body has no part
/// delimited by `boundary`, a part without a name, or more than [`MAX_PARTS`] parts.
pub(crate) fn fields(body: &[u8], boundary: &str) -> Option<Vec<(String, String)>> {
    let delimiter = format!("--{boundary}");
    let mut starts = memmem::find_iter(body, delimiter.as_bytes()).peekable();
    let mut fields = Vec::new();
    let mut closed = false;
    while let Some(start) = starts.next() {
        let part = &body[start + delimiter.len()..];
        if part.starts_with(b"--") {
            closed = true;
            break;
        }
        let end = starts
            .peek()
            .map_or(part.len(), |next| next - start - delimiter.len());
        let part = &part[..end];
        let part = part
            .strip_prefix(b"\r\n")
            .or_else(|| part.strip_prefix(b"\n"))?;
        let (head, value) = split_head(part)?;
        if fields.len() == MAX_PARTS {
            return None;
        }
        let head = String::from_utf8_lossy(head);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        if param(disposition, "filename").is_some() {
            continue;
        }
        let name = param(disposition, "name")?;
        let value = value
            .strip_suffix(b"\r\n")
            .or_else(|| value.strip_suffix(b"\n"))
            .unwrap_or(value);
        fields.push((name, String::from_utf8_lossy(value).into_owned()));
    }
    (closed || !fields.is_empty()).then_some(fields)
}

/// A part's head and content, split at the first blank line.
fn split_head(part: &[u8]) -> Option<(&[u8], &[u8])> {
    if let Some(at) = memmem::find(part, b"\r\n\r\n") {
        return Some((&part[..at], &part[at + 4..]));
    }
    memmem::find(part, b"\n\n").map(|at| (&part[..at], &part[at + 2..]))
}

/// A header parameter's value (`name="x"`), unquoted.
fn param(header: &str, wanted: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case(wanted)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_parts_are_read_and_files_skipped() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        let body = b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nPerson\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n--b\r\ncontent-disposition: form-data; name=empty\r\n\r\n\r\n--b--\r\n";
        assert_eq!(
            fields(body, "b").unwrap(),
            [
                ("status".to_owned(), "Person".to_owned()),
                ("empty".to_owned(), String::new())
            ]
        );
        assert_eq!(fields(b"no parts here", "b"), None);
        assert_eq!(fields(b"--b\r\nX: y\r\n\r\nv\r\n--b--", "b"), None);
    }
}
