//! The commands: each calls the library and hands the results to [`Output`].

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use outdial::campaign::{self, Campaign, LoadOptions};
use outdial::diagnostic::{Problem, Problems};
use outdial::journal::{self, CallState};
use outdial::plan::{self, Action, PostBody};
use outdial::provider::{self, EncodeError};
use serde_json::json;

use crate::args::{Command, Format, NetArgs};
use crate::output::Output;

/// The exit codes of the product brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// A campaign (or a file it names) is invalid, or output could not be written.
    Invalid = 1,
    /// The command line is wrong (clap uses 2 as well).
    Usage = 2,
    /// The provider rejected a post (errorid ≠ 0).
    Rejected = 3,
    /// The network failed after every retry; running the command again resumes.
    Transport = 4,
    /// The provider refused this host or account (IP not registered, trial ended).
    Refused = 5,
}

/// Runs one command.
pub fn run(command: Command, net: &NetArgs, out: &mut Output) -> Exit {
    if out.format() == Format::Csv && !matches!(command, Command::Query(_)) {
        out.problem(
            &Problem::error("usage::format", "--format csv is only for `outdial query`")
                .help("use --format human or --format json"),
        );
        return Exit::Usage;
    }
    match command {
        Command::Send {
            target,
            allow_changed,
            resend_in_doubt,
        } => crate::net::send(&target, allow_changed, resend_in_doubt, net, out),
        Command::Resolve {
            file,
            sent,
            not_sent,
        } => crate::byid::resolve(&file, &sent, &not_sent, net, out),
        Command::Pause(t) => crate::net::command(&t, Action::Pause, net, out),
        Command::Resume(t) => crate::net::command(&t, Action::Resume, net, out),
        Command::Delete(t) => crate::net::command(&t, Action::Delete, net, out),
        Command::Ping(t) => crate::net::command(&t, Action::Ping, net, out),
        Command::Sounds { target, delete } => {
            let action = if delete {
                Action::SoundsDelete
            } else {
                Action::Sounds
            };
            crate::net::command(&target, action, net, out)
        }
        Command::Query(t) => crate::net::query(&t, net, out),
        Command::Sandbox {
            provider,
            port,
            dial_delay,
            faults,
            ..
        } if provider == "voicent" => crate::byid::sandbox(port, dial_delay, &faults, out),
        Command::Sandbox {
            port,
            dial_delay,
            faults,
            provider,
            ..
        } if provider == "voipcomm" => crate::voipcomm_sandbox::run(port, dial_delay, &faults, out),
        Command::Sandbox {
            port,
            state,
            success_rate,
            dial_delay,
            faults,
            seed,
            ..
        } => match faults.parse() {
            Ok(faults) => {
                crate::net::sandbox(port, state, success_rate, dial_delay, faults, seed, out)
            }
            Err(e) => crate::byid::bad_faults(&e, out),
        },
        Command::Check { files, deny_past } => check(&files, &options_at(deny_past, net.now), out),
        Command::Plan { file, deny_past } => plan(&file, &options_at(deny_past, net.now), net, out),
        Command::Compile {
            file,
            action,
            out_dir,
            deny_past,
        } => compile(
            &file,
            action,
            out_dir.as_deref(),
            &options_at(deny_past, net.now),
            out,
        ),
        Command::Schema => {
            let _ = io::stdout()
                .lock()
                .write_all(campaign::file::json_schema_text().as_bytes());
            Exit::Ok
        }
    }
}

pub(crate) fn options(deny_past: bool) -> LoadOptions {
    LoadOptions {
        deny_past,
        now: None,
    }
}

/// [`options`] with the moment `--now` names.
pub(crate) fn options_at(deny_past: bool, now: Option<jiff::Timestamp>) -> LoadOptions {
    LoadOptions { deny_past, now }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn report(problems: Problems, out: &Output) {
    for problem in problems.into_sorted() {
        out.problem(&problem);
    }
}

/// Loads a campaign, showing its problems; `None` when it has errors. Also returns the number
/// of warnings shown.
pub(crate) fn load(file: &Path, options: &LoadOptions, out: &Output) -> Option<(Campaign, usize)> {
    match campaign::load_with(file, options) {
        Ok(loaded) => {
            let warnings = loaded.warnings.warning_count();
            report(loaded.warnings, out);
            Some((loaded.campaign, warnings))
        }
        Err(problems) => {
            let (errors, warnings) = (problems.error_count(), problems.warning_count());
            report(problems, out);
            out.note(&format!(
                "{}: {}, {}",
                file.display(),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings")
            ));
            if out.format() == Format::Json {
                out.event(&json!({"type": "checked", "file": file.display().to_string(), "ok": false, "errors": errors, "warnings": warnings}));
            }
            None
        }
    }
}

fn check(files: &[PathBuf], options: &LoadOptions, out: &Output) -> Exit {
    let mut exit = Exit::Ok;
    for file in files {
        let Some((campaign, warnings)) = load(file, options, out) else {
            exit = Exit::Invalid;
            continue;
        };
        let uploads = if campaign.provider().uploads_audio() {
            campaign.sounds.len()
        } else {
            0
        };
        let calls = plan::post_count(&campaign, Action::Send) - uploads;
        let batch = campaign.provider().limits().batch_size;
        out.summary(&format!(
            "{}: ok: \"{}\", {}, {}, {}, {} (batches of {batch}){}",
            file.display(),
            campaign.name,
            plural(
                campaign.stats.recipients as usize,
                "recipient",
                "recipients"
            ),
            plural(campaign.prompts.len(), "prompt", "prompts"),
            plural(campaign.sounds.len(), "sound file", "sound files"),
            plural(calls, "call post", "call posts"),
            if warnings > 0 {
                format!(", {}", plural(warnings, "warning", "warnings"))
            } else {
                String::new()
            },
        ));
        if out.format() == Format::Json {
            out.event(&json!({
                "type": "checked", "file": file.display().to_string(), "ok": true, "campaign": campaign.name,
                "recipients": campaign.stats.recipients, "prompts": campaign.prompts.len(),
                "sounds": campaign.sounds.len(), "call_posts": calls, "warnings": warnings,
            }));
        }
    }
    exit
}

fn compile(
    file: &Path,
    action: Action,
    out_dir: Option<&Path>,
    options: &LoadOptions,
    out: &Output,
) -> Exit {
    let Some((campaign, _)) = load(file, options, out) else {
        return Exit::Invalid;
    };
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let result = match out_dir {
        Some(dir) => write_dir(&campaign, action, dir, now, out),
        None => write_stdout(&campaign, action, now, out),
    };
    let written = match result {
        Ok(written) => written,
        Err(Failure::Problem(problem)) => {
            out.problem(&problem);
            return Exit::Invalid;
        }
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => return Exit::Ok,
        Err(Failure::Io(err)) => {
            out.problem(
                &Problem::error("compile::write", format!("cannot write the posts: {err}"))
                    .help("check that the output folder is writable"),
            );
            return Exit::Invalid;
        }
    };
    if written == 0 {
        out.note(&format!(
            "{}: {} has nothing to post",
            file.display(),
            action.name()
        ));
    }
    Exit::Ok
}

/// Why writing posts stopped.
enum Failure {
    /// The plan could not go on (the CSV changed since it was checked, say).
    Problem(Box<Problem>),
    /// Writing failed.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

fn post_event(post: &plan::Post<'_>) -> serde_json::Value {
    json!({"type": "post", "seq": post.seq, "kind": post.body.kind().name(), "numbers": post.body.recipients().len()})
}

fn write_stdout(
    campaign: &Campaign,
    action: Action,
    now: jiff::Timestamp,
    out: &Output,
) -> Result<usize, Failure> {
    let mut written = 0;
    if out.format() == Format::Json {
        for post in plan::posts(campaign, action) {
            let post = post.map_err(|p| Failure::Problem(Box::new(p)))?;
            let xml = provider::encode_to_vec_at(campaign, &post, now).map_err(into_io)?;
            let mut event = post_event(&post);
            event["xml"] = json!(String::from_utf8_lossy(&xml));
            out.event(&event);
            written += 1;
        }
        return Ok(written);
    }
    let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    for post in plan::posts(campaign, action) {
        let post = post.map_err(|p| Failure::Problem(Box::new(p)))?;
        campaign
            .provider()
            .encode_at(campaign, &post, None, now, &mut stdout)
            .map_err(into_io)?;
        stdout.write_all(b"\n")?;
        written += 1;
    }
    stdout.flush()?;
    Ok(written)
}

fn into_io(err: EncodeError) -> io::Error {
    match err {
        EncodeError::Io(err) => err,
        other => io::Error::other(other.to_string()),
    }
}

/// Whether a file name is one `compile -o` writes (`0001-send.xml`, with the provider's
/// `extension`), so stale posts from an earlier, longer compile can be removed without
/// touching anything else in the folder.
fn is_post_file(name: &str, extension: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(extension)
        .and_then(|n| n.strip_suffix('.'))
    else {
        return false;
    };
    let (seq, kind) = stem.split_at(stem.find('-').unwrap_or(0));
    seq.len() >= 4
        && seq.bytes().all(|b| b.is_ascii_digit())
        && kind.len() > 1
        && kind[1..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
}

fn write_dir(
    campaign: &Campaign,
    action: Action,
    dir: &Path,
    now: jiff::Timestamp,
    out: &Output,
) -> Result<usize, Failure> {
    fs::create_dir_all(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let extension = campaign.provider().extension();
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| is_post_file(n, extension))
        {
            fs::remove_file(entry.path())?;
        }
    }
    let written = on_two_threads(
        campaign,
        action,
        now,
        |post| {
            let path = dir.join(format!(
                "{:04}-{}.{}",
                post.seq,
                post.body.kind(),
                campaign.provider().extension()
            ));
            if out.format() == Format::Json {
                let mut event = post_event(post);
                event["path"] = json!(path.display().to_string());
                out.event(&event);
            }
            path
        },
        |path, mut xml| {
            xml.push(b'\n');
            fs::write(path, &xml)
        },
    )?;
    out.note(&format!(
        "wrote {} to {}",
        plural(written, "post", "posts"),
        dir.display()
    ));
    Ok(written)
}

/// Plans the posts on this thread and renders them on a second one, so the two cores split
/// the work: this one reads the CSV, builds batches (`label` names each post, in order) and
/// hands the rendered bytes to `consume` (writing files, counting), the other only renders,
/// which is the larger share. Rendered posts come back through an unbounded channel that this
/// thread drains before each hand-over, so the renderer never blocks on it and only a few
/// posts are ever in flight. Returns how many posts were consumed.
fn on_two_threads<T: Send>(
    campaign: &Campaign,
    action: Action,
    now: jiff::Timestamp,
    mut label: impl FnMut(&plan::Post<'_>) -> T,
    mut consume: impl FnMut(T, Vec<u8>) -> io::Result<()>,
) -> Result<usize, Failure> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(T, plan::Post<'_>)>(2);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<io::Result<(T, Vec<u8>)>>();
    let mut consumed = 0usize;
    let mut take = |rendered: io::Result<(T, Vec<u8>)>| -> io::Result<()> {
        let (tag, xml) = rendered?;
        consume(tag, xml)?;
        consumed += 1;
        Ok(())
    };
    let mut planned = Ok(());
    let written = std::thread::scope(|scope| -> io::Result<()> {
        scope.spawn(move || {
            for (tag, post) in rx {
                let rendered = provider::encode_to_vec_at(campaign, &post, now).map_err(into_io);
                let failed = rendered.is_err();
                if done_tx.send(rendered.map(|xml| (tag, xml))).is_err() || failed {
                    break;
                }
            }
        });
        let mut written = Ok(());
        for post in plan::posts(campaign, action) {
            let post = match post {
                Ok(post) => post,
                Err(problem) => {
                    planned = Err(Failure::Problem(Box::new(problem)));
                    break;
                }
            };
            while let (Ok(()), Ok(rendered)) = (&written, done_rx.try_recv()) {
                written = take(rendered);
            }
            if written.is_err() || tx.send((label(&post), post)).is_err() {
                break;
            }
        }
        drop(tx);
        // The rest, in order, as the renderer finishes them (it stops when `tx` is gone).
        for rendered in done_rx {
            if written.is_ok() {
                written = take(rendered);
            }
        }
        written
    });
    planned?;
    written?;
    Ok(consumed)
}

fn plan(file: &Path, options: &LoadOptions, net: &NetArgs, out: &Output) -> Exit {
    let Some((campaign, _)) = load(file, options, out) else {
        return Exit::Invalid;
    };
    // What the journal says is done: read without locking, so `plan` works during a send.
    let journal_path = crate::net::journal_path(file, &campaign, net);
    let journal = match journal::read_state(&journal_path) {
        Ok(state) => state,
        Err(err) => {
            out.problem(
                &Problem::error("journal::read", err.to_string())
                    .help("the journal records what was sent; point --journal at the right file"),
            );
            return Exit::Invalid;
        }
    };
    let (mut accepted, mut in_doubt) = (0u64, 0u64);
    let stats = &campaign.stats;
    for problem in &stats.skipped {
        out.problem(problem);
    }
    // The bytes are counted by rendering every post, exactly as `compile` would, into nothing.
    let mut bytes = 0u64;
    let mut calls = 0u64;
    let counted = on_two_threads(
        &campaign,
        Action::Send,
        options.now.unwrap_or_else(jiff::Timestamp::now),
        |post| {
            calls += u64::from(matches!(post.body, PostBody::Calls(_)));
            if journal.lines() > 0 {
                for recipient in post.body.recipients() {
                    match journal.call(&recipient.callid, recipient.number.as_str()) {
                        Some(CallState::Accepted) => accepted += 1,
                        Some(CallState::InDoubt) => in_doubt += 1,
                        Some(CallState::NotTaken) | None => {}
                    }
                }
            }
        },
        |(), xml| {
            // `compile` ends every post with a line break.
            bytes += xml.len() as u64 + 1;
            Ok(())
        },
    );
    let posts = match counted {
        Ok(posts) => posts,
        Err(Failure::Problem(problem)) => {
            out.problem(&problem);
            return Exit::Invalid;
        }
        Err(Failure::Io(err)) => {
            out.problem(&Problem::error("plan::render", err.to_string()));
            return Exit::Invalid;
        }
    };
    if out.format() == Format::Json {
        out.event(&json!({
            "type": "plan", "file": file.display().to_string(), "campaign": campaign.name,
            "inline": stats.inline, "rows": stats.rows, "valid": stats.valid,
            "invalid": stats.invalid, "duplicates": stats.duplicates,
            "suppressed": stats.suppressed, "suppress_list": stats.suppress_list,
            "past": stats.past, "recipients": stats.recipients,
            "uploads": campaign.sounds.len(), "call_posts": calls, "posts": posts,
            "bytes": bytes,
            "journal": {
                "path": journal_path.display().to_string(), "accepted": accepted,
                "in_doubt": in_doubt, "to_send": stats.recipients - accepted - in_doubt,
            },
        }));
        return Exit::Ok;
    }
    let csv = campaign
        .contacts
        .as_ref()
        .map(|c| c.path.display().to_string());
    let mut rows: Vec<(&str, u64)> = vec![("numbers in the file", stats.inline)];
    if csv.is_some() {
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
        ("uploads", campaign.sounds.len() as u64),
        ("call posts", calls),
        ("posts", posts as u64),
        ("bytes", bytes),
    ]);
    if journal.lines() > 0 {
        rows.extend([
            ("already sent (journal)", accepted),
            ("in doubt (journal)", in_doubt),
            ("still to send", stats.recipients - accepted - in_doubt),
        ]);
    }
    let mut text = format!("{}: plan for \"{}\" (send)", file.display(), campaign.name);
    if let Some(csv) = &csv {
        text.push_str(&format!("\n  contacts: {csv}"));
    }
    for (label, n) in rows {
        text.push_str(&format!("\n  {label:<24}{n:>12}"));
    }
    out.summary(&text);
    if stats.invalid > stats.skipped.len() as u64 {
        out.note(&format!(
            "{} more skipped rows not listed",
            stats.invalid - stats.skipped.len() as u64
        ));
    }
    Exit::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_post_files() {
        assert!(is_post_file("0001-send.xml", "xml"));
        assert!(is_post_file("0012-sound-save.xml", "xml"));
        assert!(!is_post_file("0012-sound-save.xml", "txt"));
        assert!(!is_post_file("notes.xml", "xml"));
        assert!(!is_post_file("0001-send.xml.bak", "xml"));
        assert!(!is_post_file("01-send.xml", "xml"));
    }
}
