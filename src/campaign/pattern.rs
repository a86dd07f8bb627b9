//! The patterns the campaign file's schema gives editors, so a typo is underlined as it is
//! typed. Loading checks the same and more (and explains): these only catch the shape. A
//! low file (it imports nothing), so provider tables can use them too.

/// A campaign name: lower-case letters and digits in parts joined by single hyphens.
pub const NAME: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
/// A phone number in any common shape: digits, spaces, `+`, `(`, `)`, `.`, `-`.
pub const NUMBER: &str = r"^\+?[0-9 ().-]*[0-9][0-9 ().-]*$";
/// A caller ID: exactly 10 digits.
pub const CALLERID: &str = r"^[0-9]{10}$";
/// A time: "YYYY-MM-DD HH:MM", optionally with seconds, an offset or a zone in brackets.
pub const TIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}";
/// Calling hours: "HH:MM-HH:MM".
pub const WINDOW: &str = r"^( *[0-9]{1,2}:[0-9]{2} *- *[0-9]{1,2}:[0-9]{2} *| *always *)$";
