//! The JSON Lines records every message makes, pinned.

use super::*;
use std::path::Path;

use crate::campaign::RecipientStats;
use crate::plan::{Action, PostKind};
use crate::submit::{Event, PostStatus, Removal, SendSummary, SubmitError};

fn line(message: Message<'_>) -> String {
    message.json().expect("renders").expect("a record")
}

#[test]
fn records_keep_the_event_stream_format() {
    assert_eq!(
        line(Message::Version(Version {
            outdial: "0.1.0",
            schema: 1,
            commit: None,
        })),
        r#"{"outdial":"0.1.0","schema":1,"type":"version"}"#
    );
    assert_eq!(
        line(Message::Version(Version {
            outdial: "0.1.0",
            schema: 1,
            commit: Some("04959c9"),
        })),
        r#"{"commit":"04959c9","outdial":"0.1.0","schema":1,"type":"version"}"#
    );
    let file = Path::new("c.toml");
    assert_eq!(
        line(Message::Checked(Checked::Valid {
            file,
            campaign: "web",
            recipients: 3,
            prompts: 1,
            sounds: 0,
            call_posts: 1,
            batch_size: 500,
            warnings: 2,
            any_hour: false,
        })),
        r#"{"call_posts":1,"campaign":"web","file":"c.toml","ok":true,"prompts":1,"recipients":3,"sounds":0,"type":"checked","warnings":2}"#
    );
    assert_eq!(
        line(Message::Checked(Checked::Invalid {
            file,
            errors: 5,
            warnings: 0
        })),
        r#"{"errors":5,"file":"c.toml","ok":false,"type":"checked","warnings":0}"#
    );
    let pause = |w: &mut dyn io::Write| w.write_all(b"<campaign action=\"7\"/>");
    assert_eq!(
        line(Message::Post(PostEvent::Compiled {
            seq: 1,
            kind: PostKind::Pause,
            numbers: 0,
            xml: Document(&pause),
        })),
        r#"{"kind":"pause","numbers":0,"seq":1,"type":"post","xml":"<campaign action=\"7\"/>"}"#
    );
    assert_eq!(
        line(Message::Post(PostEvent::Written {
            seq: 2,
            kind: PostKind::Send,
            numbers: 1,
            path: Path::new("o/0002-send.xml"),
        })),
        r#"{"kind":"send","numbers":1,"path":"o/0002-send.xml","seq":2,"type":"post"}"#
    );
    assert_eq!(
        line(Message::Post(PostEvent::DryRun {
            seq: 1,
            kind: PostKind::Ping,
            xml: b"<x/>",
        })),
        r#"{"dry_run":true,"kind":"ping","seq":1,"type":"post","xml":"<x/>"}"#
    );
    assert_eq!(
        line(Message::Done(Done {
            campaign: "web",
            provider: "VoiceShot",
            action: Action::SoundsDelete,
            posts: 2
        })),
        r#"{"action":"sounds-delete","posts":2,"type":"done"}"#
    );
    assert_eq!(
        line(Message::Sandbox(SandboxUrl { url: "http://x/" })),
        r#"{"type":"sandbox","url":"http://x/"}"#
    );
    assert_eq!(
        line(Message::Submit(Progress {
            event: &Event::Resolved {
                seq: 2,
                present: 1,
                missing: 1
            },
            provider: "VoiceShot",
        })),
        r#"{"missing":1,"present":1,"seq":2,"type":"resolved"}"#
    );
    assert_eq!(
        line(Message::Submit(Progress {
            event: &Event::Post {
                action: Action::Send,
                seq: 1,
                kind: PostKind::Send,
                numbers: 2,
                sent: 2,
                status: PostStatus::Accepted,
                endpoint: None,
            },
            provider: "VoiceShot",
        })),
        r#"{"action":"send","kind":"send","numbers":2,"sent":2,"seq":1,"status":"accepted","type":"post"}"#
    );
}

#[test]
fn submission_records_keep_the_event_stream_format() {
    let summary = SendSummary {
        posts: 3,
        accepted: 2,
        skipped: 1,
        numbers_sent: 3,
        resolved_present: 0,
        ..SendSummary::default()
    };
    assert_eq!(
        line(Message::Sent(Sent {
            campaign: "web",
            provider: "VoiceShot",
            summary: &summary,
            journal: Path::new(".outdial/web.jsonl"),
        })),
        r#"{"accepted":2,"journal":".outdial/web.jsonl","numbers_sent":3,"posts":3,"resolved_present":0,"skipped":1,"type":"sent"}"#
    );
    let result = crate::results::RecipientResult {
        number: "8185550100".into(),
        callid: "web8185550100".into(),
        status: crate::results::Status::NotReached,
        provider_status: Some("No Answer".into()),
        reason: Some("No Answer".into()),
        duration: Some(12),
        answered_by: None,
        attempts: None,
        called_at: Some("2026-01-02T15:00:00Z".into()),
        provider_time: Some("1/2/2026 9:00 AM".into()),
        source: Some("query"),
        keypresses: vec![crate::results::PromptKey {
            prompt: 1,
            keys: "2".into(),
        }],
        responses: [("confirm".to_owned(), "1".to_owned())].into(),
        recording: None,
        not_sent_by_outdial: false,
    };
    // A query's row and a report's row are one record.
    let record = r#"{"answered_by":null,"attempts":null,"called_at":"2026-01-02T15:00:00Z","callid":"web8185550100","duration":12,"keypresses":[{"keys":"2","prompt":1}],"number":"8185550100","provider_status":"No Answer","provider_time":"1/2/2026 9:00 AM","reason":"No Answer","recording":null,"responses":{"confirm":"1"},"source":"query","status":"not-reached","type":"result"}"#;
    let row = ResultRow {
        result: &result,
        prompts: &[1],
    };
    assert_eq!(line(Message::Call(row)), record);
    assert_eq!(line(Message::Recipient(row)), record);
    let mut summary = QuerySummary::default();
    summary.add(&result);
    assert_eq!(
        line(Message::Query(summary)),
        r#"{"in_doubt":0,"never_sent":0,"not_reached":1,"pending":0,"reached":0,"recipients":1,"removed":0,"type":"query","unknown":0}"#
    );
    let err = SubmitError::Rejected {
        seq: 1,
        kind: PostKind::Send,
        rejection: crate::provider::Rejection {
            code: "1".into(),
            code_name: "errorid",
            message: "no".into(),
            refusal: true,
            help: None,
            provider_message: None,
        },
    };
    assert_eq!(
        line(Message::Failed(Failed {
            exit: 5,
            error: &err,
            provider_message: err.provider_message(),
        })),
        r#"{"error":"post 1 (send) was rejected: errorid 1: no","exit":5,"type":"failed"}"#
    );
}

#[test]
fn by_id_records_keep_the_event_stream_format() {
    let removal = Removal {
        removed: 2,
        not_found: 1,
        finished: 0,
        unknown: 3,
    };
    assert_eq!(
        line(Message::Removed(Removed {
            campaign: "web",
            provider: "the Voicent Gateway",
            action: Action::Delete,
            removal: &removal,
        })),
        r#"{"action":"delete","finished":0,"not_found":1,"removed":2,"type":"done","unknown":3}"#
    );
    assert_eq!(
        line(Message::Settled(Settled {
            campaign: "web",
            sent: 1,
            not_sent: 2,
            in_doubt: vec!["web8185550101"],
        })),
        r#"{"in_doubt":["web8185550101"],"not_sent":2,"sent":1,"type":"resolved"}"#
    );
}

#[test]
fn the_plan_record_nests_the_journal_counts() {
    let stats = RecipientStats {
        inline: 4,
        recipients: 3,
        suppressed: 1,
        suppress_list: 1,
        ..RecipientStats::default()
    };
    let plan = PlanReport {
        file: Path::new("c.toml"),
        campaign: "golden",
        stats: &stats,
        contacts: None,
        uploads: 1,
        call_posts: 2,
        posts: 3,
        bytes: 6176,
        journal: JournalCounts {
            path: Path::new(".outdial/golden.jsonl"),
            used: true,
            accepted: 3,
            in_doubt: 0,
            to_send: 0,
        },
        provider: "VoiceShot",
        endpoint: "https://api.voiceshot.com/ivrapi.asp",
        prompts: Vec::new(),
        changes: &crate::converge::Converge::default(),
    };
    assert_eq!(
        line(Message::Plan(plan)),
        r#"{"bytes":6176,"call_posts":2,"campaign":"golden","capped":0,"changes":{"counts":{},"rows":[]},"deferred":0,"duplicates":0,"file":"c.toml","inline":4,"invalid":0,"journal":{"accepted":3,"in_doubt":0,"path":".outdial/golden.jsonl","to_send":0},"journals":0,"outside_window":0,"past":0,"posts":3,"quiet_day":0,"recipients":3,"rows":0,"rules":[],"suppress_list":1,"suppressed":1,"type":"plan","uploads":1,"valid":0}"#
    );
}

#[test]
fn a_problem_record_is_flat() {
    let problem = Problem::error("usage::format", "only for query").help("use json");
    assert_eq!(
        line(Message::Problem(&problem)),
        r#"{"code":"usage::format","column":null,"file":null,"help":"use json","label":null,"line":null,"message":"only for query","severity":"error","type":"problem"}"#
    );
}

#[test]
fn diff_records_keep_the_event_stream_format() {
    use crate::diff::{Area, Change, DiffCounts, Op, SettingChange};
    let change = Change::Setting(SettingChange {
        change: Op::Changed,
        area: Area::CallingRules,
        key: "recipients.window".into(),
        old: Some("\"08:00-21:00\"".into()),
        new: None,
    });
    assert_eq!(
        line(Message::Change(&change)),
        r#"{"area":"calling-rules","change":"changed","key":"recipients.window","new":null,"old":"\"08:00-21:00\"","type":"change","what":"setting"}"#
    );
    assert_eq!(
        line(Message::Diff(Diffed {
            old: "main:c.toml",
            new: "c.toml",
            differs: true,
            counts: DiffCounts {
                settings: 1,
                ..DiffCounts::default()
            },
            send: None,
        })),
        r#"{"added":0,"changed":0,"differs":true,"new":"c.toml","old":"main:c.toml","prompts":0,"removed":0,"settings":1,"type":"diff","unchanged":0}"#
    );
}

#[test]
fn the_schema_record_carries_the_schema_and_notes_have_none() {
    let record: serde_json::Value =
        serde_json::from_str(&line(Message::Schema(Schema::campaign()))).unwrap();
    assert_eq!(record["type"], "schema");
    assert_eq!(record["schema"]["title"], "outdial campaign file");
    assert!(Message::Note(Note::Posted).json().unwrap().is_none());
}

#[test]
fn a_document_that_cannot_be_rendered_fails_the_record() {
    let broken = |_: &mut dyn io::Write| Err(io::Error::other("sounds/a.wav changed"));
    let err = Message::Post(PostEvent::Compiled {
        seq: 1,
        kind: PostKind::SoundSave,
        numbers: 0,
        xml: Document(&broken),
    })
    .json()
    .unwrap_err();
    assert_eq!(err.to_string(), "sounds/a.wav changed");
}
