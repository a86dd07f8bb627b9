//! Credentials: a username and password read from the environment (never from the
//! campaign), why they cannot be used, and what in them a provider's requests cannot carry.

use std::fmt;

/// A username and password from the environment, for providers that take them.
///
/// Held apart from the campaign so that they only ever come from the environment; `Debug`
/// never shows the values.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user or key.
    pub username: String,
    /// The password or secret.
    pub password: String,
}

impl Credentials {
    /// Stand-ins with the same shape, for dry runs: `***`.
    pub fn redacted() -> Credentials {
        Credentials {
            username: "***".into(),
            password: "***".into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(***)")
    }
}

/// Why credentials from the environment cannot be used. Never holds a credential's value.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// One variable of the pair is set, the other is not.
    #[error("only one of {set} and {unset} is set")]
    OnlyOne {
        /// The variable that is set.
        set: &'static str,
        /// The one that is not.
        unset: &'static str,
    },
    /// A value holds a character the provider's request cannot carry.
    #[error("{var} holds {what}, which {provider} cannot take")]
    Unusable {
        /// The variable.
        var: &'static str,
        /// The character, named by its code point (never the value itself).
        what: String,
        /// The provider's name.
        provider: &'static str,
    },
}

impl CredentialError {
    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            CredentialError::OnlyOne { .. } => {
                "set both, or neither (then posts carry no credentials)"
            }
            CredentialError::Unusable { .. } => {
                "copy the value again from the provider's account page (a stray line break or tab often comes with a paste)"
            }
        }
    }
}

/// The first control character in a credential, named by its code point: no request format
/// outdial speaks carries one intact (an XML attribute turns a line break into a space, an
/// HTTP header ends at one).
pub(crate) fn control_character(value: &str) -> Option<String> {
    value
        .chars()
        .find(|c| c.is_control())
        .map(|c| format!("a control character (U+{:04X})", u32::from(c)))
}
