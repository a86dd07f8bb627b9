//! The dialler: ends immediate calls once due and posts each end to its callback URL, as
//! the real service would.

use std::thread;
use std::time::{Duration, Instant};

use super::calls::{CallStatus, Outcome, SandboxCall, end};
use super::state::{Shared, lock};

/// Ends immediate calls once due and delivers their callbacks (outside the lock: a slow
/// receiver must not hold up the API).
pub(super) fn dial_loop(shared: &Shared) {
    // Loopback only, so no proxy; a receiver gets 2 s to answer.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build();
    let Ok(client) = client else { return };
    while !shared.stop.is_stopped() {
        thread::sleep(Duration::from_millis(10));
        let now = Instant::now();
        let mut ended = Vec::new();
        {
            let mut calls = lock(&shared.calls);
            for call in calls.iter_mut() {
                if call.status == CallStatus::Dialling && call.due.is_some_and(|d| d <= now) {
                    end(call);
                    if call.params.contains_key("callback_url") {
                        ended.push(call.clone());
                    }
                }
            }
        }
        for call in ended {
            let delivered = deliver_callback(&client, &call);
            if let Some(c) = lock(&shared.calls)
                .iter_mut()
                .find(|c| c.callid == call.callid)
            {
                c.callback_delivered = Some(delivered);
            }
        }
    }
}

/// POSTs the end of `call` to its callback URL (its query included: outdial names the call
/// there); only to loopback, so the stand-in never reaches out to the network.
fn deliver_callback(client: &reqwest::blocking::Client, call: &SandboxCall) -> bool {
    let Some(url) = call.params.get("callback_url") else {
        return false;
    };
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "http" || !loopback {
        return false;
    }
    let status = match call.outcome {
        Some(Outcome::Person) => "Person",
        Some(Outcome::Machine) => "Machine",
        Some(Outcome::NoAnswer) => "NoAnswer",
        Some(Outcome::Busy) => "Busy",
        None => return false,
    };
    let body = super::super::form_body(&[
        ("callid", call.callid.clone()),
        ("to", call.to.clone()),
        ("status", status.to_string()),
        ("billed_seconds", call.billed_seconds.to_string()),
    ]);
    let send = || {
        client
            .post(url.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .is_ok_and(|r| r.status().is_success())
    };
    // A receiver that is restarting or busy gets a few more tries, as a real callback sender
    // would retry: listen stores a redelivered callback once.
    let mut wait = Duration::from_millis(200);
    for _ in 1..CALLBACK_TRIES {
        if send() {
            return true;
        }
        thread::sleep(wait);
        wait *= 2;
    }
    send()
}

/// Tries per callback.
const CALLBACK_TRIES: u32 = 4;
