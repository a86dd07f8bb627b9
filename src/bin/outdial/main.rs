//! The `outdial` command: parse arguments, run the command, map the outcome to an exit code.

mod args;
mod byid;
mod commands;
mod net;
mod output;
mod voipcomm_sandbox;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let mut out = output::Output::new(cli.format, cli.quiet);
    let exit = commands::run(cli.command, &cli.net, &mut out);
    ExitCode::from(exit as u8)
}
