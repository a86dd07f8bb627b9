//! Phone numbers written in the `[voipcomm]` table (`from`, `dial_to`, `sms_from`…), in
//! the form the API wants them.

use toml::Spanned;

use crate::campaign::check::Checker;
use crate::phone;

/// A number in one of the provider's tables, written as the API wants it: country code and
/// number, digits only. With `+` any valid number is accepted; without, it is read as a
/// North American number (the only kind `region` can name today).
pub(super) fn number(
    c: &mut Checker<'_>,
    value: &Spanned<String>,
    key: &str,
    region: &str,
) -> Option<String> {
    let text = value.get_ref().trim();
    if text.starts_with('+') {
        if let Ok(n) = phonenumber::parse(None, text)
            && n.is_valid()
        {
            let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
            return Some(e164.trim_start_matches('+').to_string());
        }
    } else if let Ok(n) = phone::parse(text) {
        return Some(format!("1{n}"));
    }
    c.error(
        "voipcomm::bad-number",
        format!("`{key}` \"{text}\" cannot be read as a phone number in region {region}"),
        value.span(),
        "not a callable number",
        "write it with + and the country code, e.g. \"+44 20 7946 0958\", or as a North American number, e.g. \"818-555-0100\"",
    );
    None
}
