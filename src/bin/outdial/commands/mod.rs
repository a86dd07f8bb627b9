//! The commands: each loads what it needs, calls the library and hands what happened to the
//! printer as typed messages. The provider's API is used in [`provider`] only.

mod check;
mod cli_docs;
mod command;
mod compile;
mod diff;
mod journal;
mod listen;
mod load;
mod man;
mod plan;
mod provider;
mod query;
mod render;
mod report;
mod resolve;
mod sandbox;
mod saved;
mod schema;
mod send;
mod state;

use outdial::diagnostic::Problem;
use outdial::report::Message;

use crate::args::Format;
use crate::config::{Command, Config};
use crate::exit::Exit;
use crate::output::Report;

/// Runs the configured command.
pub fn run(config: &Config, out: &dyn Report) -> Exit {
    if let Err(exit) = refuse_misplaced(config, out) {
        return exit;
    }
    dispatch(config, out)
}

/// Refuses what is wrong for every command before anything is read or sent: a format the
/// command has no use for, a state location that cannot be one.
fn refuse_misplaced(config: &Config, out: &dyn Report) -> Result<(), Exit> {
    if let Some(message) = misplaced_format(config) {
        out.show(Message::Problem(
            &Problem::error("usage::format", message).help("use --format human or --format json"),
        ));
        return Err(Exit::Usage);
    }
    if let Err(e) = config.state() {
        out.show(Message::Problem(
            &Problem::error("state::location", e.to_string()).help(
                "give --state (or OUTDIAL_STATE) a URL such as postgres://USER@HOST/DB, or leave it unset for local files",
            ),
        ));
        return Err(Exit::from(&e));
    }
    Ok(())
}

/// What is wrong with `--format` for this command, if anything: CSV is for the results,
/// Markdown for what a pull request shows.
fn misplaced_format(config: &Config) -> Option<&'static str> {
    match config.format {
        Format::Csv
            if !matches!(
                config.command,
                Command::Query { .. } | Command::Report { .. }
            ) =>
        {
            Some("--format csv is only for `outdial query` and `outdial report`")
        }
        Format::Markdown
            if !matches!(config.command, Command::Plan { .. } | Command::Diff { .. }) =>
        {
            Some("--format markdown is only for `outdial plan` and `outdial diff`")
        }
        _ => None,
    }
}

/// Hands the command its settings.
fn dispatch(config: &Config, out: &dyn Report) -> Exit {
    match &config.command {
        Command::Check { files } => check::run(files, config, out),
        Command::Plan {
            file,
            out: save,
            endpoint,
            offline,
            detailed_exitcode,
        } => {
            let options = plan::Options {
                save: save.as_deref(),
                endpoint: endpoint.as_deref(),
                offline: *offline,
                detailed_exitcode: *detailed_exitcode,
            };
            return plan::run(file, options, config, out);
        }
        Command::Compile {
            file,
            action,
            out_dir,
        } => compile::run(file, *action, out_dir.as_deref(), config, out),
        Command::Diff { old, new } => return diff::run(old, new, config, out),
        Command::Schema => schema::run(out),
        Command::Completions(shell) => cli_docs::completions(*shell, out),
        Command::Man { command, dir } => match dir {
            Some(dir) => cli_docs::man_dir(dir, out),
            None => cli_docs::man(command.as_deref(), out),
        },
        Command::Send {
            target,
            allow_changed,
            resend_in_doubt,
            never_sent,
            yes,
            concurrency,
            plan,
        } => send::run(
            target,
            send::Choices {
                allow_changed: *allow_changed,
                resend_in_doubt: *resend_in_doubt,
                never_sent: *never_sent,
                yes: *yes,
                concurrency: usize::from(*concurrency),
                plan: plan.as_deref(),
            },
            config,
            out,
        ),
        Command::State {
            push,
            file,
            endpoint,
        } => state::run(*push, file, endpoint.as_deref(), config, out),
        Command::Resolve {
            file,
            sent,
            not_sent,
            endpoint,
            settle,
        } => resolve::run(
            file,
            resolve::Ids { sent, not_sent },
            endpoint.as_deref(),
            *settle,
            config,
            out,
        ),
        Command::Action { target, action } => command::run(target, *action, config, out),
        Command::Query { target, db, all } => query::run(target, db.as_deref(), *all, config, out),
        Command::Report {
            file,
            db,
            html,
            retry,
            unmatched,
        } => report::run(
            file,
            report::Files {
                db: db.as_deref(),
                html: html.as_deref(),
                retry: retry.as_deref(),
                unmatched: *unmatched,
            },
            config,
            out,
        ),
        Command::Sandbox(sandbox) => sandbox::run(sandbox, out),
        Command::Listen(listen) => listen::run(listen, config, out),
    }
    .into()
}
