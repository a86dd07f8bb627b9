//! Moving results between the local store and PostgreSQL: the precedence each row is copied
//! by, and a round trip against a real server.

use super::*;
use crate::results::store::tests::call;

#[test]
fn a_row_goes_where_none_is_or_one_says_less_and_two_final_words_conflict() {
    let reached = call("a1", Outcome::Reached);
    let pending = CallRecord {
        status: "Pending".into(),
        ..call("a1", Outcome::Pending)
    };
    let not_reached = CallRecord {
        status: "Busy".into(),
        ..call("a1", Outcome::NotReached)
    };
    assert_eq!(decide(&reached, None), Decision::Insert);
    assert_eq!(decide(&reached, Some(&reached)), Decision::Same);
    assert_eq!(decide(&reached, Some(&pending)), Decision::Replace);
    assert_eq!(decide(&pending, Some(&reached)), Decision::Keep);
    assert_eq!(decide(&reached, Some(&not_reached)), Decision::Conflict);
    // The same final word with other details: the side copied to keeps its own.
    let longer = CallRecord {
        duration: Some(99),
        ..reached.clone()
    };
    assert_eq!(decide(&longer, Some(&reached)), Decision::Keep);
}

#[test]
fn a_conflict_names_the_first_call_and_counts_the_rest_and_nothing_is_planned() {
    let at = |c: CallRecord| (c, "2026-12-01T00:00:00Z".to_owned());
    let busy = |id: &str| CallRecord {
        status: "Busy".into(),
        ..call(id, Outcome::NotReached)
    };
    let src = Rows {
        calls: vec![
            at(call("a1", Outcome::Reached)),
            at(call("b2", Outcome::Reached)),
            at(call("c3", Outcome::Reached)),
        ],
        ..Rows::default()
    };
    let dst = Rows {
        calls: vec![at(busy("b2")), at(busy("c3"))],
        ..Rows::default()
    };
    let first = plan(&src, &dst).map(|_| ()).unwrap_err();
    let text = conflict(first, "here.db", "there", "outage").to_string();
    assert!(
        text.contains("call b2 to 2025550143 is reached (\"Successful\") in here.db but not-reached (\"Busy\") in there, and 1 more call;"),
        "{text}"
    );
    // Without the conflicting rows, the new one is copied and the rest counted.
    let dst = Rows {
        calls: vec![at(call("b2", Outcome::Reached))],
        ..Rows::default()
    };
    let (write, moved) = plan(&src, &dst).map_err(|_| ()).unwrap();
    assert_eq!(write.len(), 2);
    assert_eq!(
        moved,
        Moved {
            copied: 2,
            shared: 1,
            kept: 0
        }
    );
}

#[test]
fn push_then_pull_round_trips_a_campaign_once_and_a_conflict_changes_nothing() {
    let Some(url) = crate::state::test_pg::fresh_database() else {
        return;
    };
    let crate::state::StateLocation::Postgres(at) =
        crate::state::StateLocation::parse(&url, |_| None).unwrap()
    else {
        panic!("a PostgreSQL URL");
    };
    let pg = PgResults::open(&at).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("a/results.db");
    // Nothing local: nothing copied, nothing made.
    assert_eq!(
        push(&here, &pg, "voiceshot", "outage").unwrap(),
        Moved::default()
    );
    let mut store = Store::open(&here).unwrap();
    let key = Keypress {
        provider: "voiceshot".into(),
        campaign: "outage".into(),
        callid: "a1".into(),
        number: "2025550143".into(),
        prompt: 1,
        keys: "2".into(),
        source: Source::Summary,
    };
    store
        .record(
            None,
            &[call("a1", Outcome::Reached), call("b2", Outcome::Pending)],
            std::slice::from_ref(&key),
        )
        .unwrap();
    drop(store);
    let first = push(&here, &pg, "voiceshot", "outage").unwrap();
    assert_eq!((first.copied, first.shared), (2, 0));
    let again = push(&here, &pg, "voiceshot", "outage").unwrap();
    assert_eq!((again.copied, again.shared), (0, 2));
    // Pulled into a fresh folder: the same rows and keypress.
    let there = dir.path().join("b/results.db");
    let pulled = pull(&pg, &there, "voiceshot", "outage").unwrap();
    assert_eq!((pulled.copied, pulled.shared), (2, 0));
    let copy = Store::open(&there).unwrap();
    let original = Store::open(&here).unwrap();
    assert_eq!(
        copy.calls("voiceshot", "outage").unwrap(),
        original.calls("voiceshot", "outage").unwrap()
    );
    assert_eq!(copy.keypresses("voiceshot", "outage").unwrap(), [key]);
    // Another campaign pulls nothing and makes no file.
    let none = dir.path().join("c/results.db");
    assert_eq!(
        pull(&pg, &none, "voiceshot", "other").unwrap(),
        Moved::default()
    );
    assert!(!none.exists());
    // The store says a1 was not reached: a push is refused, and nothing changes.
    pg.with(|client| {
        client.execute(
            "UPDATE outdial_calls SET outcome = 'not-reached', status = 'Busy' \
             WHERE callid = 'a1'",
            &[],
        )
    })
    .unwrap();
    let mut store = Store::open(&here).unwrap();
    store
        .record(None, &[call("b2", Outcome::Reached)], &[])
        .unwrap();
    drop(store);
    let err = push(&here, &pg, "voiceshot", "outage").unwrap_err();
    assert!(
        matches!(err, MoveError::Conflict(ref d) if d.callid == "a1"),
        "{err}"
    );
    let b2: String = pg
        .with(|client| {
            client
                .query_one("SELECT outcome FROM outdial_calls WHERE callid = 'b2'", &[])
                .map(|row| row.get(0))
        })
        .unwrap();
    assert_eq!(b2, "pending", "nothing was copied");
}
