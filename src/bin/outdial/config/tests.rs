//! The arguments each reach the one place of the configuration that the commands read.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use outdial::plan::Action;
use outdial::provider::ProviderName;
use outdial::submit::SubmitOptions;

use super::{Command, Config, Old};
use crate::args::Cli;

fn config(args: &[&str]) -> Config {
    let cli = Cli::try_parse_from(std::iter::once("outdial").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    Config::new(cli)
}

#[test]
fn the_journal_comes_from_the_command_whichever_group_holds_it() {
    for args in [
        &["plan", "c.toml", "--journal", "j.jsonl"][..],
        &["send", "c.toml", "--journal", "j.jsonl"],
        &["resolve", "c.toml", "--sent", "a", "--journal", "j.jsonl"],
        &["state", "push", "c.toml", "--journal", "j.jsonl"],
        &["report", "c.toml", "--journal", "j.jsonl"],
        &["pause", "c.toml", "--journal", "j.jsonl"],
        &["query", "c.toml", "--journal", "j.jsonl"],
        &["ping", "c.toml", "--journal", "j.jsonl"],
    ] {
        let config = config(args);
        assert_eq!(config.journal, Some(PathBuf::from("j.jsonl")), "{args:?}");
        assert_eq!(
            config.journal_path("c.toml".as_ref(), "c"),
            PathBuf::from("j.jsonl")
        );
    }
    assert_eq!(config(&["plan", "c.toml"]).journal, None);
}

#[test]
fn deny_past_is_a_load_option_of_the_commands_that_take_it() {
    for args in [
        &["check", "c.toml", "--deny-past"][..],
        &["plan", "c.toml", "--deny-past"],
        &["compile", "c.toml", "--deny-past"],
    ] {
        assert!(config(args).load.deny_past, "{args:?}");
    }
    assert!(!config(&["check", "c.toml"]).load.deny_past);
}

#[test]
fn now_moves_past_times_only_for_the_offline_commands() {
    let now = "2026-12-01T14:00:00Z";
    for (args, offline) in [
        (&["--now", now, "plan", "c.toml"][..], true),
        (&["--now", now, "compile", "c.toml"], true),
        (&["--now", now, "report", "c.toml"], true),
        (&["--now", now, "send", "c.toml", "--dry-run"], false),
        (&["--now", now, "query", "c.toml"], false),
    ] {
        let config = config(args);
        assert_eq!(config.load.now.is_some(), offline, "{args:?}");
        // The dry run still writes its posts for that moment.
        assert_eq!(config.now, Some(now.parse().unwrap()), "{args:?}");
    }
}

#[test]
fn only_what_rings_someone_is_held_to_the_calling_hours() {
    for (args, rings_no_one) in [
        (&["send", "c.toml"][..], false),
        (&["compile", "c.toml"], false),
        (&["compile", "c.toml", "--action", "query"], true),
        (&["pause", "c.toml"], true),
        (&["sounds", "c.toml"], true),
        (&["query", "c.toml"], true),
        (&["plan", "c.toml"], false),
    ] {
        assert_eq!(config(args).load.rings_no_one, rings_no_one, "{args:?}");
    }
}

#[test]
fn each_action_command_is_its_action() {
    for (args, expected) in [
        (&["pause", "c.toml"][..], Action::Pause),
        (&["resume", "c.toml"], Action::Resume),
        (&["delete", "c.toml"], Action::Delete),
        (&["ping", "c.toml"], Action::Ping),
        (&["sounds", "c.toml"], Action::Sounds),
        (&["sounds", "c.toml", "--delete"], Action::SoundsDelete),
    ] {
        match config(args).command {
            Command::Action { action, target } => {
                assert_eq!(action, expected, "{args:?}");
                assert_eq!(target.file, PathBuf::from("c.toml"));
            }
            other => panic!("{args:?}: {other:?}"),
        }
    }
}

#[test]
fn settle_follows_the_timeout_unless_given() {
    match config(&["send", "c.toml", "--timeout", "90s"]).command {
        Command::Send { target, .. } => {
            assert_eq!(target.network.timeout, Duration::from_secs(90));
            assert_eq!(target.network.settle, Duration::from_secs(180));
        }
        other => panic!("{other:?}"),
    }
    match config(&["resolve", "c.toml", "--sent", "a"]).command {
        Command::Resolve { settle, sent, .. } => {
            let default = SubmitOptions::default_settle(Duration::from_secs(60));
            assert_eq!(settle, default);
            assert_eq!(sent, ["a"]);
        }
        other => panic!("{other:?}"),
    }
    match config(&["resolve", "c.toml", "--not-sent", "b", "--settle", "5s"]).command {
        Command::Resolve { settle, .. } => assert_eq!(settle, Duration::from_secs(5)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn diff_against_a_ref_compares_the_file_with_its_committed_self() {
    match config(&["diff", "c.toml", "--base", "origin/main"]).command {
        Command::Diff {
            old: Old::Base(base),
            new,
        } => {
            assert_eq!(base, "origin/main");
            assert_eq!(new, PathBuf::from("c.toml"));
        }
        other => panic!("{other:?}"),
    }
    match config(&["diff", "a.toml", "b.toml"]).command {
        Command::Diff {
            old: Old::File(old),
            new,
        } => assert_eq!((old, new), ("a.toml".into(), "b.toml".into())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_sandbox_stands_in_on_loopback_for_the_provider_named() {
    match config(&["sandbox", "--provider", "voipcomm", "--port", "0"]).command {
        Command::Sandbox(s) => {
            assert_eq!(s.provider, ProviderName::Voipcomm);
            assert_eq!(s.addr, "127.0.0.1:0".parse().unwrap());
        }
        other => panic!("{other:?}"),
    }
}
