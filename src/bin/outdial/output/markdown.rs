//! `--format markdown`: `plan` and `diff` as a pull request comment on stdout; every other
//! message as for people.

use std::cell::RefCell;
use std::io::{self, Write};

use outdial::diff::Change;
use outdial::report::{Diffed, Message, PlanReport};

use super::diff_text::{area_name, op_word, prompt_values, recipient_detail, setting_values};
use super::human::PrintHuman;
use super::phrases::{plural, prompt_lines};
use super::report::Report;

/// `plan` as Markdown on stdout, for a pull request comment: the counts, the prompts as
/// they will be spoken, the warnings. Only what the campaign determines is in it (no paths
/// of this machine, no byte counts), so the same campaign gives the same comment.
/// Problems still go to stderr as for people.
pub(super) struct PrintMarkdown {
    human: PrintHuman,
    /// The warnings so far, for the comment's last section.
    warnings: RefCell<Vec<String>>,
    /// `diff`'s differences so far, for the comment written at its end.
    changes: RefCell<Vec<Change>>,
}

impl PrintMarkdown {
    pub(super) fn new(quiet: bool) -> Self {
        PrintMarkdown {
            human: PrintHuman::new(quiet, false),
            warnings: RefCell::new(Vec::new()),
            changes: RefCell::new(Vec::new()),
        }
    }
}

impl Report for PrintMarkdown {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match message {
            Message::Problem(problem) => {
                if !problem.is_error() {
                    let mut line = format!("`{}`: {}", problem.code(), md(problem.message()));
                    if let (Some(file), Some(at)) = (problem.source_file(), problem.location()) {
                        line.push_str(&format!(" ({}:{})", md(file.name()), at.line));
                    }
                    self.warnings.borrow_mut().push(line);
                }
                self.human.report(Message::Problem(problem))
            }
            Message::Plan(plan) => {
                let text = plan_markdown(&plan, &self.warnings.borrow());
                io::stdout().lock().write_all(text.as_bytes())
            }
            Message::Change(change) => {
                self.changes.borrow_mut().push(change.clone());
                Ok(())
            }
            Message::Diff(diffed) => {
                let text = diff_markdown(&diffed, &self.changes.borrow());
                io::stdout().lock().write_all(text.as_bytes())
            }
            other => self.human.report(other),
        }
    }
}

/// Text for a Markdown code span, on one line: escapes mean nothing inside one, so only a
/// backquote (which would end it) is replaced.
fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

/// Text with Markdown's special characters escaped, on one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The Markdown comment of a plan.
fn plan_markdown(plan: &PlanReport<'_>, warnings: &[String]) -> String {
    let stats = plan.stats;
    let mut t = format!(
        "### outdial plan: `{}` ({})\n\nPosts go to `{}`.\n\n| | |\n|---|---:|\n",
        plan.campaign,
        plan.provider,
        code(plan.endpoint)
    );
    let mut row = |label: &str, n: u64| t.push_str(&format!("| {label} | {n} |\n"));
    row("recipients to call", stats.recipients);
    row("suppressed (do not call)", stats.suppressed);
    row("duplicates", stats.duplicates);
    if plan.contacts.is_some() {
        row("CSV rows read", stats.rows);
        row("CSV rows skipped as invalid", stats.invalid);
    }
    row("sound uploads", plan.uploads as u64);
    row("call posts", plan.call_posts);
    row("posts", plan.posts as u64);
    row("already sent (journal)", plan.journal.accepted);
    row("in doubt (journal)", plan.journal.in_doubt);
    row("still to send", plan.journal.to_send);
    if plan.journal.used {
        t.push_str(&crate::changes_text::markdown(plan.changes, &code));
    }
    t.push_str("\n#### Prompts\n\n");
    if plan.prompts.is_empty() {
        t.push_str("None.\n");
    }
    for (prompt, example) in prompt_lines(plan, md, |id| format!("**{id}**")) {
        t.push_str(&format!("- {prompt}\n"));
        if let Some(example) = example {
            t.push_str(&format!("  - {example}\n"));
        }
    }
    t.push_str("\n#### Warnings\n\n");
    if warnings.is_empty() {
        t.push_str("None.\n");
    }
    for w in warnings {
        t.push_str(&format!("- {w}\n"));
    }
    t
}

/// At most this many recipients are listed in a Markdown diff: a pull request comment has a
/// size limit, and the counts and `--format json` give the rest.
const MARKDOWN_RECIPIENTS: usize = 50;

/// The Markdown comment of a `diff`.
fn diff_markdown(diffed: &Diffed<'_>, changes: &[Change]) -> String {
    let c = diffed.counts;
    let mut t = format!(
        "### outdial diff: `{}` → `{}`\n\n",
        code(diffed.old),
        code(diffed.new)
    );
    if let Some(send) = diffed.send {
        t.push_str(&format!("`send` would: {}.\n\n", md(send)));
    }
    if !diffed.differs {
        t.push_str(&format!(
            "No differences ({}).\n",
            plural(c.unchanged as usize, "recipient", "recipients")
        ));
        return t;
    }
    t.push_str("| | |\n|---|---:|\n");
    for (label, n) in [
        ("settings changed", c.settings),
        ("prompts changed", c.prompts),
        ("recipients added", c.added),
        ("recipients removed", c.removed),
        ("recipients changed", c.changed),
        ("recipients unchanged", c.unchanged),
    ] {
        t.push_str(&format!("| {label} | {n} |\n"));
    }
    let section = |t: &mut String, title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            t.push_str(&format!("\n#### {title}\n\n"));
            for line in lines {
                t.push_str(&format!("- {line}\n"));
            }
        }
    };
    let mut settings = Vec::new();
    let mut prompts = Vec::new();
    let mut recipients = Vec::new();
    for change in changes {
        match change {
            Change::Setting(s) => settings.push(format!(
                "{} `{}` ({}): {}",
                op_word(s.change),
                code(&s.key),
                area_name(s.area),
                md(&setting_values(s))
            )),
            Change::Prompt(p) => prompts.push(format!(
                "{} **{}**: {}",
                op_word(p.change),
                p.id,
                md(&prompt_values(p))
            )),
            Change::Recipient(r) => recipients.push(format!(
                "{} {} (call id {}){}",
                op_word(r.change),
                r.number,
                md(&r.callid),
                md(&recipient_detail(r))
            )),
        }
    }
    section(&mut t, "Settings", settings);
    section(&mut t, "Prompts", prompts);
    let more = recipients.len().saturating_sub(MARKDOWN_RECIPIENTS);
    recipients.truncate(MARKDOWN_RECIPIENTS);
    if more > 0 {
        recipients.push(format!(
            "… and {more} more (`--format json` lists them all)"
        ));
    }
    section(&mut t, "Recipients", recipients);
    t
}
