//! Fixed facts about voip-communications.net that the provider registry
//! ([`crate::provider::name`]) names without building the provider: a low file, importing
//! nothing.

/// `to` is "country code + area code + number" on the make-calls page: numbers abroad too.
pub const CALLS_ABROAD: bool = true;

/// The environment variables credentials come from (API key, API password).
pub const CREDENTIAL_VARS: (&str, &str) = ("VOIPCOMM_API_KEY", "VOIPCOMM_API_PASSWORD");

/// The API posts no Call Events: `[[on_keypress]]` rules would never run.
pub const CALL_COMMANDS: bool = false;
