//! `compile`: the posts an action would send, one XML document each, on stdout or in files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use outdial::diagnostic::Problem;
use outdial::plan::{self, Action};
use outdial::prepared::Prepared;
use outdial::report::{Document, Message, Note, PostEvent};
use outdial::session::render::{self, Failure, on_two_threads};

use super::load;
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Compiles the campaign's posts for `action` to stdout, or into `out_dir`.
pub fn run(
    file: &Path,
    action: Action,
    out_dir: Option<&Path>,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let (campaign, _) = load::campaign(file, config, out)?;
    let now = config.now.unwrap_or_else(Timestamp::now);
    let result = match out_dir {
        Some(dir) => write_dir(&campaign, action, dir, now, out),
        None => write_stdout(&campaign, action, now, out),
    };
    let written = match result {
        Ok(written) => written,
        Err(Failure::Problem(problem)) => {
            out.show(Message::Problem(&problem));
            return Err(Exit::Invalid);
        }
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::Unsupported => {
            out.show(Message::Problem(
                &Problem::error("compile::unsupported", err.to_string())
                    .help("nothing was written; choose another --action (`outdial compile --help` lists them)"),
            ));
            return Err(Exit::Usage);
        }
        Err(Failure::Io(err)) => {
            out.show(Message::Problem(
                &Problem::error("compile::write", format!("cannot write the posts: {err}"))
                    .help("check that the output folder is writable"),
            ));
            return Err(Exit::Invalid);
        }
    };
    if written == 0 {
        out.show(Message::Note(Note::NothingToPost { file, action }));
    }
    Ok(())
}

/// Each post is reported with its document, in order; the document is rendered as the printer
/// writes it, so an upload is streamed, never held in memory whole.
fn write_stdout(
    campaign: &Prepared,
    action: Action,
    now: Timestamp,
    out: &dyn Report,
) -> Result<usize, Failure> {
    let mut written = 0;
    for post in plan::posts(campaign, action) {
        let post = post.map_err(|p| Failure::Problem(Box::new(p)))?;
        let write = |w: &mut dyn io::Write| render::write(campaign, &post, now, w);
        out.report(Message::Post(PostEvent::Compiled {
            seq: post.seq,
            kind: post.body.kind(),
            numbers: post.body.recipients().len(),
            xml: Document(&write),
        }))?;
        written += 1;
    }
    Ok(written)
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

/// One file per post (`0001-send.xml`, …), replacing the post files of an earlier compile.
fn write_dir(
    campaign: &Prepared,
    action: Action,
    dir: &Path,
    now: Timestamp,
    out: &dyn Report,
) -> Result<usize, Failure> {
    let extension = render::extension(campaign);
    fs::create_dir_all(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
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
        |post| -> PathBuf {
            let path = dir.join(format!("{:04}-{}.{extension}", post.seq, post.body.kind()));
            out.show(Message::Post(PostEvent::Written {
                seq: post.seq,
                kind: post.body.kind(),
                numbers: post.body.recipients().len(),
                path: &path,
            }));
            path
        },
        |path, mut xml| {
            xml.push(b'\n');
            fs::write(path, &xml)
        },
    )?;
    out.show(Message::Note(Note::Wrote {
        posts: written,
        dir,
    }));
    Ok(written)
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
