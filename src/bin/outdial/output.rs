//! The printers: one per output format, chosen once per run. The commands hand every
//! [`Message`] to the printer; only here is it decided what a message looks like.

use std::cell::{Cell, RefCell};
use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::{GraphicalReportHandler, GraphicalTheme};
use outdial::diagnostic::Problem;
use outdial::diff::{
    Area, Change, Op, PromptChange, PromptPlays, PromptSide, RecipientChange, SettingChange,
};
use outdial::plan::Action;
use outdial::report::{
    Checked, Diffed, Done, Intent, Message, Note, PlanReport, Plays, PostEvent, Progress,
};
use outdial::results::cell::{csv_own, csv_text, escape_controls as shown};
use outdial::results::listen::ListenEvent;
use outdial::results::{RecipientResult, Status};
use outdial::submit::Event;

use crate::args::Format;

/// Shows what a command reports.
pub trait Report {
    /// Shows one message. Fails only when writing fails; that matters where the output is the
    /// product (the posts of `compile`).
    fn report(&self, message: Message<'_>) -> io::Result<()>;

    /// Shows one message whatever becomes of it: a closed pipe (`outdial … | head`) is not an
    /// error worth reporting.
    fn show(&self, message: Message<'_>) {
        let _ = self.report(message);
    }

    /// Shows what a `send` is about to do and asks on the terminal whether to go on: `true`
    /// for a yes. The question is for the person at the terminal, so it goes to stderr in
    /// every format.
    fn confirm(&self, intent: &Intent<'_>) -> io::Result<bool> {
        {
            let mut err = io::stderr().lock();
            write!(err, "{}", intent_text(intent))?;
            write!(err, "Send now? [y/N] ")?;
            err.flush()?;
        }
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
        if !yes {
            writeln!(io::stderr().lock(), "nothing sent")?;
        }
        Ok(yes)
    }
}

/// What a `send` is about to do, for people.
fn intent_text(intent: &Intent<'_>) -> String {
    let mut text = format!(
        "About to send \"{}\" to {}:\n  recipients  {}\n  posts       {}\n",
        intent.campaign, intent.provider, intent.recipients, intent.posts
    );
    for (i, endpoint) in intent.endpoints.iter().enumerate() {
        let label = if i == 0 { "endpoint" } else { "fallback" };
        text.push_str(&format!("  {label:<10}  {endpoint}\n"));
    }
    text.push_str(&format!("  journal     {}\n", intent.journal.display()));
    text.push_str(&format!("  changes     {}\n", intent.changes));
    if intent.unaskable {
        text.push_str(&format!(
            "  no record   nothing records an earlier send of this campaign, and {} cannot be asked which calls it holds: if it was sent from elsewhere, everyone in it is called again\n",
            intent.provider
        ));
    }
    text
}

/// Sends the library's tracing events to stderr, as many as `-v` asks for (none without it,
/// so stderr stays the diagnostics' own). Events of outdial itself only, up to `-vvv`.
/// `json` (`listen --log-format json`): as JSON lines with a timestamp, from the info level
/// on, so that `listen`'s log (see [`crate::listen_log`]) is written even without `-v`.
pub fn trace(verbose: u8, json: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 if json => LevelFilter::INFO,
        0 => return,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let targets = if verbose >= 3 {
        Targets::new().with_default(level)
    } else {
        Targets::new().with_target("outdial", level)
    };
    if json {
        let layer = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(io::stderr)
            .with_current_span(false)
            .with_span_list(false)
            .flatten_event(true)
            .with_target(false);
        let _ = tracing_subscriber::registry()
            .with(layer.with_filter(targets))
            .try_init();
        return;
    }
    let ansi =
        io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(io::stderr)
        .with_ansi(ansi)
        .without_time()
        .with_target(false);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}

/// The printer for `format`. In JSON the version record is written at once.
pub fn printer(format: Format, quiet: bool) -> Box<dyn Report> {
    match format {
        Format::Human => Box::new(PrintHuman::new(quiet, true)),
        Format::Json => Box::new(PrintJson::new()),
        Format::Csv => Box::new(PrintCsv {
            human: PrintHuman::new(quiet, false),
            header: Cell::new(false),
        }),
        Format::Markdown => Box::new(PrintMarkdown {
            human: PrintHuman::new(quiet, false),
            warnings: RefCell::new(Vec::new()),
            changes: RefCell::new(Vec::new()),
        }),
    }
}

/// `plan` as Markdown on stdout, for a pull request comment: the counts, the prompts as
/// they will be spoken, the warnings. Only what the campaign determines is in it (no paths
/// of this machine, no byte counts), so the same campaign gives the same comment.
/// Problems still go to stderr as for people.
struct PrintMarkdown {
    human: PrintHuman,
    /// The warnings so far, for the comment's last section.
    warnings: RefCell<Vec<String>>,
    /// `diff`'s differences so far, for the comment written at its end.
    changes: RefCell<Vec<Change>>,
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

/// One line for `state push` / `state pull`.
fn transferred_text(t: &outdial::report::Transferred<'_>) -> String {
    let (from, to) = match t.direction {
        "push" => (t.file.display().to_string(), t.store.to_owned()),
        _ => (t.store.to_owned(), t.file.display().to_string()),
    };
    let mut text = format!(
        "{}: copied {} from {from} to {to}; {} already in both",
        t.campaign,
        plural(t.counts.copied, "record", "records"),
        t.counts.shared
    );
    if t.counts.ahead > 0 {
        text.push_str(&format!(
            "; {to} holds {} more, which `outdial state {}` copies back",
            t.counts.ahead,
            if t.direction == "push" {
                "pull"
            } else {
                "push"
            }
        ));
    }
    let r = &t.results;
    if r.copied + r.shared + r.kept == 0 {
        text.push_str("; no results to copy");
    } else {
        text.push_str(&format!(
            "; results: copied {}, {} already in both",
            plural(r.copied, "call", "calls"),
            r.shared
        ));
        if r.kept > 0 {
            text.push_str(&format!(
                ", {} kept in {to}, which says as much or more",
                r.kept
            ));
        }
    }
    text
}

/// Text for a Markdown code span, on one line: escapes mean nothing inside one, so only a
/// backquote (which would end it) is replaced.
fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

/// Text on one line, as written otherwise.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
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

/// Each prompt of a plan in a phrase ("1 says: …"), with its filled example if it has one;
/// `text` escapes what the campaign wrote and `id` shows a prompt id, for Markdown or people.
fn prompt_lines(
    plan: &PlanReport<'_>,
    text: fn(&str) -> String,
    id: fn(u32) -> String,
) -> Vec<(String, Option<String>)> {
    plan.prompts
        .iter()
        .map(|prompt| {
            let id = id(prompt.id);
            let line = match &prompt.plays {
                Plays::Text(words) => format!("{id} says: {}", text(words)),
                Plays::Audio(path) => {
                    format!("{id} plays the local file {} (uploaded first)", text(path))
                }
                Plays::Sound(name) => format!("{id} plays {} from the account", text(name)),
            };
            let example = prompt.example.as_ref().map(|e| {
                format!(
                    "for {} (call id {}): {}",
                    e.number,
                    text(&e.callid),
                    text(&e.text)
                )
            });
            (line, example)
        })
        .collect()
}

/// At most this many recipients are listed in a Markdown diff: a pull request comment has a
/// size limit, and the counts and `--format json` give the rest.
const MARKDOWN_RECIPIENTS: usize = 50;
/// Unknown results the human report names, with the provider's words; the rest are in the
/// CSV and JSON rows.
const UNKNOWN_LINES: usize = 20;

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

fn op_word(op: Op) -> &'static str {
    match op {
        Op::Added => "added",
        Op::Removed => "removed",
        Op::Changed => "changed",
    }
}

fn op_mark(op: Op) -> char {
    match op {
        Op::Added => '+',
        Op::Removed => '-',
        Op::Changed => '~',
    }
}

fn area_name(area: Area) -> &'static str {
    match area {
        Area::Campaign => "campaign",
        Area::Schedule => "schedule",
        Area::CallingRules => "calling rules",
        Area::Vars => "vars",
        Area::Recipients => "recipients",
        Area::Provider => "provider",
    }
}

/// `old → new`, `new` or `old` as TOML.
fn setting_values(s: &SettingChange) -> String {
    match (&s.old, &s.new) {
        (Some(old), Some(new)) => format!("{old} → {new}"),
        (None, Some(v)) | (Some(v), None) => v.clone(),
        (None, None) => String::new(),
    }
}

fn prompt_side(p: &PromptSide) -> String {
    let mut text = match &p.plays {
        PromptPlays::Tts(text) => format!("says \"{text}\""),
        PromptPlays::Audio(name) => format!("plays the local file {name}"),
        PromptPlays::Sound(name) => format!("plays {name} from the account"),
    };
    if let Some(to) = &p.transferto {
        text.push_str(&format!(", transfers to {to}"));
    }
    if let Some(id) = &p.callerid {
        text.push_str(&format!(", caller ID {id}"));
    }
    text
}

fn prompt_values(p: &PromptChange) -> String {
    match (&p.old, &p.new) {
        (Some(old), Some(new)) => format!("{} → {}", prompt_side(old), prompt_side(new)),
        (None, Some(side)) | (Some(side), None) => prompt_side(side),
        (None, None) => String::new(),
    }
}

fn when(at: &Option<String>) -> &str {
    at.as_deref().unwrap_or("now")
}

/// What is new or different about a recipient's call, after its number (`: at … ; …`).
fn recipient_detail(r: &RecipientChange) -> String {
    let mut parts = Vec::new();
    match (&r.old, &r.new) {
        (Some(old), Some(new)) => {
            if old.at != new.at {
                parts.push(format!("at {} → {}", when(&old.at), when(&new.at)));
            }
            if old.callerid != new.callerid {
                parts.push(format!(
                    "caller ID {} → {}",
                    old.callerid.as_deref().unwrap_or("the campaign's"),
                    new.callerid.as_deref().unwrap_or("the campaign's")
                ));
            }
            if old.ext != new.ext {
                parts.push(format!(
                    "extension {} → {}",
                    old.ext.as_deref().unwrap_or("none"),
                    new.ext.as_deref().unwrap_or("none")
                ));
            }
            let ids: std::collections::BTreeSet<&u32> =
                old.spoken.keys().chain(new.spoken.keys()).collect();
            for id in ids {
                let (o, n) = (old.spoken.get(id), new.spoken.get(id));
                if o != n {
                    parts.push(format!(
                        "prompt {id} says {} → {}",
                        o.map_or("nothing".to_owned(), |t| format!("\"{t}\"")),
                        n.map_or("nothing".to_owned(), |t| format!("\"{t}\""))
                    ));
                }
            }
        }
        (None, Some(side)) => {
            parts.push(format!("at {}", when(&side.at)));
            if let Some(id) = &side.callerid {
                parts.push(format!("caller ID {id}"));
            }
            for (id, text) in &side.spoken {
                parts.push(format!("prompt {id} says \"{text}\""));
            }
        }
        _ => {}
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// One difference, for people: `+`, `-` or `~`, then what.
fn change_text(change: &Change) -> String {
    match change {
        Change::Setting(s) => format!(
            "{} setting {} ({}): {}",
            op_mark(s.change),
            s.key,
            area_name(s.area),
            setting_values(s)
        ),
        Change::Prompt(p) => format!(
            "{} prompt {}: {}",
            op_mark(p.change),
            p.id,
            prompt_values(p)
        ),
        Change::Recipient(r) => format!(
            "{} recipient {} (call id {}){}",
            op_mark(r.change),
            r.number,
            r.callid,
            recipient_detail(r)
        ),
    }
}

/// The last line of a `diff`, for people.
fn diffed_text(d: &Diffed<'_>) -> String {
    let mut t = diffed_counts(d);
    if let Some(send) = d.send {
        t.push_str(&format!(
            "\nsend would: {send} (the journal's calls against the new version)"
        ));
    }
    t
}

fn diffed_counts(d: &Diffed<'_>) -> String {
    let c = d.counts;
    if !d.differs {
        return format!(
            "{} → {}: no differences ({})",
            d.old,
            d.new,
            plural(c.unchanged as usize, "recipient", "recipients")
        );
    }
    format!(
        "{} → {}: {}, {}, recipients {} added, {} removed, {} changed, {} unchanged",
        d.old,
        d.new,
        plural(c.settings as usize, "setting", "settings"),
        plural(c.prompts as usize, "prompt", "prompts"),
        c.added,
        c.removed,
        c.changed,
        c.unchanged
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// JSON Lines on stdout: each message's record, one a line.
struct PrintJson;

impl PrintJson {
    fn new() -> Self {
        let out = PrintJson;
        out.show(Message::Version(outdial::report::Version::current()));
        out
    }
}

impl Report for PrintJson {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match message.json()? {
            Some(line) => writeln!(io::stdout().lock(), "{line}"),
            None => Ok(()),
        }
    }
}

/// Text for people: problems with their source excerpts and notes on stderr, results and
/// summaries on stdout, a progress bar on a terminal.
struct PrintHuman {
    quiet: bool,
    /// Summaries on stdout and a progress bar (not under `--format csv`).
    summaries: bool,
    handler: GraphicalReportHandler,
    /// The handler's colours, for the help it leaves to us.
    theme: GraphicalTheme,
    /// The bar of the submission under way; it ends at the first message that is not progress.
    bar: RefCell<ProgressBar>,
    /// Whether the query table's header is out.
    header: Cell<bool>,
}

impl PrintHuman {
    fn new(quiet: bool, summaries: bool) -> Self {
        let color =
            io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        let handler = GraphicalReportHandler::new_themed(theme.clone())
            .with_width(width)
            .with_links(false);
        PrintHuman {
            quiet,
            summaries,
            handler,
            theme,
            bar: RefCell::new(ProgressBar::hidden()),
            header: Cell::new(false),
        }
    }

    fn problem(&self, problem: &Problem) -> io::Result<()> {
        let text = crate::problem_text::render(&self.handler, &self.theme, problem);
        write!(io::stderr().lock(), "{text}")
    }

    /// A one-line summary on stdout (not with `-q`).
    fn summary(&self, line: &str) -> io::Result<()> {
        if self.summaries && !self.quiet {
            writeln!(io::stdout().lock(), "{line}")?;
        }
        Ok(())
    }

    /// A note on stderr (not with `-q`).
    fn note(&self, line: &str) -> io::Result<()> {
        if !self.quiet {
            writeln!(io::stderr().lock(), "{line}")?;
        }
        Ok(())
    }

    /// A bar on stderr, only for people watching a terminal.
    fn start_bar(&self, posts: usize) {
        if !self.summaries || !io::stderr().is_terminal() || posts < 2 {
            return;
        }
        let pb = ProgressBar::with_draw_target(Some(posts as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} posts {msg} [{elapsed}]")
        {
            pb.set_style(style);
        }
        *self.bar.borrow_mut() = pb;
    }

    fn end_bar(&self) {
        let bar = self.bar.replace(ProgressBar::hidden());
        bar.finish_and_clear();
    }

    fn header(&self) -> io::Result<()> {
        if self.header.replace(true) {
            return Ok(());
        }
        writeln!(
            io::stdout().lock(),
            "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  KEYS",
            "NUMBER",
            "CALLID",
            "STATUS",
            "PROVIDER",
            "DETAIL",
            "SECS"
        )
    }

    fn checked(&self, checked: &Checked<'_>) -> io::Result<()> {
        match checked {
            Checked::Valid {
                file,
                campaign,
                recipients,
                prompts,
                sounds,
                call_posts,
                batch_size,
                warnings,
                any_hour,
            } => self.summary(&format!(
                "{}: ok: \"{campaign}\", {}, {}, {}, {} (batches of {batch_size}){}{}",
                file.display(),
                plural(*recipients as usize, "recipient", "recipients"),
                plural(*prompts, "prompt", "prompts"),
                plural(*sounds, "sound file", "sound files"),
                plural(*call_posts, "call post", "call posts"),
                if *warnings > 0 {
                    format!(", {}", plural(*warnings, "warning", "warnings"))
                } else {
                    String::new()
                },
                if *any_hour {
                    "; window = \"always\": calls ring at any hour of the recipient's day"
                } else {
                    ""
                },
            )),
            Checked::Invalid {
                file,
                errors,
                warnings,
            } => self.note(&format!(
                "{}: {}, {}",
                file.display(),
                plural(*errors, "error", "errors"),
                plural(*warnings, "warning", "warnings")
            )),
        }
    }

    fn plan(&self, plan: &PlanReport<'_>) -> io::Result<()> {
        let stats = plan.stats;
        let mut rows: Vec<(&str, u64)> = vec![("numbers in the file", stats.inline)];
        if plan.contacts.is_some() {
            rows.extend([
                ("CSV rows read", stats.rows),
                ("  valid", stats.valid),
                ("  invalid (skipped)", stats.invalid),
            ]);
        }
        rows.extend([
            ("duplicates", stats.duplicates),
            ("suppressed", stats.suppressed),
            ("recipients to call", stats.recipients),
            ("uploads", plan.uploads as u64),
            ("call posts", plan.call_posts),
            ("posts", plan.posts as u64),
            ("bytes", plan.bytes),
        ]);
        if plan.journal.used {
            rows.extend([
                ("already sent (journal)", plan.journal.accepted),
                ("in doubt (journal)", plan.journal.in_doubt),
                ("still to send", plan.journal.to_send),
            ]);
        }
        let mut text = format!(
            "{}: plan for \"{}\" (send) to {} at {}",
            plan.file.display(),
            plan.campaign,
            plan.provider,
            plan.endpoint
        );
        if let Some(csv) = plan.contacts {
            text.push_str(&format!("\n  contacts: {}", csv.display()));
        }
        for (label, n) in rows {
            text.push_str(&format!("\n  {label:<24}{n:>12}"));
        }
        if plan.journal.used {
            text.push_str(&crate::changes_text::human(plan.changes));
        }
        // What people will hear, as the Markdown comment shows it.
        let prompts = prompt_lines(plan, one_line, |id| id.to_string());
        if !prompts.is_empty() {
            text.push_str("\n  prompts:");
        }
        for (prompt, example) in prompts {
            text.push_str(&format!("\n    {prompt}"));
            if let Some(example) = example {
                text.push_str(&format!("\n      {example}"));
            }
        }
        self.summary(&text)?;
        let listed = stats.skipped.len() as u64;
        if stats.invalid > listed {
            self.note(&format!(
                "{} more skipped rows not listed",
                stats.invalid - listed
            ))?;
        }
        Ok(())
    }

    /// The remark on a submission's progress event, if it has one.
    fn progress_note(progress: Progress<'_>) -> Option<String> {
        match progress.event {
            Event::Post { .. } => None,
            Event::Retry {
                seq,
                error,
                next,
                wait_ms,
            } => Some(format!(
                "post {seq}: {error}; retrying on {next} in {wait_ms} ms"
            )),
            Event::Ambiguous {
                seq,
                error,
                numbers,
            } => Some(format!(
                "post {seq}: {error}; {} may hold {} — querying before anything is re-sent",
                progress.provider,
                plural(*numbers, "call", "calls")
            )),
            Event::Resolved {
                seq,
                present,
                missing,
            } => Some(format!(
                "post {seq}: query found {present} of {} calls in doubt; {missing} will be sent",
                present + missing
            )),
        }
    }

    fn done(done: &Done<'_>) -> String {
        let (action, posts, provider) = (done.action, done.posts, done.provider);
        let what = match action {
            Action::Ping => format!("{provider} answered: this host can post"),
            Action::Pause => "paused pending calls".to_string(),
            Action::Resume => "resumed paused calls".to_string(),
            Action::Delete => format!(
                "asked {provider} to delete this campaign's undialled calls ({})",
                plural(posts, "post", "posts")
            ),
            Action::Sounds => format!("uploaded {}", plural(posts, "sound file", "sound files")),
            Action::SoundsDelete => {
                format!("deleted {}", plural(posts, "sound file", "sound files"))
            }
            _ => format!("{} done", action.name()),
        };
        format!("{}: {what}", done.campaign)
    }

    /// `listen`'s log: the URL on stdout (as `sandbox` prints its own), the rest on stderr;
    /// rejections even with `-q`, as they are problems.
    fn listen(&self, event: &ListenEvent) -> io::Result<()> {
        match event {
            ListenEvent::Listening {
                url,
                db,
                campaigns,
                auth,
                token,
                connections,
            } => {
                writeln!(io::stdout().lock(), "{url}")?;
                self.note(&format!(
                    "listening on {url} for {} into {db} ({connections} connections at once){}",
                    campaigns.join(", "),
                    match (*auth, *token) {
                        (_, true) => "; posts must carry credentials or end in the token",
                        (true, false) => "; posts must carry credentials",
                        (false, _) => "",
                    }
                ))?;
                if !*auth {
                    // Even with -q: serving without authentication is a choice to be reminded of.
                    writeln!(
                        io::stderr().lock(),
                        "warning: --insecure-no-auth: no authentication; anyone who can reach {url} can post results"
                    )?;
                }
                Ok(())
            }
            ListenEvent::Stored {
                route,
                campaign,
                callid,
                fresh,
                verdict,
                command,
            } => self.note(&format!(
                "{route}: {campaign} {callid} {}{}",
                match (*fresh, *verdict) {
                    (false, _) => "already stored",
                    (true, Some("repeat")) => "stored (says what was stored before)",
                    (true, Some("lesser")) => "kept in history (a lesser word than the stored one)",
                    (true, Some("conflict")) => {
                        "kept in history (conflicts with the final word stored before)"
                    }
                    (true, _) => "stored",
                },
                if *command {
                    ", Call Command replied"
                } else {
                    ""
                }
            )),
            ListenEvent::Unmatched { route, callid, why } => self.note(&format!(
                "{route}: kept as unmatched ({why}){}",
                if callid.is_empty() {
                    String::new()
                } else {
                    format!(", call id {}", callid.escape_debug())
                }
            )),
            ListenEvent::Recording { path, problem } => self.note(&match problem {
                None => format!("saved voicemail {path}"),
                Some(p) => format!("saved voicemail {path}; the audio inspector says: {p}"),
            }),
            ListenEvent::Rejected { route, status, why } => {
                writeln!(io::stderr().lock(), "{route}: refused with {status}: {why}")
            }
            ListenEvent::Stopped { stored, rejected } => self.note(&format!(
                "stopped: {} stored, {} refused",
                plural(*stored as usize, "post", "posts"),
                rejected
            )),
        }
    }

    fn note_of(&self, note: Note<'_>) -> io::Result<()> {
        match note {
            Note::Posting { posts } => {
                self.start_bar(posts);
                Ok(())
            }
            Note::Posted => {
                self.bar.borrow().inc(1);
                Ok(())
            }
            Note::PostsAside {
                unmatched,
                lesser,
                conflicts,
            } => {
                let mut parts = Vec::new();
                if unmatched > 0 {
                    parts.push(format!(
                        "{} kept as unmatched (outdial report --unmatched)",
                        plural(unmatched as usize, "post", "posts")
                    ));
                }
                if lesser + conflicts > 0 {
                    parts.push(format!(
                        "{} kept in history: {conflicts} conflicting with a stored final word, {lesser} saying less",
                        plural((lesser + conflicts) as usize, "later post", "later posts")
                    ));
                }
                self.summary(&parts.join("; "))
            }
            Note::Unmatched { posts } => self.summary(&format!(
                "{} kept as unmatched",
                plural(posts, "post", "posts")
            )),
            Note::NothingToPost { file, action } => self.note(&format!(
                "{}: {} has nothing to post",
                file.display(),
                action.name()
            )),
            Note::Wrote { posts, dir } => self.note(&format!(
                "wrote {} to {}",
                plural(posts, "post", "posts"),
                dir.display()
            )),
            Note::Changed { posts } => self.note(&format!(
                "{} changed since the journal recorded them; `send` would refuse (see --allow-changed)",
                plural(posts, "post", "posts")
            )),
            Note::AlreadyAccepted { seq, kind } => {
                self.note(&format!("post {seq} ({kind}): already accepted, skipped"))
            }
            Note::InDoubt { seq, calls } => self.note(&format!(
                "post {seq}: {} in doubt would be queried first; only those not found are sent",
                plural(calls, "call", "calls")
            )),
            Note::Answered { campaign, provider } => {
                self.summary(&format!("{campaign}: {provider} answered"))
            }
            Note::Converging { changes } => self.note(&format!("changes: {changes}")),
            Note::Unsent { changes } => self.note(&format!(
                "the campaign file is not what was sent: send would {changes} (review it with `outdial plan FILE`)"
            )),
            Note::SavedPlan { path } => self.note(&format!(
                "saved the plan to {}; `outdial send FILE --plan {}` sends exactly these posts",
                path.display(),
                path.display()
            )),
            Note::Stored { rows, kept, path } => self.note(&format!(
                "stored {} in {}{}",
                plural(rows, "result", "results"),
                path.display(),
                if kept > 0 {
                    format!("; {kept} kept as a Call Summary or callback reported them")
                } else {
                    String::new()
                }
            )),
            Note::WroteFile { what, path } => {
                self.note(&format!("wrote {what} to {}", path.display()))
            }
            Note::ResultsFrom { why } => self.note(&format!("note: {why}")),
            Note::NothingToDo { campaign, action } => {
                self.summary(&format!("{campaign}: nothing to {}", action.name()))
            }
        }
    }
}

impl Report for PrintHuman {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match &message {
            Message::Submit(_) | Message::Note(Note::Posting { .. } | Note::Posted) => {}
            _ => self.end_bar(),
        }
        match message {
            Message::Version(_) | Message::Failed(_) => Ok(()),
            Message::Problem(problem) => self.problem(problem),
            Message::Checked(checked) => self.checked(&checked),
            Message::Post(PostEvent::Compiled { xml, .. }) => {
                let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
                xml.write_to(&mut stdout)?;
                stdout.write_all(b"\n")?;
                stdout.flush()
            }
            Message::Post(PostEvent::DryRun { xml, .. }) => {
                let mut stdout = io::stdout().lock();
                stdout.write_all(xml)?;
                stdout.write_all(b"\n")
            }
            Message::Post(PostEvent::Written { .. }) => Ok(()),
            Message::Plan(plan) => self.plan(&plan),
            Message::Sent(sent) => {
                let s = sent.summary;
                self.summary(&format!(
                    "{}: sent {} in {} ({} skipped as already accepted{}); journal {}",
                    sent.campaign,
                    plural(s.numbers_sent, "number", "numbers"),
                    plural(s.accepted, "post", "posts"),
                    s.skipped,
                    if s.resolved_present > 0 {
                        format!(
                            ", {} already at {}, not sent again",
                            s.resolved_present, sent.provider
                        )
                    } else {
                        String::new()
                    },
                    sent.journal.display()
                ))
            }
            Message::Done(done) => self.summary(&Self::done(&done)),
            Message::Removed(r) => self.summary(&format!(
                "{}: {} removed {} not made yet; {} already gone, {} kept (made or failed), {} never taken or in doubt",
                r.campaign,
                r.provider,
                plural(r.removal.removed, "call", "calls"),
                r.removal.not_found,
                r.removal.finished,
                r.removal.unknown
            )),
            Message::Settled(s) => self.summary(&format!(
                "{}: settled {} as sent (never sent again) and {} as not sent (the next send posts them); {} still in doubt",
                s.campaign,
                plural(s.sent, "call", "calls"),
                s.not_sent,
                s.in_doubt.len()
            )),
            Message::Call(row) => {
                let r = row.result;
                self.header()?;
                let detail = r.reason.as_deref().or(r.answered_by.as_deref());
                writeln!(
                    io::stdout().lock(),
                    "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  {}{}{}",
                    shown(&r.number),
                    shown(&r.callid),
                    r.status.as_str(),
                    shown(r.provider_status.as_deref().unwrap_or("")),
                    shown(detail.unwrap_or("")),
                    r.duration.map(|d| d.to_string()).unwrap_or_default(),
                    shown(&keys(r)),
                    shown(&responses_text(r)),
                    if r.not_sent_by_outdial {
                        "  (not sent by outdial)"
                    } else {
                        ""
                    }
                )
            }
            Message::Query(q) => {
                self.header()?;
                let c = &q.counts;
                let mut line = format!(
                    "{}: {} reached, {} not reached, {} pending",
                    plural(q.recipients, "recipient", "recipients"),
                    c.reached,
                    c.not_reached,
                    c.pending,
                );
                // The rarer statuses only when they happened.
                for status in [Status::Unknown, Status::InDoubt, Status::Removed, Status::NeverSent]
                {
                    match c.get(status) {
                        0 => {}
                        n => line.push_str(&format!(", {n} {}", status.as_str())),
                    }
                }
                self.summary(&line)
            }
            // People read the counts; the rows are for JSON and CSV.
            Message::Recipient(_) => Ok(()),
            Message::Results(summary) => self.summary(&results_text(summary)),
            // Scripts read this line to learn the port, so it is printed even with -q.
            Message::Sandbox(sandbox) => writeln!(io::stdout().lock(), "{}", sandbox.url),
            Message::Listen(event) => self.listen(event),
            // Provider text, escaped: a post may carry control characters.
            Message::Unmatched(u) => writeln!(
                io::stdout().lock(),
                "{} {} call id \"{}\" number \"{}\": {}",
                u.received_at,
                u.route,
                u.callid.escape_debug(),
                u.number.escape_debug(),
                // Provider text in it is quoted and escaped already.
                u.why
            ),
            Message::Schema(schema) => io::stdout().lock().write_all(schema.text().as_bytes()),
            Message::Completions(c) => io::stdout().lock().write_all(c.script.as_bytes()),
            Message::Man(page) => io::stdout().lock().write_all(page.roff.as_bytes()),
            // Differences are the product, so they are shown even with -q; the counts are a
            // summary.
            Message::Change(change) => writeln!(io::stdout().lock(), "{}", change_text(change)),
            Message::Diff(diffed) => self.summary(&diffed_text(&diffed)),
            Message::Transferred(t) => self.summary(&transferred_text(&t)),
            Message::Submit(progress) => match Self::progress_note(progress) {
                Some(note) => {
                    let bar = self.bar.borrow();
                    bar.suspend(|| self.note(&note))
                }
                None => {
                    self.bar.borrow().inc(1);
                    Ok(())
                }
            },
            Message::Note(note) => self.note_of(note),
        }
    }
}

impl Drop for PrintHuman {
    fn drop(&mut self) {
        self.end_bar();
    }
}

/// `query` as CSV on stdout, one row per recipient after a header row; everything else as
/// for people, without summaries.
struct PrintCsv {
    human: PrintHuman,
    header: Cell<bool>,
}

impl PrintCsv {
    /// The header row of `query` and `report` alike: the fixed columns, then `prompt_N` per
    /// prompt.
    fn results_header(&self, prompts: &[u32]) -> io::Result<()> {
        if self.header.replace(true) {
            return Ok(());
        }
        let mut line = RESULT_COLUMNS.join(",");
        for prompt in prompts {
            line.push_str(&format!(",prompt_{prompt}"));
        }
        writeln!(io::stdout().lock(), "{line}")
    }

    /// One recipient's row. Provider text is neutralised ([`csv_text`]); the columns outdial
    /// writes itself (`number`, `status`, `duration`, `attempts`, `called_at`, `source`, the
    /// prompt columns' ids) are not.
    fn result_row(&self, r: &RecipientResult, prompts: &[u32]) -> io::Result<()> {
        self.results_header(prompts)?;
        let number = |n: Option<u32>| n.map(|d| d.to_string()).unwrap_or_default();
        let text = |t: Option<&str>| csv_text(t.unwrap_or(""));
        let mut line = [
            csv_own(&r.number),
            csv_text(&r.callid),
            r.status.as_str().to_owned(),
            text(r.provider_status.as_deref()),
            text(r.reason.as_deref()),
            text(r.answered_by.as_deref()),
            number(r.duration),
            number(r.attempts),
            csv_own(r.called_at.as_deref().unwrap_or("")),
            text(r.provider_time.as_deref()),
            r.source.unwrap_or("").to_owned(),
            text(r.recording.as_deref()),
            csv_text(responses_text(r).trim_start()),
        ]
        .join(",");
        for prompt in prompts {
            line.push(',');
            let keys: Vec<&str> = r
                .keypresses
                .iter()
                .filter(|k| k.prompt == *prompt)
                .map(|k| k.keys.as_str())
                .collect();
            line.push_str(&csv_text(&keys.join(" ")));
        }
        writeln!(io::stdout().lock(), "{line}")
    }
}

/// The fixed columns of a result row in CSV, as named in the JSON record.
const RESULT_COLUMNS: [&str; 13] = [
    "number",
    "callid",
    "status",
    "provider_status",
    "reason",
    "answered_by",
    "duration",
    "attempts",
    "called_at",
    "provider_time",
    "source",
    "recording",
    "responses",
];

/// The human summary of a results report: a table of statuses, then reasons and keys.
fn results_text(s: &outdial::results::Summary) -> String {
    let mut t = format!(
        "{}: {} ({})",
        s.campaign,
        plural(s.recipients as usize, "recipient", "recipients"),
        s.provider
    );
    let share = |n: u64| {
        (n * 100 + s.recipients / 2)
            .checked_div(s.recipients)
            .map(|p| format!("{p:>5}%"))
            .unwrap_or_default()
    };
    for status in Status::ALL {
        let n = s.counts.get(status);
        t.push_str(&format!("\n  {:<14}{n:>10}{}", status.as_str(), share(n)));
    }
    t.push_str(&format!("\n  {:<14}{:>10}", "to try again", s.retry));
    if s.counts.reached > 0 {
        let by = s.reached_by;
        t.push_str(&format!(
            "\n  reached: {} by a person, {} by a machine, {} not said",
            by.person, by.machine, by.unsaid
        ));
    }
    // The provider's own words for what outdial could not read: a person decides.
    let unknown: Vec<_> = s
        .attention
        .iter()
        .filter(|r| r.status == Status::Unknown)
        .collect();
    for r in unknown.iter().take(UNKNOWN_LINES) {
        t.push_str(&format!(
            "\n  unknown: {} {} said \"{}\"",
            shown(&r.number),
            s.provider,
            shown(r.provider_status.as_deref().unwrap_or(""))
        ));
    }
    if unknown.len() > UNKNOWN_LINES || (s.attention_more > 0 && !unknown.is_empty()) {
        t.push_str("\n  unknown: more in `outdial report --format csv`");
    }
    if !s.reasons.is_empty() {
        let reasons: Vec<String> = s
            .reasons
            .iter()
            .map(|r| format!("{} {}", shown(&r.value), r.count))
            .collect();
        t.push_str(&format!("\n  not reached: {}", reasons.join(", ")));
    }
    for prompt in s.keypresses.iter().filter(|p| !p.keys.is_empty()) {
        let keys: Vec<String> = prompt
            .keys
            .iter()
            .map(|k| format!("\"{}\" {}", shown(&k.value), k.count))
            .collect();
        t.push_str(&format!(
            "\n  prompt {} keys: {}",
            prompt.prompt,
            keys.join(", ")
        ));
    }
    if s.unmatched > 0 {
        t.push_str(&format!(
            "\n  {} no recipient of the campaign",
            plural(
                s.unmatched as usize,
                "stored result matches",
                "stored results match"
            )
        ));
    }
    t
}

impl Report for PrintCsv {
    fn report(&self, message: Message<'_>) -> io::Result<()> {
        match message {
            Message::Call(row) | Message::Recipient(row) => {
                self.result_row(row.result, row.prompts)
            }
            // A query of nobody still writes the header: the prompts are the campaign's.
            Message::Query(_) => self.results_header(&[]),
            Message::Results(summary) => {
                let prompts: Vec<u32> = summary.keypresses.iter().map(|k| k.prompt).collect();
                self.results_header(&prompts)
            }
            other => self.human.report(other),
        }
    }
}

/// `prompt:keys …`, every keypress in order.
fn keys(r: &RecipientResult) -> String {
    r.keypresses
        .iter()
        .map(|k| format!("{}:{}", k.prompt, k.keys))
        .collect::<Vec<_>>()
        .join(" ")
}

/// ` name=value …` (empty without answers).
fn responses_text(r: &RecipientResult) -> String {
    r.responses
        .iter()
        .map(|(k, v)| format!(" {k}={v}"))
        .collect()
}
