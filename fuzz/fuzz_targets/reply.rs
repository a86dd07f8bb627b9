//! Every provider's replies: VoiceShot command and Call Query replies, the Voicent Gateway's
//! call, status and removal replies, voip-communications.net's JSON replies and its
//! scheduled-calls list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outdial::provider::voiceshot::reply::{parse_command_reply, parse_query_reply};
use outdial::provider::{voicent, voipcomm};

fuzz_target!(|data: &[u8]| {
    let _ = parse_command_reply(data);
    let _ = parse_query_reply(data);
    let _ = voicent::reply::read_call_reply(data);
    let _ = voicent::reply::read_status(data);
    let _ = voicent::reply::read_removal(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = voicent::reply::attempts(text);
    }
    // The first byte picks the HTTP status the body came with.
    if let Some((&status, body)) = data.split_first() {
        let status = [200, 400, 401, 402, 500][usize::from(status) % 5];
        let _ = voipcomm::reply::read(status, body);
    }
    let _ = voipcomm::reply::read_removal(data);
    for array in ["/data", "/result/calls", ""] {
        let _ = voipcomm::reply::read_list(data, array);
    }
});
