//! The PostgreSQL results store against a real server: the same precedence as the SQLite
//! store, and several writers at once filing each post once.

use std::sync::Arc;

use super::*;
use crate::state::{StateLocation, test_pg};

/// A store on a fresh database, or `None` when no server can be had (said on stderr).
fn store() -> Option<PgResults> {
    let url = test_pg::fresh_database()?;
    let StateLocation::Postgres(at) = StateLocation::parse(&url, |_| None).unwrap() else {
        panic!("a PostgreSQL URL");
    };
    Some(PgResults::open(&at).unwrap())
}

fn call(callid: &str, status: &str, outcome: Outcome) -> CallRecord {
    CallRecord {
        provider: "voiceshot".into(),
        campaign: "c".into(),
        callid: callid.into(),
        number: "2025550143".into(),
        status: status.into(),
        outcome,
        reason: None,
        duration: Some(14),
        answered_by: Some("human".into()),
        attempts: None,
        called_at: Some("5/20/2004 10:50:50 PM".into()),
        source: Source::Summary,
        recording: None,
    }
}

fn post(body: &[u8]) -> Option<Post<'_>> {
    Some(Post {
        route: "/voiceshot/summary",
        body,
        keep_body: false,
    })
}

fn press(keys: &str, source: Source) -> Keypress {
    Keypress {
        provider: "voiceshot".into(),
        campaign: "c".into(),
        callid: "c-1".into(),
        number: "2025550143".into(),
        prompt: 1,
        keys: keys.into(),
        source,
    }
}

/// The campaign `c` as `report` would read it: copied out into SQLite.
fn copied(store: &PgResults) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let local = store
        .copy_out("voiceshot", "c", &dir.path().join("r.db"))
        .unwrap();
    (dir, local)
}

#[test]
fn the_precedence_and_redeliveries_are_the_sqlite_stores() {
    let Some(store) = store() else { return };
    let no_answer = call("c-1", "Unsuccessful", Outcome::NotReached);
    let filed = store
        .file(post(b"1"), std::slice::from_ref(&no_answer), &[])
        .unwrap();
    assert_eq!(
        filed,
        Filed {
            fresh: true,
            verdict: Some(Verdict::Stored)
        }
    );
    let steps = [
        (
            &b"2"[..],
            call("c-1", "", Outcome::Pending),
            Verdict::Lesser,
        ),
        (b"3", call("c-1", "Odd", Outcome::Unknown), Verdict::Lesser),
        (
            b"4",
            call("c-1", "Successful", Outcome::Reached),
            Verdict::Conflict,
        ),
        (
            b"5",
            call("c-1", "Unsuccessful", Outcome::NotReached),
            Verdict::Repeat,
        ),
    ];
    for (body, row, want) in steps {
        let filed = store.file(post(body), &[row], &[]).unwrap();
        assert_eq!(filed.verdict, Some(want));
    }
    // The same body again is a redelivery: nothing changes, not even history.
    let again = store
        .file(
            post(b"4"),
            &[call("c-1", "Successful", Outcome::Reached)],
            &[],
        )
        .unwrap();
    assert!(!again.fresh);
    let (_dir, local) = copied(&store);
    assert_eq!(local.calls("voiceshot", "c").unwrap(), vec![no_answer]);
    assert_eq!(local.overruled("voiceshot", "c").unwrap(), (2, 1));
}

#[test]
fn keypresses_and_unmatched_posts_read_back_as_from_sqlite() {
    let Some(store) = store() else { return };
    for keys in ["1", "2", "1"] {
        store
            .file(None, &[], &[press(keys, Source::Event)])
            .unwrap();
    }
    store
        .file(None, &[], &[press("9", Source::Summary)])
        .unwrap();
    store
        .file(None, &[], &[press("3", Source::Summary)])
        .unwrap();
    let u = Unmatched {
        route: "/voiceshot/summary".into(),
        provider: "voiceshot".into(),
        callid: "x".into(),
        number: "2".into(),
        why: "no call".into(),
        body: b"<campaign/>".to_vec(),
        received_at: "2026-12-05T00:00:00Z".into(),
    };
    assert!(store.file_unmatched(&u).unwrap());
    assert!(!store.file_unmatched(&u).unwrap());
    let (_dir, local) = copied(&store);
    let kept: Vec<(String, Source)> = local
        .keypresses("voiceshot", "c")
        .unwrap()
        .into_iter()
        .map(|k| (k.keys, k.source))
        .collect();
    assert_eq!(
        kept,
        [
            ("1".to_owned(), Source::Event),
            ("2".to_owned(), Source::Event),
            ("1".to_owned(), Source::Event),
            ("3".to_owned(), Source::Summary),
        ]
    );
    assert_eq!(local.unmatched("voiceshot").unwrap(), vec![u]);
    assert!(local.unmatched("voipcomm").unwrap().is_empty());
    store.ping().unwrap();
    assert!(!store.describe().is_empty());
}

#[test]
fn writers_racing_on_the_same_posts_file_each_once() {
    let Some(store) = store() else { return };
    let store = Arc::new(store);
    // 12 threads (more than the pool) deliver the same 40 posts, each call twice over
    // (a pending word, then the final one), in different orders.
    let threads: Vec<_> = (0..12)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut fresh = 0;
                for i in 0..40 {
                    let i = (i * 7 + t * 3) % 40;
                    let callid = format!("c-{}", i / 2);
                    let (status, outcome) = if i % 2 == 0 {
                        ("", Outcome::Pending)
                    } else {
                        ("Successful", Outcome::Reached)
                    };
                    let body = format!("{callid} {status}");
                    let row = call(&callid, status, outcome);
                    let filed = store
                        .file(post(body.as_bytes()), &[row], &[press("1", Source::Event)])
                        .unwrap();
                    fresh += usize::from(filed.fresh);
                }
                fresh
            })
        })
        .collect();
    let fresh: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(fresh, 40, "each post filed once, whichever writer got it");
    let (_dir, local) = copied(&store);
    let calls = local.calls("voiceshot", "c").unwrap();
    assert_eq!(calls.len(), 20);
    // Whatever the order, the final word stands.
    assert!(
        calls.iter().all(|c| c.outcome == Outcome::Reached),
        "{calls:?}"
    );
}
