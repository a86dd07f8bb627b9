//! The journal's replay, compact state and writer, together: what is written replays to the
//! same state, a torn line is cut off, an edit breaks the chain, a second sender is refused.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::calls::Calls;
use super::record::{callid_of, intent_keys};
use super::*;
use crate::plan::{Action, PostKind};
use crate::provider::name::ProviderName;

/// The compact state answers exactly as the full state it replaced (a string per
/// recipient key, the keys of every attempt kept), for any journal the writer can make.
mod compact {
    use super::*;
    use proptest::prelude::*;

    /// The state as it was kept before it was compact.
    #[derive(Default)]
    struct Full {
        calls: HashMap<String, CallState>,
        /// Per attempt: action, seq, keys.
        attempts: HashMap<u64, (Action, usize, Vec<String>)>,
        provider_ids: HashMap<String, String>,
    }

    impl Full {
        fn apply(&mut self, record: &Record) {
            match record {
                Record::Open { .. }
                | Record::Content { .. }
                | Record::RemoveIntent { .. }
                | Record::RemoveOutcome { .. } => {}
                Record::Intent {
                    attempt,
                    action,
                    seq,
                    kind,
                    callids,
                    numbers,
                    ..
                } => {
                    let (keys, _) = intent_keys(callids, numbers);
                    if *action == Action::Send && *kind == PostKind::Send {
                        for key in &keys {
                            let s = self.calls.entry(key.clone()).or_insert(CallState::InDoubt);
                            if *s != CallState::Accepted {
                                *s = CallState::InDoubt;
                            }
                        }
                    }
                    self.attempts.insert(*attempt, (*action, *seq, keys));
                }
                Record::Outcome {
                    attempt,
                    outcome,
                    ids,
                    ..
                } => {
                    for (callid, id) in ids {
                        self.provider_ids.insert(callid.clone(), id.clone());
                    }
                    let keys = self.attempts[attempt].2.clone();
                    for id in keys {
                        let was = self.calls.get(&id).copied();
                        self.calls.insert(id, CallState::after(was, *outcome));
                    }
                }
                Record::Resolved {
                    present,
                    missing,
                    ids,
                    ..
                } => {
                    for (key, id) in ids {
                        self.provider_ids.insert(key.clone(), id.clone());
                    }
                    for id in present {
                        self.calls.insert(id.clone(), CallState::Accepted);
                    }
                    for id in missing {
                        let s = self.calls.entry(id.clone()).or_insert(CallState::NotTaken);
                        if *s == CallState::InDoubt {
                            *s = CallState::NotTaken;
                        }
                    }
                }
            }
        }

        fn call(&self, callid: &str, number: &str) -> Option<CallState> {
            self.calls
                .get(&call_key(callid, number))
                .or_else(|| self.calls.get(callid))
                .copied()
        }

        fn taken(key: &str, calls: &HashMap<String, CallState>) -> bool {
            matches!(
                calls.get(key),
                Some(CallState::Accepted | CallState::InDoubt)
            )
        }

        fn seq_has_taken(&self, seq: usize) -> bool {
            self.attempts
                .values()
                .filter(|(action, s, _)| *s == seq && *action == Action::Send)
                .flat_map(|(_, _, keys)| keys)
                .any(|key| Self::taken(key, &self.calls))
        }
    }

    const IDS: [&str; 4] = ["a", "b", "c", "d"];
    const NUMBERS: [&str; 2] = ["N0", "N1"];

    #[derive(Clone, Debug)]
    enum Step {
        /// A post of these (callid, number) indices; bare: version 1 keys (call ids only);
        /// send: a `send` call post (else a delete carrying the same keys).
        Intent {
            seq: usize,
            calls: Vec<(usize, usize)>,
            bare: bool,
            send: bool,
        },
        /// The outcome of the `pick`-th attempt still unanswered, if any.
        Outcome {
            pick: usize,
            outcome: Outcome,
            ids: bool,
        },
        Resolved {
            present: Vec<(usize, usize)>,
            missing: Vec<(usize, usize)>,
            bare: bool,
        },
    }

    fn call() -> impl Strategy<Value = (usize, usize)> {
        (0..IDS.len(), 0..NUMBERS.len())
    }

    fn step() -> impl Strategy<Value = Step> {
        let outcome = prop_oneof![
            Just(Outcome::Accepted),
            Just(Outcome::Rejected),
            Just(Outcome::Ambiguous),
            Just(Outcome::NotSent),
        ];
        prop_oneof![
            3 => (0..5usize, prop::collection::vec(call(), 0..4), prop::bool::weighted(0.1), prop::bool::weighted(0.9))
                .prop_map(|(seq, calls, bare, send)| Step::Intent { seq, calls, bare, send }),
            3 => (0..4usize, outcome, any::<bool>())
                .prop_map(|(pick, outcome, ids)| Step::Outcome { pick, outcome, ids }),
            1 => (prop::collection::vec(call(), 0..3), prop::collection::vec(call(), 0..3), prop::bool::weighted(0.1))
                .prop_map(|(present, missing, bare)| Step::Resolved { present, missing, bare }),
        ]
    }

    fn key((id, n): (usize, usize), bare: bool) -> String {
        if bare {
            IDS[id].to_owned()
        } else {
            call_key(IDS[id], NUMBERS[n])
        }
    }

    fn records(steps: &[Step]) -> Vec<Record> {
        let mut out = Vec::new();
        let mut open: Vec<(u64, usize)> = Vec::new();
        let mut next = 0;
        for step in steps {
            match step {
                Step::Intent {
                    seq,
                    calls,
                    bare,
                    send,
                } => {
                    let callids = calls.iter().map(|(id, _)| IDS[*id].to_owned()).collect();
                    let numbers = if *bare {
                        Vec::new()
                    } else {
                        calls.iter().map(|(_, n)| NUMBERS[*n].to_owned()).collect()
                    };
                    let (action, kind) = if *send {
                        (Action::Send, PostKind::Send)
                    } else {
                        (Action::Delete, PostKind::Delete)
                    };
                    out.push(Record::Intent {
                        attempt: next,
                        action,
                        seq: *seq,
                        kind,
                        post_hash: format!("h{seq}"),
                        body_hash: format!("h{seq}"),
                        callids,
                        numbers,
                        file: None,
                        at: "2026-12-01T00:00:00Z".into(),
                    });
                    open.push((next, *seq));
                    next += 1;
                }
                Step::Outcome { pick, outcome, ids } => {
                    if open.is_empty() {
                        continue;
                    }
                    let (attempt, seq) = open.remove(pick % open.len());
                    let ids = if *ids {
                        [
                            (format!("a {}", NUMBERS[0]), "r1".to_owned()),
                            ("b".into(), "r2".into()),
                        ]
                        .into_iter()
                        .collect()
                    } else {
                        BTreeMap::new()
                    };
                    out.push(Record::Outcome {
                        attempt,
                        seq,
                        outcome: *outcome,
                        code: None,
                        errorid: None,
                        ids,
                        detail: None,
                        provider_message: None,
                        endpoint: None,
                        at: "2026-12-01T00:00:01Z".into(),
                    });
                }
                Step::Resolved {
                    present,
                    missing,
                    bare,
                } => out.push(Record::Resolved {
                    seq: 0,
                    present: present.iter().map(|c| key(*c, *bare)).collect(),
                    missing: missing.iter().map(|c| key(*c, *bare)).collect(),
                    ids: BTreeMap::new(),
                    at: "2026-12-01T00:00:02Z".into(),
                }),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn compact_state_answers_like_the_full_state(
            steps in prop::collection::vec(step(), 0..40),
            merge_at in prop_oneof![Just(1usize), Just(2), Just(1 << 16)],
        ) {
            let mut full = Full::default();
            let mut compact = JournalState {
                calls: Calls::with_merge_at(merge_at),
                ..JournalState::default()
            };
            for record in records(&steps) {
                full.apply(&record);
                prop_assert!(compact.apply(&record).is_ok());
                for id in IDS {
                    for n in NUMBERS.iter().chain(&["N9"]) {
                        prop_assert_eq!(compact.call(id, n), full.call(id, n), "{} {}", id, n);
                        prop_assert_eq!(
                            compact.provider_id(id, n),
                            full.provider_ids
                                .get(&call_key(id, n))
                                .or_else(|| full.provider_ids.get(id))
                                .map(String::as_str)
                        );
                    }
                }
                for seq in 0..6 {
                    prop_assert_eq!(compact.seq_has_taken(seq), full.seq_has_taken(seq), "seq {}", seq);
                }
                let mut doubt: Vec<&str> = full
                    .calls
                    .iter()
                    .filter(|(_, s)| **s == CallState::InDoubt)
                    .map(|(k, _)| callid_of(k))
                    .collect();
                doubt.sort_unstable();
                doubt.dedup();
                prop_assert_eq!(compact.in_doubt(), doubt);
                let counts = full.calls.values().fold((0, 0, 0), |(a, d, n), s| match s {
                    CallState::Accepted => (a + 1, d, n),
                    CallState::InDoubt => (a, d + 1, n),
                    CallState::NotTaken => (a, d, n + 1),
                });
                prop_assert_eq!(compact.counts(), counts);
                let taken: std::collections::HashSet<KeyHash> = full
                    .calls
                    .keys()
                    .filter(|k| Full::taken(k, &full.calls))
                    .map(|k| key_hash(k))
                    .collect();
                prop_assert_eq!(compact.taken_hashes().collect::<std::collections::HashSet<_>>(), taken);
            }
        }
    }
}

const VS: ProviderName = ProviderName::Voipcomm;

/// A campaign name of this test's own: campaigns are locked machine-wide, and tests (and
/// test processes) run side by side.
fn c() -> String {
    format!("c{}{:?}", std::process::id(), std::thread::current().id())
        .replace(|ch: char| !ch.is_ascii_alphanumeric(), "")
}

/// Calls to number N0 with call id `id` (so keys read "id N0").
fn calls(v: &[&str]) -> Vec<(String, String)> {
    v.iter()
        .map(|id| (id.to_string(), "N0".to_string()))
        .collect()
}

fn keys(v: &[&str]) -> Vec<String> {
    v.iter().map(|id| call_key(id, "N0")).collect()
}

#[test]
fn replays_states_and_survives_a_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j/c.jsonl");
    {
        let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        let a = j
            .intent(
                Action::Send,
                1,
                PostKind::Send,
                "h1",
                "h1",
                calls(&["a", "b"]),
                None,
            )
            .unwrap();
        j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
        let b = j
            .intent(
                Action::Send,
                2,
                PostKind::Send,
                "h2",
                "h2",
                calls(&["c", "d"]),
                None,
            )
            .unwrap();
        j.outcome(b, 2, Outcome::Ambiguous, Said::default())
            .unwrap();
        j.resolved(2, keys(&["c"]), keys(&["d"])).unwrap();
        j.intent(
            Action::Send,
            3,
            PostKind::Send,
            "h3",
            "h3",
            calls(&["e"]),
            None,
        )
        .unwrap();
    }
    // A kill in the middle of a line.
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(br#"{"event":"intent","attempt":9,"#).unwrap();
    drop(f);
    let j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
    let s = j.state();
    assert_eq!(s.call("a", "N0"), Some(CallState::Accepted));
    assert_eq!(s.call("c", "N0"), Some(CallState::Accepted));
    assert_eq!(s.call("d", "N0"), Some(CallState::NotTaken));
    assert_eq!(s.call("e", "N0"), Some(CallState::InDoubt));
    assert_eq!(s.call("z", "N0"), None);
    assert_eq!(s.post_hash(2), Some("h2"));
    assert_eq!(j.next_attempt(), 3);
    assert!(fs::read(&path).unwrap().ends_with(b"\n"));
    drop(j);
    assert!(matches!(
        Journal::open(&path, "other", VS, "http://sandbox"),
        Err(JournalError::OtherCampaign { .. })
    ));
}

#[test]
fn retired_calls_leave_memory_not_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let post = |j: &mut Journal, seq, ids: &[&str], outcome| {
        let a = send_intent(j, seq, ids);
        let mut said = Said::default();
        said.ids.insert(call_key(ids[0], "N0"), format!("P{seq}"));
        j.outcome(a, seq, outcome, said).unwrap();
    };
    {
        let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        post(&mut j, 1, &["a", "b"], Outcome::Accepted);
        post(&mut j, 2, &["c"], Outcome::Ambiguous);
        post(&mut j, 3, &["d"], Outcome::Rejected);
        j.retire([("a", "N0"), ("b", "N0"), ("c", "N0"), ("d", "N0")]);
        let s = j.state();
        // Settled calls are let go; the one in doubt is held, with its provider id.
        assert_eq!(s.call("a", "N0"), None);
        assert_eq!(s.call("d", "N0"), None);
        assert_eq!(s.provider_id("a", "N0"), None);
        assert_eq!(s.call("c", "N0"), Some(CallState::InDoubt));
        assert_eq!(s.provider_id("c", "N0"), Some("P2"));
        assert_eq!(s.in_doubt(), ["c"]);
        assert_eq!(s.counts(), (2, 1, 1));
        assert!(s.seq_has_taken(1) && s.seq_has_taken(2) && !s.seq_has_taken(3));
    }
    // The next run replays every line.
    let j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
    let s = j.state();
    assert_eq!(s.call("a", "N0"), Some(CallState::Accepted));
    assert_eq!(s.call("b", "N0"), Some(CallState::Accepted));
    assert_eq!(s.provider_id("a", "N0"), Some("P1"));
    assert_eq!(s.call("d", "N0"), Some(CallState::NotTaken));
    assert_eq!(s.call("c", "N0"), Some(CallState::InDoubt));
}

#[test]
fn a_second_opener_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let _held = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
    assert!(matches!(
        Journal::open(&path, &c(), VS, "http://sandbox"),
        Err(JournalError::Locked(_))
    ));
}

/// A journal written by outdial before the provider seam (version 1: string kinds,
/// numeric `errorid`, no provider) still reads, and is extended with version 2 lines.
#[test]
fn version_1_journals_still_read() {
    let v1 = include_str!("../../tests/fixtures/journal/v1-hello-sound.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hello-sound.jsonl");
    fs::write(&path, v1).unwrap();
    let mut j = Journal::open(&path, "hello-sound", VS, "http://sandbox").unwrap();
    let s = j.state();
    // Version 1 kept state per call id: it still answers for any number.
    assert_eq!(
        s.call("hellosound8185550100", "8185550100"),
        Some(CallState::Accepted)
    );
    assert_eq!(s.send_seqs(), [2]);
    assert!(s.upload_accepted("69077e5fc8adcd647cdd238894bbc2a1877561f2a143f129a99960978d0652e1"));
    assert_eq!(j.next_attempt(), 3);
    let a = j
        .intent(
            Action::Pause,
            1,
            PostKind::Pause,
            "h",
            "h",
            Vec::new(),
            None,
        )
        .unwrap();
    j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
    drop(j);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(v1), "old lines are kept as they were");
    assert!(text.ends_with("\n"));
    let reopened = Journal::open(&path, "hello-sound", VS, "http://sandbox").unwrap();
    assert_eq!(reopened.next_attempt(), 4);
}

#[test]
fn a_journal_of_another_provider_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    drop(Journal::open(&path, &c(), VS, "http://sandbox").unwrap());
    assert!(matches!(
        Journal::open(&path, &c(), ProviderName::Voicent, "http://sandbox"),
        Err(JournalError::OtherProvider { .. })
    ));
}

/// Two recipients sharing a call id (a household) are two calls: one accepted says
/// nothing of the other.
#[test]
fn state_is_kept_per_recipient_not_per_call_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
    let shared = vec![("home".to_string(), "8185550100".to_string())];
    let a = j
        .intent(Action::Send, 1, PostKind::Send, "h", "h", shared, None)
        .unwrap();
    j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
    let s = j.state();
    assert_eq!(s.call("home", "8185550100"), Some(CallState::Accepted));
    assert_eq!(s.call("home", "8185550101"), None);
    assert!(!s.maybe_taken("home", "8185550101"));
}

/// The intent of `send` call post `seq` (plan hash `h`) to `ids` at number N0.
fn send_intent(j: &mut Journal, seq: usize, ids: &[&str]) -> u64 {
    j.intent(
        Action::Send,
        seq,
        PostKind::Send,
        "h",
        "h",
        calls(ids),
        None,
    )
    .unwrap()
}

fn written(lines: usize) -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
    for seq in 1..=lines {
        let a = send_intent(&mut j, seq, &["x"]);
        j.outcome(a, seq, Outcome::Accepted, Said::default())
            .unwrap();
    }
    drop(j);
    let text = fs::read_to_string(&path).unwrap();
    let lines = text.lines().map(str::to_owned).collect();
    (dir, path, lines)
}

fn tampered(path: &Path, lines: &[String]) -> JournalError {
    fs::write(path, lines.join("\n") + "\n").unwrap();
    let err = Journal::open(path, &c(), VS, "http://sandbox").unwrap_err();
    assert_eq!(
        read_state(path).unwrap_err().to_string(),
        err.to_string(),
        "plan and send agree"
    );
    err
}

#[test]
fn edits_and_removed_lines_break_the_chain() {
    let (_dir, path, lines) = written(3);
    assert_eq!(lines.len(), 7);
    assert!(lines[1..].iter().all(|l| l.contains(r#""prev":""#)));
    // An intent removed: its outcome follows a line it was not written after.
    let mut cut = lines.clone();
    cut.remove(3);
    let err = tampered(&path, &cut);
    assert!(
        matches!(err, JournalError::Tampered { line: 4, .. }),
        "{err}"
    );
    // An outcome edited from accepted to not-sent.
    let mut edited = lines.clone();
    edited[2] = edited[2].replace("accepted", "not-sent");
    let err = tampered(&path, &edited);
    assert!(
        matches!(err, JournalError::Tampered { line: 4, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("changed by hand"), "{err}");
    // The chain intact, the file as written, reads again.
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    if let Err(e) = Journal::open(&path, &c(), VS, "http://sandbox") {
        panic!("the intact journal must open: {e}");
    }
}

#[test]
fn an_outcome_without_its_intent_is_refused() {
    let (_dir, path, lines) = written(1);
    // Without the chain, the missing intent still shows.
    let unchained: Vec<String> = lines
        .iter()
        .map(|l| match l.find(r#","prev":""#) {
            Some(i) => format!("{}}}", &l[..i]),
            None => l.replace(r#""version":2"#, r#""version":1"#),
        })
        .collect();
    let err = tampered(&path, &[unchained[0].clone(), unchained[2].clone()]);
    assert!(err.to_string().contains("intent line is missing"), "{err}");
}

#[test]
fn one_campaign_is_sent_by_one_process_from_a_folder_whatever_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("lock-test-{}", std::process::id());
    let held = Journal::open(&dir.path().join("a.jsonl"), &name, VS, "http://sandbox").unwrap();
    assert!(matches!(
        Journal::open(&dir.path().join("b.jsonl"), &name, VS, "http://sandbox"),
        Err(JournalError::CampaignBusy { .. })
    ));
    // The lock is next to the journal, and goes with the journal that held it.
    let lock = dir.path().join(format!("{name}.lock"));
    assert!(lock.exists());
    drop(held);
    assert!(!lock.exists(), "the lock file is removed on exit");
    let _again = Journal::open(&dir.path().join("b.jsonl"), &name, VS, "http://sandbox").unwrap();
}
