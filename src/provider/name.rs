//! The providers by name: the values `provider = "…"` accepts, what each is called, where its
//! credentials come from, and the provider tables of the campaign file.
//!
//! A low file: the campaign file, the journal and the state store name providers through it
//! without reaching the [`Provider`](super::Provider) interface (which imports them). It reads
//! each provider's fixed facts from that provider's `facts.rs` and its table type from its
//! `section.rs`, both as low as this.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::voicent::facts as voicent;
use super::voiceshot::facts as voiceshot;
use super::voipcomm::facts as voipcomm;

/// Which API the campaign compiles to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Provider")]
pub enum ProviderName {
    /// VoiceShot IVR API (`<campaign>` XML posts).
    #[default]
    Voiceshot,
    /// Voicent Gateway call scheduler.
    Voicent,
    /// voip-communications.net make-calls API.
    Voipcomm,
}

impl ProviderName {
    /// The key written in the campaign file (`voiceshot`).
    pub fn key(self) -> &'static str {
        match self {
            ProviderName::Voiceshot => "voiceshot",
            ProviderName::Voicent => "voicent",
            ProviderName::Voipcomm => "voipcomm",
        }
    }

    /// Whether the provider calls numbers outside North America (written `+` and a country
    /// code, checked with libphonenumber's rules), as each provider's module says.
    pub fn calls_abroad(self) -> bool {
        match self {
            ProviderName::Voiceshot => voiceshot::CALLS_ABROAD,
            ProviderName::Voicent => voicent::CALLS_ABROAD,
            ProviderName::Voipcomm => voipcomm::CALLS_ABROAD,
        }
    }

    /// Whether the provider posts Call Events that `[[on_keypress]]` rules answer, as each
    /// provider's module says.
    pub fn takes_call_commands(self) -> bool {
        match self {
            ProviderName::Voiceshot => voiceshot::CALL_COMMANDS,
            ProviderName::Voicent => voicent::CALL_COMMANDS,
            ProviderName::Voipcomm => voipcomm::CALL_COMMANDS,
        }
    }

    /// Every provider, in a stable order.
    pub const ALL: [ProviderName; 3] = [
        ProviderName::Voiceshot,
        ProviderName::Voicent,
        ProviderName::Voipcomm,
    ];

    /// The environment variables this provider's credentials come from (user, password), if
    /// it takes any: the one list that credentials are read from and the help names.
    pub fn credential_vars(self) -> Option<(&'static str, &'static str)> {
        match self {
            ProviderName::Voiceshot => Some(voiceshot::CREDENTIAL_VARS),
            // The gateway has no authentication.
            ProviderName::Voicent => None,
            ProviderName::Voipcomm => Some(voipcomm::CREDENTIAL_VARS),
        }
    }

    /// The commands that post to it with its credentials, for `--help`: only those it takes.
    pub fn credential_commands(self) -> &'static str {
        match self {
            ProviderName::Voiceshot => "send, pause, resume, delete, query, sounds, ping",
            // The gateway has no authentication.
            ProviderName::Voicent => "",
            // The one documented request, and the delete URL a campaign may configure; `query`
            // answers from the journal.
            ProviderName::Voipcomm => "send; delete when scheduled_delete_url is set",
        }
    }

    /// How people call it (`VoiceShot`).
    pub fn display(self) -> &'static str {
        match self {
            ProviderName::Voiceshot => "VoiceShot",
            ProviderName::Voicent => "the Voicent Gateway",
            ProviderName::Voipcomm => "voip-communications.net",
        }
    }
}

/// Adds one field per provider table (`[voiceshot]`, …) to the campaign file's struct, so the
/// tables are known to serde and to the JSON Schema with the rest of the file. (A macro
/// rather than `#[serde(flatten)]`: flattening buffers the values and loses toml's spans.)
macro_rules! with_provider_tables {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        $vis struct $name {
            $($body)*
            /// VoiceShot settings: the designed campaign (menuid), caller ID, batching.
            #[serde(default)]
            pub voiceshot: Option<$crate::provider::voiceshot::section::Section>,
            /// voip-communications.net settings: caller ID, recording, callback, and what
            /// plays when a person or a machine answers.
            #[serde(default)]
            pub voipcomm: Option<$crate::provider::voipcomm::section::Section>,
            /// Voicent Gateway settings: the gateway's URL, what each call plays, pacing.
            #[serde(default)]
            pub voicent: Option<$crate::provider::voicent::section::Section>,
        }
    };
}
pub(crate) use with_provider_tables;
