//! Fixed facts about the Voicent Gateway that the provider registry
//! ([`crate::provider::name`]) names without building the provider: a low file, importing
//! nothing.

/// The gateway dials through the phone line it sits on; outdial keeps it to North American
/// numbers, whose shape it can check (the gateway's pages say nothing of dialing abroad).
pub const CALLS_ABROAD: bool = false;

/// The gateway posts no Call Events: `[[on_keypress]]` rules would never run.
pub const CALL_COMMANDS: bool = false;
