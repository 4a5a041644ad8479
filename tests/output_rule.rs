//! The output is never inside the sources: `build --output` and `export --output` in every
//! spelling of a source folder (relative, with `..`, absolute, through a symbolic link) are
//! refused at the option, and the site's files are left byte for byte as they were.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{CONFIG, Fixture, entry, issue};

/// A site with a file in each source folder, so each can be compared before and after.
fn site() -> Fixture {
    Fixture::with_config(
        CONFIG,
        &[
            ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
            ("content/2025-11/news/a.md", &entry("一条", "date = 2025-11-02", "正文。")),
            ("templates/notes.txt", "a site's own template folder"),
            ("static/extra.css", "body { color: black }\n"),
            ("themes/plain/templates/notes.txt", "another theme"),
        ],
    )
}

/// Every file and link under `dir`, by relative path: contents for files, targets for links.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let bytes = match e.file_type() {
            t if t.is_symlink() => std::fs::read_link(e.path()).unwrap().to_string_lossy().as_bytes().to_vec(),
            t if t.is_file() => std::fs::read(e.path()).unwrap(),
            _ => b"<folder>".to_vec(),
        };
        out.insert(rel, bytes);
    }
    out
}

/// Runs `digest --root . ARGS` in the site folder (as an editor does) and returns the exit code
/// and standard error.
fn run_in(root: &Path, args: &[&str]) -> (i32, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_digest")).current_dir(root).args(["--root", "."]).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The spellings of a place inside `folder` (which holds `rest` below it): relative, with `..`,
/// absolute, and through a symbolic link made beside the site's sources for the purpose.
fn spellings(root: &Path, folder: &str, rest: &str) -> Vec<String> {
    let link = format!("link-to-{folder}");
    #[cfg(unix)]
    if !root.join(&link).exists() {
        std::os::unix::fs::symlink(root.join(folder), root.join(&link)).unwrap();
    }
    let mut all = vec![
        format!("{folder}/{rest}"),
        format!("public/../{folder}/{rest}"),
        format!("./content/../{folder}/./{rest}"),
        root.join(folder).join(rest).to_string_lossy().into_owned(),
    ];
    if cfg!(unix) {
        all.push(format!("{link}/{rest}"));
    }
    all
}

#[test]
fn build_refuses_an_output_inside_each_source_folder_in_every_spelling() {
    let f = site();
    let root = std::fs::canonicalize(f.root()).unwrap();
    for folder in ["content", "templates", "static", "themes"] {
        for output in spellings(&root, folder, "out") {
            let before = tree(&root);
            let (code, err) = run_in(&root, &["build", "--output", &output, "--no-search"]);
            assert_eq!(code, 1, "--output {output}: {err}");
            assert!(
                err.contains(&format!("{output}:1:1: error: --output: the output folder lies inside {folder}/")),
                "--output {output}: {err}"
            );
            assert!(err.contains("hint: write outside the site's sources"), "{err}");
            assert_eq!(tree(&root), before, "--output {output} changed the sources");
        }
    }
    // The folders themselves, and folders holding the site or a source folder.
    for (output, problem) in [
        ("content", "lies inside content/"),
        ("link-to-static", "lies inside static/"),
        ("themes/..", "contains the site itself"),
        (".", "contains the site itself"),
        ("..", "contains the site itself"),
    ] {
        let before = tree(&root);
        let (code, err) = run_in(&root, &["build", "--output", output, "--no-search"]);
        assert_eq!(code, 1, "--output {output}: {err}");
        assert!(err.contains(&format!("--output: the output folder {problem}")), "--output {output}: {err}");
        assert_eq!(tree(&root), before, "--output {output} changed the sources");
    }
    // Outside the sources the build goes ahead, the sources unchanged.
    let before = tree(&root);
    let (code, err) = run_in(&root, &["build", "--output", "content/../public", "--no-search"]);
    assert_eq!(code, 0, "{err}");
    assert!(root.join("public/index.html").is_file());
    std::fs::remove_dir_all(root.join("public")).unwrap();
    assert_eq!(tree(&root), before);
}

#[test]
fn export_refuses_an_output_inside_each_source_folder_in_every_spelling() {
    let f = site();
    let root = std::fs::canonicalize(f.root()).unwrap();
    for folder in ["content", "templates", "static", "themes"] {
        for output in spellings(&root, folder, "edition.md") {
            let before = tree(&root);
            let args = ["export", "2025-11", "--format", "markdown", "--output", &output];
            let (code, err) = run_in(&root, &args);
            assert_eq!(code, 1, "--output {output}: {err}");
            assert!(
                err.contains(&format!("{output}:1:1: error: --output: the output file lies inside {folder}/")),
                "--output {output}: {err}"
            );
            assert_eq!(tree(&root), before, "--output {output} changed the sources");
        }
    }
    let before = tree(&root);
    let (code, err) = run_in(&root, &["export", "2025-11", "--format", "markdown", "--output", "./config.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--output: the output file is the site's config.toml"), "{err}");
    assert_eq!(tree(&root), before);

    let (code, err) = run_in(&root, &["export", "2025-11", "--format", "markdown", "--output", "edition.md"]);
    assert_eq!(code, 0, "{err}");
    assert!(root.join("edition.md").is_file());
}
