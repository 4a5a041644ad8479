//! `digest new` and `digest init`: scaffolded files load, build and pass `check`; nothing is overwritten.

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use digest::build::{Options as BuildArgs, build};
use digest::check::{Options, check};
use digest::load::{LoadOptions, load};
use digest::scaffold::{new_entry, new_issue};

fn digest(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digest")).arg("--root").arg(root).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A new site from `digest init` on 12 December 2025: its example issue is November's, the
/// month before, so that December is free for the editor's first issue.
fn new_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    digest::scaffold::init(&site, NaiveDate::from_ymd_opt(2025, 12, 12).unwrap(), Default::default()).unwrap();
    dir
}

fn build_args(dir: &Path, drafts: bool) -> BuildArgs {
    BuildArgs { output: dir.join("public"), base_url: None, drafts, search: true }
}

#[test]
fn init_makes_a_site_that_builds_and_checks_clean() {
    let dir = new_site();
    let root = dir.path().join("site");
    for f in [
        "config.toml",
        ".gitignore",
        "content/2025-11/_index.md",
        "content/2025-11/_index.en.md",
        "content/2025-11/news/hello-digest.md",
        "content/2025-11/news/hello-digest.en.md",
    ] {
        assert!(root.join(f).is_file(), "{f} missing");
    }
    let config = std::fs::read_to_string(root.join("config.toml")).unwrap();
    for key in ["releases", "news", "discussions", "reports", "products", "memes", "[languages.zh]", "[languages.en]"] {
        assert!(config.contains(key), "config.toml lacks {key}");
    }
    assert!(config.lines().filter(|l| l.starts_with('#')).count() > 10, "config.toml is documented");

    let summary = build(&root, &build_args(&root, false)).unwrap();
    assert_eq!((summary.issues, summary.entries, summary.languages), (1, 1, 2));
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    assert!(root.join("public/2025-11/news/hello-digest/index.html").is_file());
    assert!(root.join("public/en/2025-11/news/hello-digest/index.html").is_file());

    let report = check(&root, &Options::default());
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(shown.is_empty(), "{shown:#?}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = digest(dir.path(), &["init", "."]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(": error: the folder is not empty; digest init only fills an empty folder"), "{err}");
    assert!(err.contains("hint: choose a new folder name, or empty the folder first"), "{err}");
    // Nothing was written, and the folder's file is untouched.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");

    // An empty folder, and a folder that does not exist yet, are fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(digest(&empty, &["init", "."]).status.code(), Some(0));
    assert_eq!(digest(dir.path(), &["init", "fresh"]).status.code(), Some(0));
    assert!(dir.path().join("fresh/config.toml").is_file());
}

#[test]
fn new_issue_writes_every_language_as_a_draft_dated_the_last_day() {
    let dir = new_site();
    let root = dir.path().join("site");
    let created = new_issue(&root, "2026-02").unwrap();
    assert_eq!(created, vec![Path::new("content/2026-02/_index.md"), Path::new("content/2026-02/_index.en.md")]);
    let zh = std::fs::read_to_string(root.join("content/2026-02/_index.md")).unwrap();
    assert!(zh.contains("title = \"云原生月报 2026 年 2 月\"\n"), "{zh}");
    assert!(zh.contains("date = 2026-02-28\n"), "{zh}");
    assert!(zh.contains("draft = true\n"), "{zh}");
    assert!(zh.contains("# number = 2\n"), "the next number follows the example issue's: {zh}");
    let en = std::fs::read_to_string(root.join("content/2026-02/_index.en.md")).unwrap();
    assert!(en.contains("title = \"Cloud Native Monthly, February 2026\"\n"), "{en}");
    assert!(!en.contains("\ndate ="), "a translation does not set the date: {en}");

    // A draft: left out of a normal build, included with --drafts.
    let site = load(&root, &LoadOptions::default()).unwrap();
    assert_eq!(site.issues.len(), 1);
    let site = load(&root, &LoadOptions { drafts: true, base_url: None }).unwrap();
    assert_eq!(site.issues[digest::site::IssueId(0)].key, "2026-02");
    assert_eq!(site.issues[digest::site::IssueId(0)].texts["en"].title, "Cloud Native Monthly, February 2026");
    build(&root, &build_args(&root, true)).unwrap();
    assert!(root.join("public/en/2026-02/index.html").is_file());
}

#[test]
fn new_entry_and_its_translation_load_and_build() {
    let dir = new_site();
    let root = dir.path().join("site");
    new_issue(&root, "2025-12").unwrap();
    let main = new_entry(&root, "2025-12", "releases", "gateway-api-1-4", None).unwrap();
    assert_eq!(main, Path::new("content/2025-12/releases/gateway-api-1-4.md"));
    let text = std::fs::read_to_string(root.join(&main)).unwrap();
    for field in [
        "title =",
        "# original_title",
        "# source",
        "# date",
        "# weight",
        "# tags",
        "# editor_note",
        "# draft",
        "# via",
        "# [[further_reading]]",
    ] {
        assert!(text.contains(field), "{field} is not documented in place:\n{text}");
    }

    // Fill in the main file as an editor would, then scaffold the translation.
    let filled = text
        .replace("# source = \"https://\"", "source = \"https://kubernetes.io/blog/gateway-api-v1-4/\"")
        .replace("# date = 2025-12-01", "date = 2025-12-06")
        .replace("# tags = [\"kubernetes\"]", "tags = [\"gateway-api\", \"networking\"]")
        .replace(
            "title = \"gateway-api-1-4\"",
            "title = \"Gateway API 1.4 发布\"\noriginal_title = \"Gateway API v1.4\"",
        );
    std::fs::write(root.join(&main), filled).unwrap();
    let tr = new_entry(&root, "2025-12", "releases", "gateway-api-1-4", Some("en")).unwrap();
    assert_eq!(tr, Path::new("content/2025-12/releases/gateway-api-1-4.en.md"));
    let text = std::fs::read_to_string(root.join(&tr)).unwrap();
    for context in [
        "#   title:          Gateway API 1.4 发布\n",
        "#   source:         https://kubernetes.io/blog/gateway-api-v1-4/\n",
        "#   date:           2025-12-06\n",
        "#   tags:           gateway-api, networking\n",
    ] {
        assert!(text.contains(context), "{context:?} missing in:\n{text}");
    }
    assert!(text.contains("\ntitle = \"Gateway API v1.4\"\n"), "the title starts from the original title:\n{text}");
    for inherited in ["\nsource", "\ndate", "\ntags", "\nweight", "\ndraft"] {
        assert!(!text.contains(&format!("{inherited} =")), "{inherited} set in a translation:\n{text}");
    }

    let site = load(&root, &LoadOptions { drafts: true, base_url: None }).unwrap();
    let e = site.entries.iter().find(|e| e.slug == "gateway-api-1-4").unwrap();
    assert_eq!(e.texts.keys().collect::<Vec<_>>(), ["en", "zh"]);
    assert_eq!(e.texts["en"].title, "Gateway API v1.4");
    build(&root, &build_args(&root, true)).unwrap();
    assert!(root.join("public/en/2025-12/releases/gateway-api-1-4/index.html").is_file());
    let report = check(&root, &Options::default());
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
}

#[test]
fn new_refuses_bad_input_with_a_hint() {
    let dir = new_site();
    let root = dir.path().join("site");
    let cases: &[(&[&str], &str, &str)] = &[
        (&["new", "issue", "2025-13"], "\"2025-13\" is not a month written YYYY-MM", "e.g. 2025-12"),
        (&["new", "entry", "25-11", "news", "x"], "is not a month written YYYY-MM", "two digits"),
        (
            &["new", "entry", "2025-11", "relases", "x"],
            "unknown topic \"relases\"",
            "did you mean `releases`? topics are: releases, news, discussions, reports, products, memes",
        ),
        (
            &["new", "entry", "2025-11", "news", "a b"],
            "cannot be used as an entry's name",
            "letters, digits and hyphens",
        ),
        (
            &["new", "entry", "2025-11", "news", "../x"],
            "cannot be used as an entry's name",
            "letters, digits and hyphens",
        ),
        (&["new", "entry", "2026-01", "news", "x"], "the issue 2026-01 does not exist", "digest new issue 2026-01"),
        (&["new", "entry", "2025-11", "news", "x", "--lang", "fr"], "unknown language \"fr\"", "zh, en"),
        (
            &["new", "entry", "2025-11", "news", "x", "--lang", "en"],
            "the entry to translate does not exist",
            "digest new entry 2025-11 news x",
        ),
    ];
    for (args, message, hint) in cases {
        let out = digest(&root, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(err.contains(hint), "{args:?}: {err}");
    }
    assert_eq!(digest(&root, &["new", "issue"]).status.code(), Some(2), "a missing argument is a usage error");
}

#[test]
fn existing_files_are_never_overwritten() {
    let dir = new_site();
    let root = dir.path().join("site");
    let index = root.join("content/2025-11/_index.md");
    let before = std::fs::read_to_string(&index).unwrap();
    std::fs::remove_file(root.join("content/2025-11/_index.en.md")).unwrap();

    let out = digest(&root, &["new", "issue", "2025-11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("content/2025-11/_index.md:1:1: error: the issue already exists; digest never overwrites a file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&index).unwrap(), before);
    assert!(!root.join("content/2025-11/_index.en.md").exists(), "a refused command writes nothing");

    for args in [
        &["new", "entry", "2025-11", "news", "hello-digest"][..],
        &["new", "entry", "2025-11", "news", "hello-digest", "--lang", "en"],
    ] {
        let path = if args.len() == 5 {
            "content/2025-11/news/hello-digest.md"
        } else {
            "content/2025-11/news/hello-digest.en.md"
        };
        let before = std::fs::read_to_string(root.join(path)).unwrap();
        let out = digest(&root, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(&format!("{path}:1:1: error:")), "{}", stderr(&out));
        assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(root.join(path)).unwrap(), before);
    }
}

/// The title line of an issue's main file.
fn title_line(root: &Path, month: &str) -> String {
    let text = std::fs::read_to_string(root.join("content").join(month).join("_index.md")).unwrap();
    text.lines().find(|l| l.starts_with("title = ")).expect("a title").to_string()
}

#[test]
fn fetch_and_new_issue_title_an_issue_alike() {
    // English first: the languages whose titles differ (a comma before the month).
    for (default, other) in [("en", "zh"), ("zh", "en")] {
        let config = format!(
            "base_url = \"https://example.org\"\ndefault_language = \"{default}\"\n\
             [languages.{default}]\ntitle = \"Monthly\"\n[languages.{other}]\ntitle = \"月报\"\n"
        );
        let (by_new, by_fetch) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [&by_new, &by_fetch] {
            std::fs::write(dir.path().join("config.toml"), &config).unwrap();
        }
        new_issue(by_new.path(), "2026-12").unwrap();
        let parsed = digest::site::config::Config::load(by_fetch.path()).unwrap();
        assert!(digest::fetch::draft::ensure_issue(by_fetch.path(), &parsed, "2026-12").unwrap());
        let title = title_line(by_new.path(), "2026-12");
        assert_eq!(title, title_line(by_fetch.path(), "2026-12"), "default language {default}");
        let expected = if default == "en" { "Monthly, December 2026" } else { "Monthly 2026 年 12 月" };
        assert_eq!(title, format!("title = \"{expected}\""));
    }
}

#[test]
fn new_issue_refuses_a_number_past_the_last_one() {
    let dir = new_site();
    let root = dir.path().join("site");
    let index = root.join("content/2025-11/_index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(text.contains("\nnumber = 1\n"), "{text}");
    std::fs::write(&index, text.replace("\nnumber = 1\n", "\nnumber = 4294967295\n")).unwrap();
    let line = std::fs::read_to_string(&index).unwrap().lines().position(|l| l == "number = 4294967295").unwrap() + 1;

    let out = digest(&root, &["new", "issue", "2025-12"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("content/2025-11/_index.md:{line}:1: error: issue number 4294967295")), "{err}");
    assert!(err.contains("hint: renumber the issues"), "{err}");
    assert!(!root.join("content/2025-12").exists(), "nothing is written: {err}");

    // One below the last number still has a successor.
    std::fs::write(&index, text.replace("\nnumber = 1\n", "\nnumber = 4294967294\n")).unwrap();
    assert!(new_issue(&root, "2025-12").is_ok());
    let zh = std::fs::read_to_string(root.join("content/2025-12/_index.md")).unwrap();
    assert!(zh.contains("# number = 4294967295\n"), "{zh}");
}
