//! The commands: each calls the library and hands the results to [`Output`].

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use outdial::campaign::{self, Campaign, Provider};
use outdial::diagnostic::{Problem, Problems};
use outdial::plan::{self, Action, PostBody};
use outdial::voiceshot;
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
        } => crate::net::send(&target, allow_changed, net, out),
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
            port,
            state,
            success_rate,
            dial_delay,
            faults,
            seed,
        } => crate::net::sandbox(port, state, success_rate, dial_delay, faults, seed, out),
        Command::Check { files } => check(&files, out),
        Command::Compile {
            file,
            action,
            out_dir,
        } => compile(&file, action, out_dir.as_deref(), out),
        Command::Schema => {
            let _ = io::stdout()
                .lock()
                .write_all(campaign::file::json_schema_text().as_bytes());
            Exit::Ok
        }
    }
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
pub(crate) fn load(file: &Path, out: &Output) -> Option<(Campaign, usize)> {
    match campaign::load(file) {
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

fn check(files: &[PathBuf], out: &Output) -> Exit {
    let mut exit = Exit::Ok;
    for file in files {
        let Some((campaign, warnings)) = load(file, out) else {
            exit = Exit::Invalid;
            continue;
        };
        let calls = plan::posts(&campaign, Action::Send)
            .iter()
            .filter(|p| matches!(p.body, PostBody::Calls(_)))
            .count();
        let batch = campaign
            .voiceshot()
            .map_or(campaign::DEFAULT_BATCH_SIZE, |v| v.batch_size);
        out.summary(&format!(
            "{}: ok: \"{}\", {}, {}, {}, {} (batches of {batch}){}",
            file.display(),
            campaign.name,
            plural(campaign.recipients.len(), "recipient", "recipients"),
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
                "recipients": campaign.recipients.len(), "prompts": campaign.prompts.len(),
                "sounds": campaign.sounds.len(), "call_posts": calls, "warnings": warnings,
            }));
        }
    }
    exit
}

fn compile(file: &Path, action: Action, out_dir: Option<&Path>, out: &Output) -> Exit {
    let Some((campaign, _)) = load(file, out) else {
        return Exit::Invalid;
    };
    if campaign.provider != Provider::Voiceshot {
        out.problem(
            &Problem::error(
                "compile::provider",
                format!(
                    "compiling for {:?} is not implemented yet",
                    campaign.provider
                ),
            )
            .in_file(&campaign.source)
            .help("set provider = \"voiceshot\" in [campaign]"),
        );
        return Exit::Invalid;
    }
    let posts = plan::posts(&campaign, action);
    if posts.is_empty() {
        out.note(&format!(
            "{}: {} has nothing to post",
            file.display(),
            action.name()
        ));
    }
    let result = match out_dir {
        Some(dir) => write_dir(&campaign, &posts, dir, out),
        None => write_stdout(&campaign, &posts, out),
    };
    match result {
        Ok(()) => Exit::Ok,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(err) => {
            out.problem(
                &Problem::error("compile::write", format!("cannot write the posts: {err}"))
                    .help("check that the output folder is writable"),
            );
            Exit::Invalid
        }
    }
}

fn post_event(post: &plan::Post<'_>) -> serde_json::Value {
    json!({"type": "post", "seq": post.seq, "kind": post.body.kind(), "numbers": post.body.recipients().len()})
}

fn write_stdout(campaign: &Campaign, posts: &[plan::Post<'_>], out: &Output) -> io::Result<()> {
    if out.format() == Format::Json {
        for post in posts {
            let xml = voiceshot::render::post_to_vec(campaign, post).map_err(io::Error::other)?;
            let mut event = post_event(post);
            event["xml"] = json!(String::from_utf8_lossy(&xml));
            out.event(&event);
        }
        return Ok(());
    }
    let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    for post in posts {
        voiceshot::write_post(campaign, post, &mut stdout).map_err(into_io)?;
        stdout.write_all(b"\n")?;
    }
    stdout.flush()
}

fn into_io(err: voiceshot::RenderError) -> io::Error {
    match err {
        voiceshot::RenderError::Io(err) => err,
        other => io::Error::other(other.to_string()),
    }
}

/// Whether a file name is one `compile -o` writes (`0001-send.xml`), so stale posts from an
/// earlier, longer compile can be removed without touching anything else in the folder.
fn is_post_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".xml") else {
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
    posts: &[plan::Post<'_>],
    dir: &Path,
    out: &Output,
) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_post_file) {
            fs::remove_file(entry.path())?;
        }
    }
    for post in posts {
        let path = dir.join(format!("{:04}-{}.xml", post.seq, post.body.kind()));
        let mut file = BufWriter::with_capacity(1 << 16, fs::File::create(&path)?);
        voiceshot::write_post(campaign, post, &mut file).map_err(into_io)?;
        file.write_all(b"\n")?;
        file.flush()?;
        if out.format() == Format::Json {
            let mut event = post_event(post);
            event["path"] = json!(path.display().to_string());
            out.event(&event);
        }
    }
    out.note(&format!(
        "wrote {} to {}",
        plural(posts.len(), "post", "posts"),
        dir.display()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_post_files() {
        assert!(is_post_file("0001-send.xml"));
        assert!(is_post_file("0012-sound-save.xml"));
        assert!(!is_post_file("notes.xml"));
        assert!(!is_post_file("0001-send.xml.bak"));
        assert!(!is_post_file("01-send.xml"));
    }
}
