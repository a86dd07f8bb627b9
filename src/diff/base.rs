//! A committed version of a campaign file, for `diff --base REF`: the file as `git show`
//! gives it at `REF`, written into a temporary folder laid out like the repository, with the
//! CSV contact list, suppression lists and audio files it names as they were at `REF` too.
//!
//! git runs as a subprocess with its arguments passed directly (no shell), so nothing in a
//! path or ref is ever interpreted as shell syntax.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::diagnostic::Problem;

/// The committed version of a campaign file, in a temporary folder that lives as long as
/// this value.
#[derive(Debug)]
pub struct Checkout {
    _dir: tempfile::TempDir,
    /// The campaign file in the temporary folder (load it from here: relative paths in it
    /// resolve to the files as they were at the ref).
    pub file: PathBuf,
    /// How to name the old version to people: `REF:path`.
    pub label: String,
}

/// Writes the version of `file` committed at `git_ref` (and the files it names) into a
/// temporary folder. A named file that is not in the repository at `git_ref` (ignored, or
/// outside it) is taken from the working tree, as it would be read today.
pub fn at_ref(file: &Path, git_ref: &str) -> Result<Checkout, Box<Problem>> {
    let _span = tracing::debug_span!("base", git_ref, file = %file.display()).entered();
    // A ref that starts with `-` would reach git as an option.
    if git_ref.is_empty() || git_ref.starts_with('-') || git_ref.contains(':') {
        return Err(Box::new(
            Problem::error(
                "diff::ref",
                format!("\"{git_ref}\" is not a git ref to compare with"),
            )
            .help("give a branch, tag or commit, e.g. --base main or --base HEAD~1"),
        ));
    }
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = file.file_name().ok_or_else(|| {
        Box::new(Problem::error(
            "diff::file",
            format!("{} is not a campaign file", file.display()),
        ))
    })?;
    // Where the campaign's folder is inside the repository, so the copy keeps the layout and
    // `../shared/dnc.txt` still points at the right file.
    let prefix = git(&dir, ["rev-parse", "--show-prefix"])
        .map_err(|e| not_in_git(file, &e))
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out).trim()))?;
    let text = git(&dir, [OsStr::new("show"), &spec(git_ref, Path::new(name))]).map_err(|e| {
        Box::new(
            Problem::error(
                "diff::base",
                format!("cannot read {} at {git_ref}: {e}", file.display()),
            )
            .help("check that the ref exists and that the file was committed there"),
        )
    })?;
    let tmp = tempfile::tempdir().map_err(|e| write_error(&e))?;
    let folder = tmp.path().join(&prefix);
    std::fs::create_dir_all(&folder).map_err(|e| write_error(&e))?;
    let copy = folder.join(name);
    std::fs::write(&copy, &text).map_err(|e| write_error(&e))?;
    copy_named(
        &String::from_utf8_lossy(&text),
        &dir,
        git_ref,
        &prefix,
        tmp.path(),
    )?;
    link_journals(&dir, &folder);
    Ok(Checkout {
        _dir: tmp,
        file: copy,
        label: format!("{git_ref}:{}", file.display()),
    })
}

/// Writes the files the campaign `text` names, as they were at `git_ref`, into the copy of
/// the repository at `root` (`prefix`: the campaign's folder inside it); a file not in the
/// repository at the ref is taken from the working tree (`dir`, the campaign's folder).
fn copy_named(
    text: &str,
    dir: &Path,
    git_ref: &str,
    prefix: &Path,
    root: &Path,
) -> Result<(), Box<Problem>> {
    for named in named_files(text) {
        let named = Path::new(&named);
        if named.is_absolute() {
            continue; // read where it is, in both versions
        }
        // Only files that stay inside the copy of the repository are written.
        let Some(inside) = normalize(&prefix.join(named)) else {
            continue;
        };
        let target = root.join(&inside);
        let bytes = match git(dir, [OsStr::new("show"), &spec(git_ref, named)]) {
            Ok(bytes) => bytes,
            Err(_) => match std::fs::read(dir.join(named)) {
                Ok(bytes) => {
                    tracing::debug!(file = %named.display(), "not at the ref; taken from the working tree");
                    bytes
                }
                // Missing in both: loading the old version says so.
                Err(_) => continue,
            },
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_error(&e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| write_error(&e))?;
    }
    Ok(())
}

/// Links the campaign's journals (`dir/.outdial`) into the copy's `folder`.
fn link_journals(dir: &Path, folder: &Path) {
    // `max_calls` reads the journals next to the campaign file: the old version reads today's,
    // like the new one, so the cap leaves out the same numbers on both sides.
    #[cfg(unix)]
    {
        let journals = dir.join(".outdial");
        if journals.is_dir()
            && let Ok(journals) = std::fs::canonicalize(journals)
        {
            let _ = std::os::unix::fs::symlink(journals, folder.join(".outdial"));
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, folder);
}

/// `REF:./path`: a path relative to git's working folder (`-C`), not the repository root.
fn spec(git_ref: &str, path: &Path) -> std::ffi::OsString {
    let mut spec = std::ffi::OsString::from(git_ref);
    spec.push(":./");
    spec.push(path);
    spec
}

/// Runs git in `dir`; its stdout, or its first line of stderr.
fn git<I, S>(dir: &Path, args: I) -> Result<Vec<u8>, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
    tracing::debug!(?args, dir = %dir.display(), "git");
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let err = String::from_utf8_lossy(&output.stderr);
        Err(err.lines().next().unwrap_or("git failed").trim().to_owned())
    }
}

/// The files a campaign file names: its CSV, suppression lists and audio prompts.
fn named_files(text: &str) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    if let Some(recipients) = table.get("recipients").and_then(toml::Value::as_table) {
        if let Some(csv) = recipients.get("csv").and_then(toml::Value::as_str) {
            files.push(csv.to_owned());
        }
        if let Some(lists) = recipients.get("suppress").and_then(toml::Value::as_array) {
            files.extend(lists.iter().filter_map(|v| v.as_str()).map(str::to_owned));
        }
    }
    if let Some(prompts) = table.get("prompt").and_then(toml::Value::as_array) {
        files.extend(
            prompts
                .iter()
                .filter_map(|p| p.get("audio")?.as_str())
                .map(str::to_owned),
        );
    }
    files
}

/// `path` without `.` and `..`, if it does not climb out of its root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn not_in_git(file: &Path, err: &str) -> Box<Problem> {
    Box::new(
        Problem::error(
            "diff::git",
            format!("{} is not in a git repository: {err}", file.display()),
        )
        .help("--base compares with a committed version; compare two files with `outdial diff OLD NEW`"),
    )
}

fn write_error(err: &std::io::Error) -> Box<Problem> {
    Box::new(Problem::error(
        "diff::temp",
        format!("cannot write the committed version to a temporary folder: {err}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_climb_out_are_not_written() {
        assert_eq!(
            normalize(Path::new("a/b/../c.csv")),
            Some(PathBuf::from("a/c.csv"))
        );
        assert_eq!(normalize(Path::new("a/../../x")), None);
    }

    #[test]
    fn refs_that_git_would_read_as_options_are_refused() {
        let file = Path::new("examples/outage-alert.toml");
        for bad in ["--output=/tmp/x", "-p", "", "a:b"] {
            let err = at_ref(file, bad).unwrap_err();
            assert_eq!(err.code(), "diff::ref", "{bad}");
        }
    }

    #[test]
    fn the_files_a_campaign_names_are_found() {
        let text = r#"
[recipients]
csv = "c.csv"
suppress = ["dnc.txt", "../x.csv"]
[[prompt]]
id = 1
audio = "sounds/a.wav"
"#;
        assert_eq!(
            named_files(text),
            ["c.csv", "dnc.txt", "../x.csv", "sounds/a.wav"]
        );
    }
}
