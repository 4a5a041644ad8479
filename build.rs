//! Build script: the version `digest --version` prints, with the commit when built from a git
//! checkout (`digest 0.1.0 (abc1234)`), and the plain version otherwise (a crate or a tarball).

use std::path::Path;
use std::process::Command;

fn main() {
    // Without a rerun-if-changed line, cargo would rerun the script on any change in the package.
    println!("cargo:rerun-if-changed=build.rs");
    let version = env!("CARGO_PKG_VERSION");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let commit = if Path::new(&root).join(".git").exists() { git_commit(&root) } else { None };
    match commit {
        Some(commit) => {
            println!("cargo:rustc-env=DIGEST_COMMIT={commit}");
            println!("cargo:rustc-env=DIGEST_VERSION={version} ({commit})");
        }
        None => {
            println!("cargo:rustc-env=DIGEST_COMMIT=");
            println!("cargo:rustc-env=DIGEST_VERSION={version}");
        }
    }
}

/// The short commit of HEAD, and the files whose change means a new one (HEAD, the branch it
/// names, packed-refs; found with `--git-path`, so a linked worktree works too). None when git is
/// missing or fails: the build goes on without it.
fn git_commit(root: &str) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let commit = git(&["rev-parse", "--short", "HEAD"])?;
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            let path = Path::new(root).join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}
