//! The `outdial` command: arguments → configuration → command → exit code.

mod args;
mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let config = config::Config::new(args::Cli::parse());
    output::trace(config.verbose);
    // The one printer of this run, for the format asked for.
    let out = output::printer(config.format, config.quiet);
    commands::run(&config, out.as_ref()).into()
}
