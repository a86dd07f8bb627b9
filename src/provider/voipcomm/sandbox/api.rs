//! The API's answers: a make-calls post (checked, stored, echoed back with its callid),
//! the scheduled-calls list and delete, and the 401 without the right credentials.

use std::collections::BTreeMap;
use std::time::Instant;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};

use super::calls::{CallStatus, SandboxCall, callid};
use super::faults::Route;
use super::state::{Shared, lock};
use super::validate::validate;
use crate::http_server::{closing, response};

/// A reply.
pub(super) type Page = Response<Full<Bytes>>;

pub(super) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Page {
    closing(response(status, content_type, body))
}

pub(super) fn json_reply(status: StatusCode, data: serde_json::Value) -> Page {
    respond(
        status,
        "application/json",
        serde_json::json!({ "data": data }).to_string(),
    )
}

/// Applies a request of the API: its answer, and whether it was applied (not a post the
/// page's rules refuse: nothing stored, and no fault follows).
pub(super) fn apply(
    shared: &Shared,
    route: Route,
    query: Option<&str>,
    body: &[u8],
    call_no: u32,
) -> (Page, bool) {
    match route {
        Route::Call => post_call(shared, body, call_no),
        Route::List => (list(shared), true),
        Route::Delete => {
            let mut form = parse_form(body);
            form.extend(parse_form(query.unwrap_or("").as_bytes()));
            let page = delete(shared, form.get("callid").cloned().unwrap_or_default());
            (page, true)
        }
    }
}

/// The scheduled-calls list: every call still waiting for its `call_date`.
fn list(shared: &Shared) -> Page {
    let list: Vec<serde_json::Value> = lock(&shared.calls)
        .iter()
        .filter(|c| c.status == CallStatus::Scheduled)
        .map(|c| {
            serde_json::json!({
                "callid": c.callid,
                "to": c.to,
                "call_date": c.params.get("call_date"),
            })
        })
        .collect();
    json_reply(StatusCode::OK, serde_json::Value::Array(list))
}

/// The scheduled-call delete of the call with this callid: only a call still scheduled.
fn delete(shared: &Shared, id: String) -> Page {
    let mut calls = lock(&shared.calls);
    match calls
        .iter_mut()
        .find(|c| c.callid == id && c.status == CallStatus::Scheduled)
    {
        Some(call) => {
            call.status = CallStatus::Deleted;
            json_reply(
                StatusCode::OK,
                serde_json::json!({"code": 200, "code_desc": "", "callid": id}),
            )
        }
        None => json_reply(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"code": 400, "code_desc": "no scheduled call with this callid", "callid": id}),
        ),
    }
}

/// The 401 to reply when the request lacks the configured credentials.
pub(super) fn auth_refusal(shared: &Shared, authorization: Option<&str>) -> Option<Page> {
    let (user, pass) = shared.cfg.credentials.as_ref()?;
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    );
    (authorization != Some(expected.as_str())).then(|| {
        json_reply(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"code": 401, "code_desc": "Invalid API credentials"}),
        )
    })
}

fn parse_form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The `n`th make-calls post: its reply, and whether the call was stored (not when the
/// page's rules refuse it: a 400).
fn post_call(shared: &Shared, body: &[u8], n: u32) -> (Page, bool) {
    let params = parse_form(body);
    if let Err(desc) = validate(&params) {
        let mut data: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        data.insert("code".into(), 400.into());
        data.insert("code_desc".into(), desc.into());
        let page = json_reply(StatusCode::BAD_REQUEST, serde_json::Value::Object(data));
        return (page, false);
    }
    let scheduled = params.contains_key("call_date");
    let call = SandboxCall {
        callid: callid(n, &params),
        to: params["to"].clone(),
        params: params.clone(),
        status: if scheduled {
            CallStatus::Scheduled
        } else {
            CallStatus::Dialling
        },
        outcome: None,
        billed_seconds: 0,
        sms: None,
        callback_delivered: None,
        request: n,
        due: (!scheduled).then(|| Instant::now() + shared.cfg.dial_delay),
    };
    let id = call.callid.clone();
    lock(&shared.calls).push(call);
    let mut data: serde_json::Map<String, serde_json::Value> = params
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    data.insert("code".into(), 200.into());
    data.insert("code_desc".into(), "".into());
    data.insert("callid".into(), id.into());
    (
        json_reply(StatusCode::OK, serde_json::Value::Object(data)),
        true,
    )
}
