//! The man pages: `outdial.1` and one `outdial-COMMAND.1` per command, each with its options,
//! the environment, the exit status and examples, all from the clap definition, the
//! environment list and the exit code table, so they cannot drift from `--help`.

use std::io;

use clap_mangen::Man;

use crate::args;
use crate::exit;

/// One man page: its file name (`outdial-send.1`) and its roff.
pub struct Page {
    /// The file name.
    pub file: String,
    /// The page.
    pub roff: String,
}

/// Every page: outdial's own first, then one per command in the order of `--help`.
pub fn pages() -> io::Result<Vec<Page>> {
    let mut top = args::command().disable_help_subcommand(true);
    // Propagates the global options into the commands and names them `outdial-send`.
    top.build();
    let mut pages = vec![page(&top, None)?];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(page(sub, Some(&top))?);
    }
    Ok(pages)
}

/// The page of `command` (`outdial send`), or `None` when there is no such command.
pub fn page_of(command: &str) -> io::Result<Option<Page>> {
    let file = format!("outdial-{command}.1");
    Ok(pages()?.into_iter().find(|p| p.file == file))
}

fn page(cmd: &clap::Command, parent: Option<&clap::Command>) -> io::Result<Page> {
    let name = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_owned();
    let version = cmd
        .get_version()
        .or_else(|| parent.and_then(|p| p.get_version()));
    let man = Man::new(cmd.clone())
        .title(name.to_uppercase())
        .source(format!("outdial {}", version.unwrap_or_default()))
        .manual("outdial manual");
    let mut roff = Vec::new();
    man.render_title(&mut roff)?;
    man.render_name_section(&mut roff)?;
    man.render_synopsis_section(&mut roff)?;
    man.render_description_section(&mut roff)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut roff)?;
    }
    if parent.is_none() {
        man.render_subcommands_section(&mut roff)?;
    }
    let mut roff = String::from_utf8_lossy(&roff).into_owned();
    roff.push_str(&environment());
    roff.push_str(&exit_status());
    roff.push_str(&examples(cmd, parent.is_none()));
    roff.push_str(&see_also(cmd, parent));
    Ok(Page {
        file: format!("{name}.1"),
        roff,
    })
}

fn environment() -> String {
    let mut t = String::from(".SH ENVIRONMENT\n");
    for (names, meaning) in args::environment() {
        match names {
            Some(names) => t.push_str(&format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                escape(&names),
                line(&meaning)
            )),
            None => t.push_str(&format!(".PP\n{}.\n", line(&capital(&meaning)))),
        }
    }
    t
}

fn exit_status() -> String {
    let mut t = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit::TABLE {
        t.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", line(meaning)));
    }
    t
}

/// The command's examples from its help (`Example:` and indented command lines); the top
/// page shows the main path, check to send.
fn examples(cmd: &clap::Command, top: bool) -> String {
    let lines: Vec<String> = if top {
        [
            "outdial check campaigns/outage.toml",
            "outdial plan campaigns/outage.toml --out plan.json",
            "outdial send campaigns/outage.toml --plan plan.json --yes",
            "outdial report campaigns/outage.toml",
        ]
        .map(str::to_owned)
        .to_vec()
    } else {
        cmd.get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .map(str::to_owned)
            .collect()
    };
    let mut t = String::from(".SH EXAMPLES\n");
    for l in lines {
        // No filling: a command is shown as it is typed.
        t.push_str(&format!(".PP\n.nf\n.RS 4\n{}\n.RE\n.fi\n", line(&l)));
    }
    t
}

fn see_also(cmd: &clap::Command, parent: Option<&clap::Command>) -> String {
    let refs: Vec<String> = match parent {
        Some(_) => vec!["\\fBoutdial\\fR(1)".to_owned()],
        None => cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| format!("\\fBoutdial\\-{}\\fR(1)", escape(s.get_name())))
            .collect(),
    };
    format!(".SH \"SEE ALSO\"\n{}\n", refs.join(", "))
}

/// Text for a roff text line: escaped, and never read as a request.
fn line(text: &str) -> String {
    let text = escape(text);
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

/// Backslashes and hyphens escaped (a `-` unescaped may print as a typographic hyphen, which
/// does not paste into a shell).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page per command, each with the sections a man page needs and its own examples.
    #[test]
    fn every_command_has_a_page_with_every_section() {
        let pages = pages().unwrap();
        let top = args::command();
        let commands: Vec<&str> = top.get_subcommands().map(clap::Command::get_name).collect();
        assert_eq!(pages.len(), commands.len() + 1);
        assert_eq!(pages[0].file, "outdial.1");
        for command in commands {
            let page = pages
                .iter()
                .find(|p| p.file == format!("outdial-{command}.1"))
                .unwrap_or_else(|| panic!("no page for {command}"));
            for section in [
                ".SH NAME",
                ".SH SYNOPSIS",
                ".SH OPTIONS",
                ".SH ENVIRONMENT",
                ".SH \"EXIT STATUS\"",
                ".SH EXAMPLES",
                ".SH \"SEE ALSO\"",
            ] {
                assert!(page.roff.contains(section), "{command}: {section}");
            }
            assert!(
                page.roff.contains(&format!("outdial {}", escape(command))),
                "{command}'s example: {}",
                page.roff
            );
            assert!(page.roff.contains("\\fB64\\fR"), "{command}: exit codes");
            assert!(
                page.roff.contains("VOICESHOT_USERNAME"),
                "{command}: environment"
            );
        }
        let send = &pages
            .iter()
            .find(|p| p.file == "outdial-send.1")
            .unwrap()
            .roff;
        assert!(send.contains("\\-\\-yes"), "send's options: {send}");
        assert!(
            send.contains("\\-\\-endpoint"),
            "the network options: {send}"
        );
        assert!(pages[0].roff.contains("\\fBoutdial\\-send\\fR(1)"));
    }

    #[test]
    fn roff_lines_are_escaped_and_never_requests() {
        assert_eq!(line(".outdial/x.jsonl"), "\\&.outdial/x.jsonl");
        assert_eq!(line("a\\b --yes"), "a\\\\b \\-\\-yes");
    }
}
