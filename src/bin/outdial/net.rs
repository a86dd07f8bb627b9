//! The commands that talk to the provider (`send`, `pause`, `resume`, `delete`, `query`,
//! `sounds`, `ping`) and `sandbox`: thin wrappers over `outdial::submit` that render its
//! events and map its errors to exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use outdial::campaign::Campaign;
use outdial::diagnostic::Problem;
use outdial::journal::{self, Journal, JournalError};
use outdial::plan::{self, Action, Post};
use outdial::provider::voiceshot::sandbox::{Faults, Sandbox, SandboxConfig};
use outdial::provider::{self, Credentials, EncodeError, Lookup};
use outdial::submit::{
    self, CallReport, Event, Reach, Secrets, SubmitError, SubmitOptions, Submitter, Transport,
    TransportConfig,
};
use serde_json::json;

use crate::args::{Format, NetArgs, Target};
use crate::commands::{Exit, load, options, plural};
use crate::output::Output;

/// Credentials from the environment; both variables or neither.
fn credentials(campaign: &Campaign, out: &Output) -> Result<Option<Credentials>, Exit> {
    provider::credentials_from(campaign.provider(), |k| std::env::var(k).ok()).map_err(|e| {
        out.problem(
            &Problem::error("usage::credentials", e.to_string())
                .help("set both, or neither (then posts carry no credentials)"),
        );
        Exit::Usage
    })
}

/// The campaign, checked to support `action`.
fn campaign(file: &Path, action: Action, out: &Output) -> Result<Campaign, Exit> {
    let (campaign, _) = load(file, &options(false), out).ok_or(Exit::Invalid)?;
    let provider = campaign.provider();
    if !provider.supports(action) {
        out.problem(
            &Problem::error(
                "usage::unsupported",
                format!(
                    "{} cannot {}: it has no such request",
                    provider.name().display(),
                    action.name()
                ),
            )
            .in_file(&campaign.source),
        );
        return Err(Exit::Usage);
    }
    Ok(campaign)
}

/// The moment `--dry-run` writes posts for.
fn now(net: &NetArgs) -> jiff::Timestamp {
    net.now.unwrap_or_else(jiff::Timestamp::now)
}

fn transport_config(
    campaign: &Campaign,
    net: &NetArgs,
    creds: Option<&Credentials>,
) -> TransportConfig {
    let endpoints = match &net.endpoint {
        // An explicit endpoint is a deliberate target (a sandbox, a proxy): never fall back to
        // the real service behind the user's back.
        Some(url) => std::iter::once(url.clone())
            .chain(net.fallback_endpoint.clone())
            .collect(),
        None => {
            let mut endpoints = campaign.provider().endpoints();
            if let Some(fallback) = &net.fallback_endpoint {
                endpoints.truncate(1);
                endpoints.push(fallback.clone());
            }
            endpoints
        }
    };
    TransportConfig {
        endpoints,
        connect_timeout: net.connect_timeout,
        timeout: net.timeout,
        retries: net.retries,
        backoff: net.backoff,
        allow_insecure: net.allow_insecure,
        head: campaign.provider().head(creds),
        secrets: creds.map_or_else(Secrets::default, |c| {
            Secrets::new(
                [c.username.as_str(), c.password.as_str()],
                Some((&c.username, &c.password)),
            )
        }),
        answer_statuses: campaign.provider().answer_statuses().to_vec(),
        ..TransportConfig::default()
    }
}

pub(crate) fn transport(
    campaign: &Campaign,
    net: &NetArgs,
    creds: Option<&Credentials>,
    out: &Output,
) -> Result<Transport, Exit> {
    Transport::new(transport_config(campaign, net, creds), creds.is_some()).map_err(|e| {
        let vars = campaign
            .provider()
            .credential_vars()
            .map(|(user, pass)| format!("credentials come from {user} / {pass}"))
            .unwrap_or_default();
        out.problem(&Problem::error("send::insecure", e.to_string()).help(vars));
        Exit::Usage
    })
}

pub(crate) fn submit_options(net: &NetArgs) -> SubmitOptions {
    SubmitOptions {
        trust_journal: net.trust_journal,
        settle: net
            .settle
            .unwrap_or_else(|| SubmitOptions::default_settle(net.timeout)),
    }
}

pub(crate) fn journal_path(file: &Path, campaign: &Campaign, net: &NetArgs) -> PathBuf {
    net.journal
        .clone()
        .unwrap_or_else(|| journal::default_path(file, &campaign.name))
}

/// Where the campaign's posts go first: `--endpoint`, else the provider's.
pub(crate) fn first_endpoint(campaign: &Campaign, net: &NetArgs) -> String {
    net.endpoint
        .clone()
        .or_else(|| campaign.provider().endpoints().into_iter().next())
        .unwrap_or_default()
}

pub(crate) fn open_journal(
    path: &Path,
    campaign: &Campaign,
    endpoint: &str,
    out: &Output,
) -> Result<Journal, Exit> {
    let provider = campaign.provider();
    Journal::open(path, &campaign.name, provider.name(), endpoint).map_err(|e| {
        let help = match (&e, provider.lookup()) {
            (JournalError::Tampered { .. }, Lookup::ByCallId { .. }) => format!(
                "move the journal aside (rename it) and run again: outdial then asks {} which calls it already holds and sends only the others",
                provider.name().display()
            ),
            (JournalError::Tampered { .. }, Lookup::None) => format!(
                "{} cannot be asked which calls it holds: restore the journal from a backup, or check the calls in {}'s own records before sending again",
                provider.name().display(),
                provider.name().display()
            ),
            _ => "the journal records what was sent; see `--journal`".to_string(),
        };
        out.problem(&Problem::error("journal::open", e.to_string()).help(help));
        Exit::Invalid
    })
}

/// A progress bar on stderr, only for people watching a terminal.
fn progress(len: usize, out: &Output) -> ProgressBar {
    if out.format() != Format::Human || !io::stderr().is_terminal() || len < 2 {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} posts {msg} [{elapsed}]")
    {
        pb.set_style(style);
    }
    pb
}

/// Renders one event: JSON line, progress tick, or a note on stderr.
fn show(event: &Event, provider: &str, out: &Output, pb: &ProgressBar) {
    if out.format() == Format::Json {
        out.event(&serde_json::to_value(event).unwrap_or_default());
    }
    let note = match event {
        Event::Post { .. } => {
            pb.inc(1);
            None
        }
        Event::Retry {
            seq,
            error,
            next,
            wait_ms,
        } => Some(format!(
            "post {seq}: {error}; retrying on {next} in {wait_ms} ms"
        )),
        Event::Ambiguous {
            seq,
            error,
            numbers,
        } => Some(format!(
            "post {seq}: {error}; {} may hold {} — querying before anything is re-sent",
            provider,
            plural(*numbers, "call", "calls")
        )),
        Event::Resolved {
            seq,
            present,
            missing,
        } => Some(format!(
            "post {seq}: query found {present} of {} calls in doubt; {missing} will be sent",
            present + missing
        )),
    };
    if let Some(note) = note {
        pb.suspend(|| out.note(&note));
    }
}

pub(crate) fn fail(err: SubmitError, journal: Option<&Path>, out: &Output) -> Exit {
    let resume = journal
        .map(|p| format!(" (journal: {})", p.display()))
        .unwrap_or_default();
    if let SubmitError::Plan(problem) = &err {
        out.problem(problem);
        return Exit::Invalid;
    }
    let (exit, help) = match &err {
        SubmitError::Rejected { rejection, .. } if rejection.refusal => (
            Exit::Refused,
            rejection.help.clone().unwrap_or_else(|| "the provider account needs attention (see the message)".to_string()),
        ),
        SubmitError::Rejected { rejection, .. } => (
            Exit::Rejected,
            rejection.help.clone().unwrap_or_else(|| "fix the campaign (see `outdial compile` for the exact XML), then run the command again".to_string()),
        ),
        SubmitError::InDoubt { list, .. } => (
            Exit::Transport,
            crate::byid::in_doubt_help(list, &resume),
        ),
        SubmitError::Transport { .. } => (
            Exit::Transport,
            format!("nothing accepted will be sent twice: run the same command again to resume{resume}"),
        ),
        SubmitError::Changed { changes, orphaned, taken } => {
            let list: Vec<String> = changes.iter().take(10).map(|c| match &c.now {
                Some(_) => format!("post {} differs", c.seq),
                None => format!("post {} is no longer in the plan", c.seq),
            }).collect();
            (
                Exit::Invalid,
                format!(
                    "{} ({} of {} already at the provider or in doubt{}). Nothing was sent. \
                     Undo the edit, or send the change as a new campaign (new name), or pass \
                     --allow-changed to send only recipients never sent before — calls already \
                     placed keep their old content{resume}",
                    list.join(", "),
                    plural(*taken, "call id", "call ids"),
                    "this campaign",
                    if *orphaned > 0 { format!(", {orphaned} no longer in the file") } else { String::new() },
                ),
            )
        }
        SubmitError::Journal(_) | SubmitError::Render(_) | SubmitError::Io(_) | SubmitError::Plan(_) => {
            (Exit::Invalid, "see the message".to_string())
        }
    };
    if out.format() == Format::Json {
        out.event(&json!({"type": "failed", "exit": exit as u8, "error": err.to_string()}));
    }
    out.problem(&Problem::error("send::failed", err.to_string()).help(help));
    exit
}

fn dry_run_post(
    campaign: &Campaign,
    seq: usize,
    kind: &str,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
    out: &Output,
) -> Result<(), Exit> {
    let mut xml = Vec::new();
    write(&mut xml).map_err(|e| {
        out.problem(&Problem::error("send::render", e.to_string()).in_file(&campaign.source));
        Exit::Invalid
    })?;
    if out.format() == Format::Json {
        out.event(&json!({"type": "post", "seq": seq, "kind": kind, "dry_run": true, "xml": String::from_utf8_lossy(&xml)}));
    } else {
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(&xml);
        let _ = stdout.write_all(b"\n");
    }
    Ok(())
}

/// Prints every post of a plan as it would be sent, credentials redacted.
fn dry_run_plan(
    campaign: &Campaign,
    posts: &[plan::Post<'_>],
    creds: Option<&Credentials>,
    now: jiff::Timestamp,
    out: &Output,
) -> Result<Exit, Exit> {
    let redacted = creds.map(|_| Credentials::redacted());
    for post in posts {
        dry_run_post(
            campaign,
            post.seq,
            post.body.kind().name(),
            |w| {
                campaign
                    .provider()
                    .encode_at(campaign, post, redacted.as_ref(), now, w)
            },
            out,
        )?;
    }
    Ok(Exit::Ok)
}

/// `send`.
pub fn send(
    target: &Target,
    allow_changed: bool,
    resend_in_doubt: bool,
    net: &NetArgs,
    out: &Output,
) -> Exit {
    match send_inner(target, allow_changed, resend_in_doubt, net, out) {
        Ok(e) | Err(e) => e,
    }
}

fn send_inner(
    target: &Target,
    allow_changed: bool,
    resend_in_doubt: bool,
    net: &NetArgs,
    out: &Output,
) -> Result<Exit, Exit> {
    let campaign = campaign(&target.file, Action::Send, out)?;
    let creds = credentials(&campaign, out)?;
    let jpath = journal_path(&target.file, &campaign, net);
    // Planned once: with a CSV, each plan is a full read of the file.
    let posts = planned(&campaign, Action::Send, out)?;
    if target.dry_run {
        let state = journal::read_state(&jpath).map_err(|e| {
            out.problem(&Problem::error("journal::read", e.to_string()));
            Exit::Invalid
        })?;
        let (changes, _, _) =
            submit::changes(&campaign, &posts, &state).map_err(|e| fail(e, None, out))?;
        if !changes.is_empty() {
            out.note(&format!(
                "{} changed since the journal recorded them; `send` would refuse (see --allow-changed)",
                plural(changes.len(), "post", "posts")
            ));
        }
        let previews =
            submit::preview_send(&campaign, &posts, &state).map_err(|e| fail(e, None, out))?;
        let redacted = creds.as_ref().map(|_| Credentials::redacted());
        for (p, post) in previews.iter().zip(&posts) {
            if p.skip {
                out.note(&format!(
                    "post {} ({}): already accepted, skipped",
                    p.seq, p.kind
                ));
                continue;
            }
            if p.in_doubt > 0 {
                out.note(&format!(
                    "post {}: {} in doubt would be queried first; only those not found are sent",
                    p.seq,
                    plural(p.in_doubt, "call", "calls")
                ));
            }
            dry_run_post(
                &campaign,
                p.seq,
                p.kind.name(),
                |w| p.render_at(&campaign, post, redacted.as_ref(), now(net), w),
                out,
            )?;
        }
        return Ok(Exit::Ok);
    }
    let transport = transport(&campaign, net, creds.as_ref(), out)?;
    let mut journal = open_journal(&jpath, &campaign, &first_endpoint(&campaign, net), out)?;
    let pb = progress(posts.len(), out);
    let submitter = Submitter {
        campaign: &campaign,
        transport: &transport,
        credentials: creds.as_ref(),
        options: submit_options(net),
    };
    let send = if resend_in_doubt {
        Submitter::send_resending
    } else {
        Submitter::send
    };
    let result = send(&submitter, &mut journal, &posts, allow_changed, &mut |e| {
        show(&e, campaign.provider().name().display(), out, &pb)
    });
    pb.finish_and_clear();
    match result {
        Ok(s) => {
            out.summary(&format!(
                "{}: sent {} in {} ({} skipped as already accepted{}); journal {}",
                campaign.name,
                plural(s.numbers_sent, "number", "numbers"),
                plural(s.accepted, "post", "posts"),
                s.skipped,
                if s.resolved_present > 0 {
                    format!(
                        ", {} already at {}, not sent again",
                        s.resolved_present,
                        campaign.provider().name().display()
                    )
                } else {
                    String::new()
                },
                jpath.display()
            ));
            if out.format() == Format::Json {
                let mut v = serde_json::to_value(&s).unwrap_or_default();
                v["type"] = json!("sent");
                v["journal"] = json!(jpath.display().to_string());
                out.event(&v);
            }
            Ok(Exit::Ok)
        }
        Err(e) => Err(fail(e, Some(&jpath), out)),
    }
}

/// `pause`, `resume`, `delete`, `sounds [--delete]`, `ping`.
pub fn command(target: &Target, action: Action, net: &NetArgs, out: &Output) -> Exit {
    match command_inner(target, action, net, out) {
        Ok(e) | Err(e) => e,
    }
}

/// The whole plan of `action`; a planning problem is shown and ends the command.
fn planned<'c>(
    campaign: &'c Campaign,
    action: Action,
    out: &Output,
) -> Result<Vec<Post<'c>>, Exit> {
    plan::all_posts(campaign, action).map_err(|problem| {
        out.problem(&problem);
        Exit::Invalid
    })
}

fn command_inner(
    target: &Target,
    action: Action,
    net: &NetArgs,
    out: &Output,
) -> Result<Exit, Exit> {
    let campaign = campaign(&target.file, action, out)?;
    if campaign.provider().by_id().is_some() {
        return crate::byid::command(&campaign, target, action, net, out);
    }
    let creds = credentials(&campaign, out)?;
    let posts = planned(&campaign, action, out)?;
    if target.dry_run {
        return dry_run_plan(&campaign, &posts, creds.as_ref(), now(net), out);
    }
    if posts.is_empty() {
        out.summary(&format!("{}: nothing to {}", campaign.name, action.name()));
        return Ok(Exit::Ok);
    }
    let transport = transport(&campaign, net, creds.as_ref(), out)?;
    let jpath = journal_path(&target.file, &campaign, net);
    let mut journal = open_journal(&jpath, &campaign, &first_endpoint(&campaign, net), out)?;
    let pb = progress(posts.len(), out);
    let submitter = Submitter {
        campaign: &campaign,
        transport: &transport,
        credentials: creds.as_ref(),
        options: submit_options(net),
    };
    let result = submitter.command(&mut journal, action, &posts, &mut |e| {
        show(&e, campaign.provider().name().display(), out, &pb)
    });
    pb.finish_and_clear();
    match result {
        Ok(n) => {
            let what = match action {
                Action::Ping => format!(
                    "{} answered: this host can post",
                    campaign.provider().name().display()
                ),
                Action::Pause => "paused pending calls".to_string(),
                Action::Resume => "resumed paused calls".to_string(),
                Action::Delete => format!(
                    "asked {} to delete this campaign's undialled calls ({})",
                    campaign.provider().name().display(),
                    plural(n, "post", "posts")
                ),
                Action::Sounds => format!("uploaded {}", plural(n, "sound file", "sound files")),
                Action::SoundsDelete => {
                    format!("deleted {}", plural(n, "sound file", "sound files"))
                }
                _ => format!("{} done", action.name()),
            };
            out.summary(&format!("{}: {what}", campaign.name));
            if out.format() == Format::Json {
                out.event(&json!({"type": "done", "action": action.name(), "posts": n}));
            }
            Ok(Exit::Ok)
        }
        Err(e) => Err(fail(e, Some(&jpath), out)),
    }
}

/// `query`.
pub fn query(target: &Target, net: &NetArgs, out: &Output) -> Exit {
    match query_inner(target, net, out) {
        Ok(e) | Err(e) => e,
    }
}

fn keys(r: &CallReport) -> String {
    r.keypresses
        .iter()
        .map(|(p, k)| format!("{p}:{k}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn reach_name(r: Reach) -> &'static str {
    match r {
        Reach::Reached => "reached",
        Reach::NotReached => "not-reached",
        Reach::Pending => "pending",
        Reach::NotFound => "not-found",
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn query_inner(target: &Target, net: &NetArgs, out: &Output) -> Result<Exit, Exit> {
    let campaign = campaign(&target.file, Action::Query, out)?;
    let creds = credentials(&campaign, out)?;
    if target.dry_run {
        let posts = planned(&campaign, Action::Query, out)?;
        return dry_run_plan(&campaign, &posts, creds.as_ref(), now(net), out);
    }
    let transport = transport(&campaign, net, creds.as_ref(), out)?;
    let submitter = Submitter {
        campaign: &campaign,
        transport: &transport,
        credentials: creds.as_ref(),
        options: submit_options(net),
    };
    let pb = progress(plan::post_count(&campaign, Action::Query), out);
    let mut on = |e: Event| {
        if !matches!(e, Event::Post { .. }) || out.format() != Format::Json {
            show(&e, campaign.provider().name().display(), out, &pb)
        } else {
            pb.inc(1)
        }
    };
    let result = match campaign.provider().by_id() {
        Some(_) => {
            let state = crate::byid::journal_state(&target.file, &campaign, net, out)?;
            submitter.query_by_id(&state, &mut on)
        }
        None => submitter.query(&mut on),
    };
    pb.finish_and_clear();
    let reports = result.map_err(|e| fail(e, None, out))?;
    let count = |r: Reach| reports.iter().filter(|c| c.result == r).count();
    let mut stdout = io::stdout().lock();
    match out.format() {
        Format::Json => {
            for r in &reports {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["type"] = json!("call");
                v["result"] = json!(reach_name(r.result));
                out.event(&v);
            }
            out.event(&json!({"type": "query", "recipients": reports.len(),
                "reached": count(Reach::Reached), "not_reached": count(Reach::NotReached),
                "pending": count(Reach::Pending), "not_found": count(Reach::NotFound)}));
        }
        Format::Csv => {
            let names = crate::byid::response_names(&reports);
            let _ = writeln!(
                stdout,
                "number,callid,result,status,comment,dateandtime,duration,keypresses{}",
                names
                    .iter()
                    .map(|n| format!(",{}", csv_field(n)))
                    .collect::<String>()
            );
            for r in &reports {
                let _ = writeln!(
                    stdout,
                    "{},{},{},{},{},{},{},{}{}",
                    csv_field(&r.number),
                    csv_field(&r.callid),
                    reach_name(r.result),
                    csv_field(&r.status),
                    csv_field(&r.comment),
                    csv_field(&r.dateandtime),
                    r.duration.map(|d| d.to_string()).unwrap_or_default(),
                    csv_field(&keys(r)),
                    names
                        .iter()
                        .map(|n| format!(
                            ",{}",
                            csv_field(r.responses.get(n).map_or("", String::as_str))
                        ))
                        .collect::<String>(),
                );
            }
        }
        Format::Human => {
            let _ = writeln!(
                stdout,
                "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  KEYS",
                "NUMBER", "CALLID", "RESULT", "STATUS", "COMMENT", "SECS"
            );
            for r in &reports {
                let _ = writeln!(
                    stdout,
                    "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  {}",
                    r.number,
                    r.callid,
                    reach_name(r.result),
                    r.status,
                    r.comment,
                    r.duration.map(|d| d.to_string()).unwrap_or_default(),
                    keys(r) + &crate::byid::responses_text(r)
                );
            }
            drop(stdout);
            out.summary(&format!(
                "{}: {} reached, {} not reached, {} pending, {} not found",
                plural(reports.len(), "recipient", "recipients"),
                count(Reach::Reached),
                count(Reach::NotReached),
                count(Reach::Pending),
                count(Reach::NotFound)
            ));
        }
    }
    Ok(Exit::Ok)
}

/// `sandbox`: serves until killed or `POST /_sandbox/shutdown`.
pub fn sandbox(
    port: u16,
    state: Option<PathBuf>,
    success_rate: f64,
    dial_delay: Duration,
    faults: Faults,
    seed: u64,
    out: &Output,
) -> Exit {
    let cfg = SandboxConfig {
        addr: (std::net::Ipv4Addr::LOCALHOST, port).into(),
        state_file: state,
        success_rate,
        dial_delay,
        seed,
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
        let _ = writeln!(io::stdout().lock(), "{}", sb.url());
    }
    sb.wait();
    Exit::Ok
}
