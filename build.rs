//! Puts the git commit into `outdial --version` when built from a git checkout (CI builds
//! from a clone, so its binaries say which commit they are); a build from a source package
//! without git says the version alone. The commit is also `OUTDIAL_COMMIT`, for the JSON
//! Lines version record.

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
            // (a commit), wherever git keeps them (a worktree keeps refs in the common dir):
            // the loose ref, or packed-refs when the branch has none. Only files that exist
            // are named: cargo reruns a build script on every build for a missing one.
            let watch = |path: &str| {
                git(&["rev-parse", "--git-path", path])
                    .filter(|p| std::path::Path::new(p).exists())
                    .inspect(|p| println!("cargo:rerun-if-changed={p}"))
            };
            watch("HEAD");
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
                && watch(&branch).is_none()
            {
                watch("packed-refs");
            }
            println!("cargo:rustc-env=OUTDIAL_COMMIT={commit}");
            format!("{version} ({commit})")
        }
        None => version.to_owned(),
    };
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=OUTDIAL_VERSION={full}");
}
