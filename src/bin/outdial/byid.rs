//! Commands for providers that know calls only by their own id (the Voicent Gateway):
//! `resolve`, `delete` and `ping` by id, the in-doubt list of `send`, and
//! `sandbox --provider voicent`. Kept apart from `net.rs` so the command files can move.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use outdial::campaign::Campaign;
use outdial::diagnostic::Problem;
use outdial::journal::{self, JournalState};
use outdial::plan::Action;
use outdial::provider::voicent::sandbox::{Faults, Sandbox, SandboxConfig};
use outdial::submit::{self, CallReport, InDoubtCall, Submitter};
use serde_json::json;

use crate::args::{Format, NetArgs, Target};
use crate::commands::{Exit, load, options, plural};
use crate::net::{fail, first_endpoint, journal_path, open_journal, submit_options, transport};
use crate::output::Output;

/// How many calls in doubt are listed in full.
const LISTED: usize = 50;

/// The help of a send that left calls in doubt: which, and how to settle them.
pub(crate) fn in_doubt_help(list: &[InDoubtCall], resume: &str) -> String {
    let mut text = String::from(
        "nothing was sent twice; every other call was sent. Look these calls up in the provider's own records:",
    );
    for c in list.iter().take(LISTED) {
        text.push_str(&format!("\n  {} {}", c.number, c.label));
    }
    if list.len() > LISTED {
        text.push_str(&format!("\n  … and {} more", list.len() - LISTED));
    }
    text.push_str(
        "\nthen settle them: `outdial resolve FILE --sent ID…` (found there) / `--not-sent ID…` (not found), \
         or send them again regardless with `outdial send FILE --resend-in-doubt`",
    );
    text.push_str(resume);
    text
}

/// The journal's state, read without locking.
pub(crate) fn journal_state(
    file: &Path,
    campaign: &Campaign,
    net: &NetArgs,
    out: &Output,
) -> Result<JournalState, Exit> {
    journal::read_state(&journal_path(file, campaign, net)).map_err(|e| {
        out.problem(&Problem::error("journal::read", e.to_string()));
        Exit::Invalid
    })
}

/// Response names over all reports, sorted: the extra columns of `query`.
pub(crate) fn response_names(reports: &[CallReport]) -> Vec<String> {
    let names: BTreeSet<&String> = reports.iter().flat_map(|r| r.responses.keys()).collect();
    names.into_iter().cloned().collect()
}

/// ` name=value …` for the human table (empty without responses).
pub(crate) fn responses_text(r: &CallReport) -> String {
    r.responses
        .iter()
        .map(|(k, v)| format!(" {k}={v}"))
        .collect()
}

/// `resolve FILE --sent ID… --not-sent ID…`.
pub fn resolve(
    file: &Path,
    sent: &[String],
    not_sent: &[String],
    net: &NetArgs,
    out: &Output,
) -> Exit {
    let Some((campaign, _)) = load(file, &options(false), out) else {
        return Exit::Invalid;
    };
    let jpath = journal_path(file, &campaign, net);
    let mut journal = match open_journal(&jpath, &campaign, &first_endpoint(&campaign, net), out) {
        Ok(j) => j,
        Err(e) => return e,
    };
    match submit::settle(&mut journal, sent, not_sent) {
        Ok(s) => {
            out.summary(&format!(
                "{}: settled {} as sent (never sent again) and {} as not sent (the next send posts them); {} still in doubt",
                campaign.name,
                plural(s.sent, "call", "calls"),
                s.not_sent,
                journal.state().in_doubt().len()
            ));
            if out.format() == Format::Json {
                out.event(
                    &json!({"type": "resolved", "sent": s.sent, "not_sent": s.not_sent,
                    "in_doubt": journal.state().in_doubt()}),
                );
            }
            Exit::Ok
        }
        Err(e) => {
            let in_doubt = journal.state().in_doubt();
            out.problem(&Problem::error("resolve::refused", e.to_string()).help(
                if in_doubt.is_empty() {
                    "the journal has no calls in doubt".to_string()
                } else {
                    format!("calls in doubt: {}", in_doubt.join(" "))
                },
            ));
            Exit::Usage
        }
    }
}

/// `delete` and `ping` (and `--dry-run` of `delete`/`query`) for providers that know calls by
/// their own id.
pub(crate) fn command(
    campaign: &Campaign,
    target: &Target,
    action: Action,
    net: &NetArgs,
    out: &Output,
) -> Result<Exit, Exit> {
    let state = journal_state(&target.file, campaign, net, out)?;
    if target.dry_run {
        let by_id = campaign.provider().by_id().expect("a by-id provider");
        let mut stdout = std::io::stdout().lock();
        let plan = outdial::plan::all_posts(campaign, Action::Query).map_err(|p| {
            out.problem(&p);
            Exit::Invalid
        })?;
        let kind = match action {
            Action::Ping => outdial::plan::PostKind::Ping,
            _ => outdial::plan::PostKind::Delete,
        };
        let ids: Vec<String> = if action == Action::Ping {
            vec![by_id.probe_id().to_owned()]
        } else {
            plan.iter()
                .flat_map(|p| p.body.recipients())
                .filter_map(|r| {
                    state
                        .provider_id(&r.callid, r.number.as_str())
                        .map(str::to_owned)
                })
                .collect()
        };
        for id in ids {
            let (path, body) = by_id.request(kind, &id);
            let _ = writeln!(stdout, "{path}\n{}", String::from_utf8_lossy(&body));
        }
        return Ok(Exit::Ok);
    }
    let transport = transport(campaign, net, None, out)?;
    let submitter = Submitter {
        campaign,
        transport: &transport,
        credentials: None,
        options: submit_options(net),
    };
    let name = campaign.provider().name().display();
    match action {
        Action::Ping => match submitter.ping_by_id() {
            Ok(()) => {
                out.summary(&format!("{}: {name} answered", campaign.name));
                Ok(Exit::Ok)
            }
            Err(e) => Err(fail(e, None, out)),
        },
        _ => match submitter.delete_by_id(&state, &mut |_| {}) {
            Ok(r) => {
                out.summary(&format!(
                    "{}: {name} removed {} not made yet; {} already gone, {} kept (made or failed), {} never taken or in doubt",
                    campaign.name,
                    plural(r.removed, "call", "calls"),
                    r.not_found,
                    r.finished,
                    r.unknown
                ));
                if out.format() == Format::Json {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["type"] = json!("done");
                    v["action"] = json!(action.name());
                    out.event(&v);
                }
                Ok(Exit::Ok)
            }
            Err(e) => Err(fail(e, None, out)),
        },
    }
}

/// A `--faults` spec that does not parse.
pub(crate) fn bad_faults(e: &dyn std::error::Error, out: &Output) -> Exit {
    out.problem(&Problem::error("usage::faults", e.to_string()));
    Exit::Usage
}

/// `sandbox --provider voicent`: serves until killed.
pub fn sandbox(port: u16, dial_delay: Duration, faults: &str, out: &Output) -> Exit {
    let faults: Faults = match faults.parse() {
        Ok(f) => f,
        Err(e) => return bad_faults(&e, out),
    };
    let cfg = SandboxConfig {
        addr: (std::net::Ipv4Addr::LOCALHOST, port).into(),
        dial_delay,
        faults,
        ..SandboxConfig::default()
    };
    let sb = match Sandbox::start(cfg) {
        Ok(sb) => sb,
        Err(e) => {
            out.problem(
                &Problem::error("sandbox::start", format!("cannot start the sandbox: {e}"))
                    .help("pick another --port, or --port 0 for a free one"),
            );
            return Exit::Usage;
        }
    };
    if out.format() == Format::Json {
        out.event(&json!({"type": "sandbox", "url": sb.url()}));
    } else {
        // Scripts read this line to learn the port, so it is printed even with -q.
        let _ = writeln!(std::io::stdout().lock(), "{}", sb.url());
    }
    sb.wait();
    Exit::Ok
}
