//! VoiceShot's replies: command replies and Call Query replies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outdial::provider::voiceshot::reply::{parse_command_reply, parse_query_reply};

fuzz_target!(|data: &[u8]| {
    let _ = parse_command_reply(data);
    let _ = parse_query_reply(data);
});
