//! The fault matrix of a converging send at the providers that remove a call by the id they
//! gave it: the Voicent Gateway (a status poll, then `callremove` on the reqId) and
//! voip-communications.net (the configured scheduled-call delete, with the scheduled list).
//! Every fault at every request of the edited send (status polls, removals, the posts that
//! follow: 500, reset, drop after commit, garbage, a reply later than the client waits, a
//! removal applied after every retry failed) and a SIGKILL after every journal line. Whatever
//! happens: nobody ever has two live calls; re-runs (with calls in doubt settled from the
//! provider's records, as a person would) end with exactly one live call per recipient of
//! the file, with its new content, and none for those removed; and what the provider then
//! holds is what `plan` said before the send.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use outdial::provider::{voicent, voipcomm};

use crate::converge_faults::{AT10, AT11, EDITED, FIRST};

/// What `plan` says of the edit, at every provider here.
const PLANNED: [(&str, u64); 4] = [("create", 2), ("keep", 1), ("remove", 2), ("replace", 3)];

/// The number of a call id of either table.
fn number_of(callid: &str) -> &'static str {
    FIRST
        .iter()
        .chain(&EDITED)
        .find(|r| r.1 == callid)
        .map(|r| r.0)
        .expect("a call id of the tables")
}

/// A call the provider holds and has not removed: its id there, its time, its text.
#[derive(Clone, Debug)]
struct Live {
    id: String,
    time: String,
    text: String,
}

/// The stand-in of one provider, started clean.
enum Stand {
    Voicent(voicent::sandbox::Sandbox),
    Voipcomm(voipcomm::sandbox::Sandbox),
}

impl Stand {
    fn voicent() -> Stand {
        Stand::Voicent(
            voicent::sandbox::Sandbox::start(voicent::sandbox::SandboxConfig {
                dial_delay: Duration::from_millis(50),
                ..Default::default()
            })
            .unwrap(),
        )
    }

    fn voipcomm() -> Stand {
        Stand::Voipcomm(
            voipcomm::sandbox::Sandbox::start(voipcomm::sandbox::SandboxConfig {
                dial_delay: Duration::from_millis(50),
                ..Default::default()
            })
            .unwrap(),
        )
    }

    fn campaign(&self, dir: &Path, recipients: &[(&str, &str, &str, &str)]) -> PathBuf {
        let (extra, table) = match self {
            Stand::Voicent(_) => (
                "provider = \"voicent\"\n",
                "[voicent]\nrequests_per_second = 1000\npoll_interval_ms = 10\n".to_owned(),
            ),
            Stand::Voipcomm(_) => (
                "provider = \"voipcomm\"\n",
                format!(
                    "[voipcomm]\nscheduled_list_url = \"{}\"\nscheduled_delete_url = \"{}\"\n\n\
                     [voipcomm.answer]\nspeak = 1\nspeak_lang = \"en-US\"\n",
                    voipcomm::sandbox::LIST_PATH,
                    voipcomm::sandbox::DELETE_PATH
                ),
            ),
        };
        let mut text = format!(
            "[campaign]\nname = \"conv\"\ntimezone = \"UTC\"\n{extra}\n{table}\n\
             [[prompt]]\nid = 1\ntts = \"Hello {{name}}.\"\n\n[recipients]\nwindow = \"always\"\n",
        );
        for (number, callid, at, name) in recipients {
            text.push_str(&format!(
                "\n[[recipient]]\nnumber = \"{number}\"\ncallid = \"{callid}\"\nat = \"{at}\"\nvars = {{ name = \"{name}\" }}\n"
            ));
        }
        let path = dir.join("campaign.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `outdial ARGS` at this stand-in, with `extra` options.
    fn cmd(&self, args: &[&str], extra: &[&str]) -> Command {
        match self {
            Stand::Voicent(sb) => crate::submit::outdial(args, &sb.url(), extra),
            Stand::Voipcomm(sb) => crate::voipcomm::cmd(args, Some(&sb.url()), extra),
        }
    }

    fn inject(&self, spec: &str) {
        match self {
            Stand::Voicent(sb) => sb.inject(spec.parse().unwrap()),
            Stand::Voipcomm(sb) => sb.inject(spec.parse().unwrap()),
        }
    }

    /// Every request of the converging send, numbered.
    fn every_request(&self) -> &'static str {
        match self {
            Stand::Voicent(_) => "on=call+status+remove",
            Stand::Voipcomm(_) => "on=call+list+delete",
        }
    }

    fn numbered(&self) -> u32 {
        match self {
            Stand::Voicent(sb) => sb.numbered(),
            Stand::Voipcomm(sb) => sb.numbered(),
        }
    }

    /// Every call held and not removed, by number (ten digits).
    fn live(&self) -> BTreeMap<String, Vec<Live>> {
        let mut out: BTreeMap<String, Vec<Live>> = BTreeMap::new();
        let ten = |n: &str| n[n.len().saturating_sub(10)..].to_owned();
        match self {
            Stand::Voicent(sb) => {
                let held = sb.records();
                for t in sb.taken().into_iter().filter(|t| held.contains(&t.reqid)) {
                    out.entry(ten(&t.phoneno)).or_default().push(Live {
                        time: t.field("calltime").unwrap_or_default().to_owned(),
                        text: t.field("txt").unwrap_or_default().to_owned(),
                        id: t.reqid,
                    });
                }
            }
            Stand::Voipcomm(sb) => {
                for c in sb
                    .calls()
                    .into_iter()
                    .filter(|c| c.status != voipcomm::sandbox::CallStatus::Deleted)
                {
                    out.entry(ten(&c.to)).or_default().push(Live {
                        time: c.params.get("call_date").cloned().unwrap_or_default(),
                        text: c.params.get("answer_speak").cloned().unwrap_or_default(),
                        id: c.callid,
                    });
                }
            }
        }
        out
    }

    /// Whether `a` rings an hour after `b`, as each call says it.
    fn an_hour_later(&self, a: &Live, b: &Live) -> bool {
        match self {
            // Minutes from the moment each was posted, rounded up.
            Stand::Voicent(_) => {
                let minutes = |l: &Live| l.time.parse::<i64>().unwrap();
                (59..=61).contains(&(minutes(a) - minutes(b)))
            }
            Stand::Voipcomm(_) => a.time == AT11 && b.time == AT10,
        }
    }
}

/// Client options: short timeouts, few retries; `settle` as given.
fn options(settle: &str) -> Vec<&str> {
    vec![
        "--timeout",
        "400ms",
        "--backoff",
        "10ms",
        "--retries",
        "2",
        "--settle",
        settle,
    ]
}

fn run(cmd: Command) -> Output {
    crate::voipcomm::run(cmd)
}

fn text(out: &Output) -> String {
    crate::voipcomm::text(out)
}

/// One case: the first campaign sent, then edited and planned, fault-free; the ids the
/// provider gave the first calls.
struct Case {
    dir: tempfile::TempDir,
    file: PathBuf,
    first: BTreeSet<String>,
}

fn sent_then_edited(stand: &Stand) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let file = stand.campaign(dir.path(), &FIRST);
    let out = run(stand.cmd(&["send", file.to_str().unwrap()], &options("50ms")));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = stand
        .live()
        .values()
        .flatten()
        .map(|l| l.id.clone())
        .collect();
    stand.campaign(dir.path(), &EDITED);
    let out = run(stand.cmd(
        &[
            "--format",
            "json",
            "plan",
            file.to_str().unwrap(),
            "--detailed-exitcode",
        ],
        &[],
    ));
    let plan = crate::support::record(&out, "plan");
    let counts: BTreeMap<String, u64> =
        serde_json::from_value(plan["changes"]["counts"].clone()).unwrap();
    let planned: BTreeMap<String, u64> = PLANNED.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!((out.status.code(), counts), (Some(2), planned), "{plan}");
    Case { dir, file, first }
}

/// Never two live calls for one number.
fn assert_never_two(stand: &Stand, case: &str) {
    for (number, calls) in stand.live() {
        assert!(
            calls.len() <= 1,
            "{case}: {number} has two live calls: {calls:?}"
        );
    }
}

/// Converged: one live call per recipient of the edited file, with its new content, and
/// what the provider holds is what the plan said: the first calls of the three replaced and
/// the two removed are gone, the one kept is the first call still, and five calls are new
/// (three replacements, two created).
fn assert_converged(stand: &Stand, case: &Case, name: &str) {
    assert_never_two(stand, name);
    let live = stand.live();
    let numbers: Vec<&str> = live.keys().map(String::as_str).collect();
    let wanted: Vec<&str> = EDITED
        .iter()
        .map(|r| r.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(numbers, wanted, "{name}: {live:?}");
    let one = |callid: &str| live[number_of(callid)][0].clone();
    assert!(
        stand.an_hour_later(&one("a"), &one("f")),
        "{name}: {live:?}"
    );
    assert!(
        stand.an_hour_later(&one("b"), &one("f")),
        "{name}: {live:?}"
    );
    assert_eq!(one("c").text, "Hello Cyrus.", "{name}");
    assert_eq!(one("f").text, "Hello Fay.", "{name}");
    let held: BTreeSet<String> = live.values().flatten().map(|l| l.id.clone()).collect();
    let first_gone = case.first.difference(&held).count();
    let first_kept = case.first.intersection(&held).count();
    let new = held.difference(&case.first).count();
    // replace + remove, keep, create + replace.
    assert_eq!((first_gone, first_kept, new), (5, 1, 5), "{name}: {live:?}");
}

/// Settles the calls a run left in doubt the way a person would: from the provider's own
/// records (here, the stand-in's), once a late request can no longer land.
fn resolve(stand: &Stand, case: &Case, name: &str, wait: Duration) {
    let journal = case.dir.path().join(".outdial/conv.jsonl");
    let state = outdial::journal::read_state(&journal).unwrap();
    let doubt: Vec<String> = state.in_doubt().into_iter().map(str::to_owned).collect();
    if doubt.is_empty() {
        return;
    }
    std::thread::sleep(wait);
    let live = stand.live();
    let (sent, not_sent): (Vec<String>, Vec<String>) = doubt
        .into_iter()
        .partition(|id| live.contains_key(number_of(id)));
    let mut args = vec!["resolve", case.file.to_str().unwrap(), "--settle", "0s"];
    if !sent.is_empty() {
        args.push("--sent");
        args.extend(sent.iter().map(String::as_str));
    }
    if !not_sent.is_empty() {
        args.push("--not-sent");
        args.extend(not_sent.iter().map(String::as_str));
    }
    let out = run(stand.cmd(&args, &[]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: resolve: {}",
        text(&out)
    );
}

/// `send` until it exits 0 (a run may end 4: a failure, or calls in doubt listed, which are
/// then settled), checking after every run that nobody has two live calls and that every
/// recipient of the file left without a call is in doubt or still to send.
fn converge(stand: &Stand, case: &Case, settle: &str, name: &str) {
    let late = Duration::from_millis(800);
    for _ in 0..8 {
        let out = run(stand.cmd(&["send", case.file.to_str().unwrap()], &options(settle)));
        assert_never_two(stand, name);
        match out.status.code() {
            Some(0) => {
                assert_converged(stand, case, name);
                return;
            }
            Some(4) => resolve(stand, case, name, late),
            other => panic!("{name}: send exited {other:?}: {}", text(&out)),
        }
    }
    panic!("{name}: send did not converge in 8 runs");
}

/// The requests of a clean converging send, numbered by the stand-in: Voicent a status poll
/// per call to replace or remove (is it still pending?), then a status poll and a removal
/// per call (five each), then five posts; voip-communications the scheduled list, five
/// deletes and five posts.
fn clean(stand: &Stand) -> u32 {
    let case = sent_then_edited(stand);
    stand.inject(stand.every_request());
    let out = run(stand.cmd(
        &["--format", "json", "send", case.file.to_str().unwrap()],
        &options("50ms"),
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sent = crate::support::record(&out, "sent");
    // What send did is what plan said.
    assert_eq!(
        sent["removals"],
        serde_json::json!({"replaced": 3, "removed": 2, "fixed": 0}),
        "{sent}"
    );
    assert_eq!(sent["numbers_sent"], 5, "3 replaced and 2 created: {sent}");
    assert_converged(stand, &case, "clean");
    stand.numbered()
}

/// Every transport fault at every request of the converging send.
fn matrix(new: fn() -> Stand, requests: u32, kinds: &[&str]) -> usize {
    let mut cases = 0;
    for kind in kinds {
        for k in 1..=requests {
            let stand = new();
            let case = sent_then_edited(&stand);
            let spec = format!("{},{kind}={k}", stand.every_request());
            stand.inject(&spec);
            converge(&stand, &case, "50ms", &spec);
            cases += 1;
        }
    }
    cases
}

/// A request held past the client's timeout, then applied; and one applied only after the
/// client's every retry failed (the retries reset).
fn late_matrix(new: fn() -> Stand, requests: u32) -> usize {
    let mut cases = 0;
    for after_retries in [false, true] {
        for k in 1..=requests {
            let stand = new();
            let case = sent_then_edited(&stand);
            let mut spec = format!("{},late={k},late-by=700ms", stand.every_request());
            if after_retries {
                spec.push_str(&format!(",reset={}+{}", k + 1, k + 2));
            }
            stand.inject(&spec);
            converge(&stand, &case, "1500ms", &spec);
            cases += 1;
        }
    }
    cases
}

/// SIGKILL once the journal has grown by `lines` lines, for every `lines` until the send
/// finishes unkilled; then re-runs until converged.
fn sigkill_matrix(new: fn() -> Stand) -> usize {
    let mut lines = 1;
    loop {
        let stand = new();
        let case = sent_then_edited(&stand);
        stand.inject(&format!("{},delay=40ms", stand.every_request()));
        let journal = case.dir.path().join(".outdial/conv.jsonl");
        let count = || {
            std::fs::read(&journal)
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0)
        };
        let before = count();
        let mut child = stand
            .cmd(&["send", case.file.to_str().unwrap()], &options("50ms"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let finished = loop {
            if count() >= before + lines {
                break false;
            }
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            assert!(Instant::now() < deadline, "journal stalled");
            std::thread::sleep(Duration::from_micros(200));
        };
        let _ = child.kill();
        let _ = child.wait();
        let name = format!("SIGKILL after {lines} new journal lines");
        assert_never_two(&stand, &name);
        stand.inject("");
        converge(&stand, &case, "50ms", &name);
        if finished {
            return lines;
        }
        lines += 1;
        assert!(lines < 80, "the send never finished");
    }
}

const KINDS: [&str; 5] = ["fail-first", "reset", "drop", "error", "garbage"];

/// Requests of a clean converging send at Voicent: ten status polls, five removals, five
/// posts.
const VOICENT_REQUESTS: u32 = 20;
/// At voip-communications: the scheduled list, five deletes, five posts.
const VOIPCOMM_REQUESTS: u32 = 11;

#[test]
fn voicent_a_clean_converging_send_makes_twenty_requests() {
    assert_eq!(clean(&Stand::voicent()), VOICENT_REQUESTS);
}

#[test]
fn voipcomm_a_clean_converging_send_makes_eleven_requests() {
    assert_eq!(clean(&Stand::voipcomm()), VOIPCOMM_REQUESTS);
}

#[test]
fn voicent_fault_matrix_of_replace_and_remove() {
    let cases = matrix(Stand::voicent, VOICENT_REQUESTS, &KINDS);
    assert_eq!(cases, 100);
}

#[test]
fn voipcomm_fault_matrix_of_replace_and_remove() {
    let cases = matrix(Stand::voipcomm, VOIPCOMM_REQUESTS, &KINDS);
    assert_eq!(cases, 55);
}

#[test]
fn voicent_fault_matrix_of_late_replies() {
    assert_eq!(late_matrix(Stand::voicent, VOICENT_REQUESTS), 40);
}

#[test]
fn voipcomm_fault_matrix_of_late_replies() {
    assert_eq!(late_matrix(Stand::voipcomm, VOIPCOMM_REQUESTS), 22);
}

#[test]
fn voicent_sigkill_at_every_step_of_a_replace() {
    let lines = sigkill_matrix(Stand::voicent);
    assert!(lines > 10, "only {lines} kill points");
}

#[test]
fn voipcomm_sigkill_at_every_step_of_a_replace() {
    let lines = sigkill_matrix(Stand::voipcomm);
    assert!(lines > 10, "only {lines} kill points");
}

/// A removal applied and then left without a reply: the client's retry hears "no such
/// call", which once was taken for a call already made (fixed), leaving the recipient with
/// no call at all and not in doubt. Its first call is gone while its time is still far
/// ahead, so the retry's answer is this removal's: removed, and the new call posted.
#[test]
fn a_removal_applied_then_dropped_is_not_taken_for_a_made_call() {
    for (stand, removal) in [(Stand::voicent(), 7), (Stand::voipcomm(), 2)] {
        let case = sent_then_edited(&stand);
        let spec = format!("{},drop={removal}", stand.every_request());
        stand.inject(&spec);
        let out = run(stand.cmd(
            &["--format", "json", "send", case.file.to_str().unwrap()],
            &options("50ms"),
        ));
        assert_eq!(out.status.code(), Some(0), "{spec}: {}", text(&out));
        let sent = crate::support::record(&out, "sent");
        assert_eq!(
            sent["removals"],
            serde_json::json!({"replaced": 3, "removed": 2, "fixed": 0}),
            "{spec}: {sent}"
        );
        assert_converged(&stand, &case, &spec);
    }
}
