//! voip-communications.net's scheduled-call list and delete, whose method and shapes are
//! settings: each method round-trips against the stand-in, which records how it was asked.

use std::collections::BTreeMap;

use outdial::provider::voipcomm::sandbox::{CallStatus, DELETE_PATH, LIST_PATH};

use crate::support::tempdir;
use crate::voipcomm::{FAST, cmd, example, run, sandbox, text};

/// The removal record of a `delete --format json`.
fn removal(stdout: &[u8]) -> serde_json::Value {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v.get("removed").is_some())
        .expect("a removal record")
}

/// With no method set, the list and the delete are POSTs (as before the settings existed);
/// with `scheduled_list_method = "GET"` and `scheduled_delete_method = "GET"` both are GETs
/// with the callid in the query. Either way a call left in doubt is settled from the list
/// without calling anyone twice, and `delete` removes every scheduled call.
#[test]
fn scheduled_list_and_delete_round_trip_as_post_and_as_get() {
    for method in ["POST", "GET"] {
        let dir = tempdir();
        let file = example(dir.path(), "voipcomm-reminder.toml");
        let methods = if method == "GET" {
            "scheduled_list_method = \"GET\"\nscheduled_delete_method = \"GET\"\n"
        } else {
            ""
        };
        let campaign = std::fs::read_to_string(&file).unwrap().replacen(
            "[voipcomm]\n",
            &format!(
                "[voipcomm]\nscheduled_list_url = \"{LIST_PATH}\"\nscheduled_delete_url = \"{DELETE_PATH}\"\n{methods}"
            ),
            1,
        );
        std::fs::write(&file, campaign).unwrap();
        let f = file.to_str().unwrap();

        // The delete as it would be sent: a GET shows its query, a POST its body.
        let sb = sandbox("drop=2".parse().unwrap(), true);
        let first = run(cmd(&["send", f], Some(&sb.url()), &FAST));
        assert_eq!(first.status.code(), Some(4), "{method}: {}", text(&first));
        let settled = run(cmd(
            &["send", f],
            Some(&sb.url()),
            &[&FAST[..], &["--settle", "0s"]].concat(),
        ));
        assert_eq!(
            settled.status.code(),
            Some(0),
            "{method}: {}",
            text(&settled)
        );
        let mut per_number: BTreeMap<String, usize> = BTreeMap::new();
        for call in sb.calls() {
            *per_number.entry(call.to).or_default() += 1;
        }
        assert_eq!(per_number.len(), 3, "{method}: {per_number:?}");
        assert!(
            per_number.values().all(|n| *n == 1),
            "{method}: {per_number:?}"
        );

        let dry = run(cmd(&["delete", f, "--dry-run"], Some(&sb.url()), &[]));
        assert_eq!(dry.status.code(), Some(0), "{method}: {}", text(&dry));
        let shown = text(&dry);
        if method == "GET" {
            assert!(
                shown.contains(&format!("GET {}?callid=", sb.url_of(DELETE_PATH))),
                "{shown}"
            );
        } else {
            assert!(!shown.contains("GET "), "{shown}");
            assert!(shown.contains("\ncallid="), "{shown}");
        }

        let deleted = run(cmd(
            &["--format", "json", "delete", f],
            Some(&sb.url()),
            &[],
        ));
        assert_eq!(
            deleted.status.code(),
            Some(0),
            "{method}: {}",
            text(&deleted)
        );
        assert_eq!(removal(&deleted.stdout)["removed"], 3, "{method}");
        assert!(
            sb.calls().iter().all(|c| c.status == CallStatus::Deleted),
            "{method}: {:?}",
            sb.calls()
        );

        let asked = sb.scheduled_requests();
        assert!(
            asked.contains(&format!("{method} {LIST_PATH}")),
            "{method}: {asked:?}"
        );
        assert_eq!(
            asked
                .iter()
                .filter(|r| *r == &format!("{method} {DELETE_PATH}"))
                .count(),
            3,
            "{method}: {asked:?}"
        );
        assert!(
            asked.iter().all(|r| r.starts_with(&format!("{method} "))),
            "{method}: {asked:?}"
        );
    }
}

/// A list reply kept elsewhere than `/data` is read where `scheduled_list_array` points; a
/// bad pointer or parameter name is refused by `check` with the key's line.
#[test]
fn scheduled_shapes_are_checked() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let body = std::fs::read_to_string(&file).unwrap();
    let bad = body.replacen(
        "[voipcomm]\n",
        "[voipcomm]\nscheduled_list_array = \"data\"\nscheduled_id_param = \"call id\"\nscheduled_delete_method = \"PUT\"\n",
        1,
    );
    std::fs::write(&file, bad).unwrap();
    let f = file.to_str().unwrap();
    let out = run(cmd(&["check", f], None, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("scheduled_delete_method"), "{shown}");

    let bad = body.replacen(
        "[voipcomm]\n",
        "[voipcomm]\nscheduled_list_array = \"data\"\nscheduled_id_param = \"call id\"\n",
        1,
    );
    std::fs::write(&file, bad).unwrap();
    let out = run(cmd(&["check", f], None, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("`scheduled_list_array` \"data\" is not a JSON pointer"),
        "{shown}"
    );
    assert!(
        shown.contains("`scheduled_id_param` \"call id\" is not a parameter name"),
        "{shown}"
    );
    assert!(shown.contains("voipcomm-reminder.toml:"), "{shown}");
}
