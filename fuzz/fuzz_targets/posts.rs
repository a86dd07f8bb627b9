//! What providers post back to `listen`: VoiceShot Call Summaries and Call Events, and
//! voip-communications.net callbacks (as a form, JSON, text/plain key=value lines and
//! multipart/form-data), and outdial's call id in a callback URL's query string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outdial::provider::voiceshot::{events, summary};
use outdial::provider::voipcomm::callback;

fuzz_target!(|data: &[u8]| {
    let _ = summary::parse_summary(data);
    let _ = events::parse_event(data);
    for ctype in [
        None,
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=b"),
    ] {
        let _ = callback::parse_callback(data, ctype);
    }
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = callback::our_callid_in(query);
    }
});
