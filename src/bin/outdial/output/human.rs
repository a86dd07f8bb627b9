//! `--format human`: problems with their source excerpts and notes on stderr, results and
//! summaries on stdout, a progress bar on a terminal.

use std::cell::{Cell, RefCell};
use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::{GraphicalReportHandler, GraphicalTheme};
use outdial::diagnostic::Problem;
use outdial::report::{Checked, Message, Note, PlanReport, PostEvent, Progress};
use outdial::results::listen::ListenEvent;

use super::diff_text::{change_text, diffed_text};
use super::phrases::plural;
use super::report::Report;
use super::results_text::{call_row, query_header, query_text, results_text};
use super::run_text::{
    done_text, plan_text, posts_aside_text, progress_note, removed_text, sent_text, settled_text,
    transferred_text,
};

/// Text for people: problems with their source excerpts and notes on stderr, results and
/// summaries on stdout, a progress bar on a terminal.
pub(super) struct PrintHuman {
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
    pub(super) fn new(quiet: bool, summaries: bool) -> Self {
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

    /// The `query` table's header, once.
    fn header(&self) -> io::Result<()> {
        if self.header.replace(true) {
            return Ok(());
        }
        writeln!(io::stdout().lock(), "{}", query_header())
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
        self.summary(&plan_text(plan))?;
        let stats = plan.stats;
        let listed = stats.skipped.len() as u64;
        if stats.invalid > listed {
            self.note(&format!(
                "{} more skipped rows not listed",
                stats.invalid - listed
            ))?;
        }
        Ok(())
    }

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
            } => self.summary(&posts_aside_text(unmatched, lesser, conflicts)),
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

    /// The posts of `compile` and `--dry-run`: the product, on stdout.
    fn post(&self, post: PostEvent<'_>) -> io::Result<()> {
        match post {
            PostEvent::Compiled { xml, .. } => {
                let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
                xml.write_to(&mut stdout)?;
                stdout.write_all(b"\n")?;
                stdout.flush()
            }
            PostEvent::DryRun { xml, .. } => {
                let mut stdout = io::stdout().lock();
                stdout.write_all(xml)?;
                stdout.write_all(b"\n")
            }
            PostEvent::Written { .. } => Ok(()),
        }
    }

    /// A submission's progress: a remark above the bar, or one more step of it.
    fn progress(&self, progress: Progress<'_>) -> io::Result<()> {
        match progress_note(progress) {
            Some(note) => {
                let bar = self.bar.borrow();
                bar.suspend(|| self.note(&note))
            }
            None => {
                self.bar.borrow().inc(1);
                Ok(())
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
            Message::Post(post) => self.post(post),
            Message::Plan(plan) => self.plan(&plan),
            Message::Sent(sent) => self.summary(&sent_text(&sent)),
            Message::Done(done) => self.summary(&done_text(&done)),
            Message::Removed(r) => self.summary(&removed_text(&r)),
            Message::Settled(s) => self.summary(&settled_text(&s)),
            Message::Call(row) => {
                self.header()?;
                writeln!(io::stdout().lock(), "{}", call_row(row.result))
            }
            Message::Query(q) => {
                self.header()?;
                self.summary(&query_text(&q))
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
            Message::Submit(progress) => self.progress(progress),
            Message::Note(note) => self.note_of(note),
        }
    }
}

impl Drop for PrintHuman {
    fn drop(&mut self) {
        self.end_bar();
    }
}
