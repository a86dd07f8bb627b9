//! Call ids: the tag a provider keeps on each call, used to query and delete exactly this
//! campaign's calls.

use crate::phone::PhoneNumber;

/// The strictest provider's limit: a call id of at most 50 characters.
pub const MAX_LEN: usize = 50;

/// The longest campaign-name prefix kept whole in a derived call id; longer names are cut and
/// get a hash suffix so two long names that share a prefix still give different ids.
const PREFIX_LEN: usize = 30;

/// Why a call id is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallIdError {
    /// Empty.
    #[error("the call id is empty")]
    Empty,
    /// Longer than 50 characters.
    #[error("the call id has {0} characters; at most 50 are kept")]
    TooLong(usize),
    /// Not a letter or digit.
    #[error("'{0}' is not allowed in a call id: call ids are letters and digits only")]
    BadCharacter(char),
}

impl CallIdError {
    /// The message, naming `provider` (its display name) where the rule is the provider's.
    pub fn message(&self, provider: &str) -> String {
        match self {
            CallIdError::Empty => self.to_string(),
            CallIdError::TooLong(n) => {
                format!("the call id has {n} characters; {provider} keeps at most 50")
            }
            CallIdError::BadCharacter(c) => format!(
                "'{c}' is not allowed in a call id: {provider} call ids are letters and digits only"
            ),
        }
    }
}

/// Checks a user-given call id.
pub fn validate(callid: &str) -> Result<(), CallIdError> {
    if callid.is_empty() {
        return Err(CallIdError::Empty);
    }
    if let Some(c) = callid.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(CallIdError::BadCharacter(c));
    }
    let len = callid.chars().count();
    if len > MAX_LEN {
        return Err(CallIdError::TooLong(len));
    }
    Ok(())
}

/// The prefix every derived call id of a campaign starts with: the campaign name's letters and
/// digits (cut to 30, plus an 8-hex-digit hash of the full name when cut).
pub fn prefix(campaign: &str) -> String {
    let alnum: String = campaign
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if alnum.len() <= PREFIX_LEN {
        return alnum;
    }
    let hash = fnv1a(campaign.as_bytes());
    format!("{}{:08x}", &alnum[..PREFIX_LEN - 8], hash as u32)
}

/// A deterministic call id for `number` in a campaign whose [`prefix`] is given: the same
/// campaign and number always give the same id, so re-runs produce byte-identical posts.
///
/// ```
/// use outdial::{callid, phone};
/// let number = phone::parse("818-555-0100").unwrap();
/// assert_eq!(callid::derive(&callid::prefix("web-outage"), &number), "weboutage8185550100");
/// ```
pub fn derive(prefix: &str, number: &PhoneNumber) -> String {
    let mut id = String::with_capacity(prefix.len() + 10);
    id.push_str(prefix);
    id.push_str(number.as_str());
    id
}

/// FNV-1a: stable across platforms and releases (unlike std's hasher), which derived ids need.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_short_alphanumeric_and_stable() {
        let n = crate::phone::parse("8185550100").unwrap();
        assert_eq!(derive(&prefix("web-outage"), &n), "weboutage8185550100");
        let long = "a-very-long-campaign-name-for-the-school-district-snow-day";
        let id = derive(&prefix(long), &n);
        assert!(id.len() <= MAX_LEN && validate(&id).is_ok(), "{id}");
        assert_ne!(prefix(long), prefix(&format!("{long}-2")));
        assert_eq!(prefix(long), prefix(long));
    }

    #[test]
    fn validates_user_ids() {
        assert!(validate("vip1").is_ok());
        assert_eq!(validate(""), Err(CallIdError::Empty));
        assert_eq!(validate("vip-1"), Err(CallIdError::BadCharacter('-')));
        assert_eq!(validate(&"a".repeat(51)), Err(CallIdError::TooLong(51)));
    }
}
