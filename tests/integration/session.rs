//! The workflow through the library alone: a [`Session`] plans, sends, queries and reports
//! against the VoiceShot sandbox on 127.0.0.1 with no `outdial` binary, its events collected
//! from the sink and its journal read back. What another front end (a server, a CI action)
//! would do, with no code copied from the binary.

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use outdial::journal::{self, CallState};
use outdial::plan::Action;
use outdial::provider::voiceshot::sandbox::{Faults, Sandbox, SandboxConfig};
use outdial::report::{Intent, Message};
use outdial::session::{
    CredentialSource, Error, Network, PlanOptions, ReportFiles, SendChoices, Session, Settings,
};
use outdial::state::StateLocation;

const NUMBERS: [&str; 3] = ["8185550131", "8185550132", "8185550133"];

/// A session of a campaign of three numbers that may ring at any hour, posting to `url`
/// with short timeouts; no credentials (the sandbox asks for none).
fn session(dir: &Path, url: &str) -> Session {
    let numbers: Vec<String> = NUMBERS.iter().map(|n| format!("\"{n}\"")).collect();
    let text = format!(
        "[campaign]\nname = \"library\"\n\n[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 2\n\n\
         [[prompt]]\nid = 1\ntts = \"The web server is down.\"\n\n\
         [recipients]\nwindow = \"always\"\nnumbers = [{}]\n",
        numbers.join(", ")
    );
    let file = dir.join("campaign.toml");
    std::fs::write(&file, text).unwrap();
    let campaign = outdial::load::load(&file)
        .expect("the campaign is valid")
        .campaign;
    let settings = Settings {
        file,
        journal: dir.join(".outdial/library.jsonl"),
        state: StateLocation::Local,
        network: Network {
            timeout: Duration::from_secs(5),
            retries: 0,
            backoff: Duration::from_millis(10),
            settle: Duration::from_millis(10),
            ..Network::question(Some(url.to_owned()))
        },
        now: None,
        credentials: CredentialSource::Given(None),
    };
    Session::new(campaign, settings)
}

/// The session's events: each JSON record's `type`, and `note` for what only people see.
#[derive(Default)]
struct Events(RefCell<Vec<serde_json::Value>>);

impl Events {
    fn sink(&self, message: Message<'_>) {
        let record = match message.json().expect("an event renders") {
            Some(json) => serde_json::from_str(&json).unwrap(),
            None => serde_json::json!({ "type": "note" }),
        };
        self.0.borrow_mut().push(record);
    }

    fn take(&self) -> Vec<serde_json::Value> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

fn of_type<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

const SEND: SendChoices<'static> = SendChoices {
    resend_in_doubt: false,
    never_sent: false,
    concurrency: 1,
    plan: None,
    dry_run: false,
};

#[test]
fn a_session_plans_sends_once_queries_and_reports_without_the_binary() {
    let sandbox = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        faults: Faults::default(),
        ..SandboxConfig::default()
    })
    .expect("sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let session = session(dir.path(), &sandbox.url());
    let events = Events::default();
    let sink = |m: Message<'_>| events.sink(m);

    // The plan: three recipients to send, nothing posted.
    let pending = session.plan(PlanOptions::default(), &sink).expect("plans");
    assert!(pending, "a campaign never sent has calls to send");
    let plan = events.take();
    let report = of_type(&plan, "plan");
    assert_eq!(report.len(), 1, "{plan:?}");
    assert_eq!(report[0]["recipients"], 3, "{plan:?}");
    assert_eq!(report[0]["posts"], 2, "{plan:?}");
    assert!(sandbox.calls().is_empty(), "a plan posts nothing");

    // The send: asked first with what it is about to do, then every call once.
    let asked = RefCell::new(Vec::new());
    let confirm = |intent: &Intent<'_>| {
        asked.borrow_mut().push((intent.recipients, intent.posts));
        Ok(())
    };
    let connection = session.connect(Action::Send).expect("connects");
    connection.send(SEND, &confirm, &sink).expect("sends");
    assert_eq!(
        asked.borrow().as_slice(),
        &[(3, 2)],
        "one question, 3 numbers in 2 posts"
    );
    let sent = events.take();
    let summary = of_type(&sent, "sent");
    assert_eq!(summary.len(), 1, "{sent:?}");
    assert_eq!(summary[0]["numbers_sent"], 3, "{sent:?}");
    let mut called: Vec<String> = sandbox.calls().into_iter().map(|c| c.number).collect();
    called.sort();
    assert_eq!(called.len(), 3, "{called:?}");

    // The journal records each call as accepted.
    let state = journal::read_state(&session.settings().journal).expect("journal reads");
    let mut accepted = 0;
    for post in outdial::plan::posts(session.campaign(), Action::Send) {
        for r in post.expect("plans").body.recipients() {
            let call = state.call(&r.callid, r.number.as_str());
            assert_eq!(call, Some(CallState::Accepted), "{}", r.number.as_str());
            accepted += 1;
        }
    }
    assert_eq!(accepted, 3);

    // Sent again: nobody is called twice.
    connection.send(SEND, &confirm, &sink).expect("sends again");
    assert_eq!(sandbox.calls().len(), 3, "a re-run posts no call again");
    let again = events.take();
    assert_eq!(of_type(&again, "sent")[0]["numbers_sent"], 0, "{again:?}");

    // Query and report: a result per recipient, then the counts.
    let db = dir.path().join(".outdial/results.db");
    let query = session.connect(Action::Query).expect("connects");
    query.query_and_store(false, &db, &sink).expect("queries");
    let queried = events.take();
    assert_eq!(of_type(&queried, "result").len(), 3, "{queried:?}");
    assert_eq!(of_type(&queried, "query").len(), 1, "{queried:?}");
    let files = ReportFiles {
        db: &db,
        html: None,
        retry: None,
        unmatched: false,
    };
    session.report(files, &sink).expect("reports");
    let reported = events.take();
    assert_eq!(of_type(&reported, "result").len(), 3, "{reported:?}");
    let counts = of_type(&reported, "report");
    assert_eq!(counts.len(), 1, "{reported:?}");
    assert_eq!(counts[0]["sent"], 3, "{reported:?}");
    sandbox.shutdown();
}

#[test]
fn a_declined_send_posts_nothing_and_says_why_in_a_typed_error() {
    let sandbox = Sandbox::start(SandboxConfig::default()).expect("sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let session = session(dir.path(), &sandbox.url());
    let events = Events::default();
    let connection = session.connect(Action::Send).expect("connects");
    let declined = connection.send(SEND, &|_| Err(Error::Declined), &|m| events.sink(m));
    assert!(matches!(declined, Err(Error::Declined)), "{declined:?}");
    assert!(sandbox.calls().is_empty(), "nothing is posted");
    assert!(of_type(&events.take(), "sent").is_empty());

    sandbox.shutdown();
}
