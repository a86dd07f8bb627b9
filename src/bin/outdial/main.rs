//! The `outdial` command: arguments → configuration → command → exit code.

mod args;
mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    let cli =
        args::Cli::from_arg_matches(&args::command().get_matches()).unwrap_or_else(|e| e.exit());
    let config = config::Config::new(cli);
    output::trace(config.verbose);
    // The one printer of this run, for the format asked for.
    let out = output::printer(config.format, config.quiet);
    commands::run(&config, out.as_ref()).into()
}
