//! Fixed facts about VoiceShot that the provider registry ([`crate::provider::name`]) names
//! without building the provider: a low file, importing nothing.

/// VoiceShot dials North American numbers only (10 digits in `<phonenumber number>`).
pub const CALLS_ABROAD: bool = false;

/// The environment variables credentials come from (user, password).
pub const CREDENTIAL_VARS: (&str, &str) = ("VOICESHOT_USERNAME", "VOICESHOT_PASSWORD");

/// VoiceShot posts Call Events (keys pressed) that `outdial listen` answers with the
/// campaign's `[[on_keypress]]` rules.
pub const CALL_COMMANDS: bool = true;
