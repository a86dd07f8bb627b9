//! Puts the git commit into `outdial --version` when built from a git checkout (CI builds
//! from a clone, so its binaries say which commit they are); a build from a source package
//! without git says the version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let full = match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) => {
            // Rebuild when HEAD moves: HEAD itself (a checkout) and the branch it points at
            // (a commit), wherever git keeps them (a worktree keeps refs in the common dir).
            for path in ["HEAD", "packed-refs"] {
                if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                    println!("cargo:rerun-if-changed={p}");
                }
            }
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
                && let Some(p) = git(&["rev-parse", "--git-path", &branch])
            {
                println!("cargo:rerun-if-changed={p}");
            }
            format!("{version} ({commit})")
        }
        None => version.to_owned(),
    };
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=OUTDIAL_VERSION={full}");
}
