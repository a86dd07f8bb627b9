//! Fixed facts about the Voicent Gateway that the provider registry
//! ([`crate::provider::name`]) names without building the provider: a low file, importing
//! nothing.

/// The gateway dials through the phone line it sits on; outdial keeps it to North American
/// numbers, whose shape it can check (the gateway's pages say nothing of dialing abroad).
pub const CALLS_ABROAD: bool = false;
