//! Bad input: every problem reported as `path:line:column: error: message`, exit 1, output untouched.

mod common;

use common::{Fixture, entry, expect_error, issue};

fn good_site() -> Fixture {
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/news/ok.md", &entry("好", "", "ok")),
    ])
}

#[test]
fn broken_toml() {
    let f = good_site();
    f.write("content/2025-11/news/bad.md", "+++\ntitle = \"x\"\ntags = [\"a\"\n+++\nbody\n");
    let err = expect_error(&f, "content/2025-11/news/bad.md:3:12:", "unclosed array, expected `]`");
    assert_eq!(err.lines().filter(|l| l.contains(": error: ")).count(), 1, "{err}");
}

#[test]
fn unknown_key_suggests_the_one_meant() {
    let f = good_site();
    f.write("content/2025-11/news/bad.md", "+++\ntitle = \"x\"\n\norignal_title = \"y\"\n+++\nbody\n");
    let err = expect_error(&f, "content/2025-11/news/bad.md:4:1", "unknown field `orignal_title`");
    assert!(err.contains("hint: did you mean `original_title`?"), "{err}");
}

#[test]
fn a_negative_feed_limit() {
    let f = good_site();
    f.write("config.toml", &common::CONFIG.replacen("default_language", "feed_limit = -1\ndefault_language", 1));
    let stderr = expect_error(&f, "config.toml:3:14:", "invalid value: integer `-1`");
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn unknown_topic_folder() {
    let f = good_site();
    f.write("content/2025-11/relases/x.md", &entry("x", "", ""));
    let err = expect_error(&f, "content/2025-11/relases:1:1", "unknown topic folder");
    assert!(err.contains("did you mean `releases`?"), "{err}");
}

#[test]
fn translation_setting_an_inherited_field() {
    let f = good_site();
    f.write("content/2025-11/news/ok.en.md", "+++\ntitle = \"Good\"\n# comment\nsource = \"https://x.org/\"\n+++\n");
    let err = expect_error(&f, "content/2025-11/news/ok.en.md:4:1", "a translation cannot set `source`");
    assert!(err.contains("hint: remove `source` here and set it in ok.md"), "{err}");
}

#[test]
fn bad_issue_folder_name() {
    let f = good_site();
    f.write("content/2025-13/_index.md", &issue("x", "2025-12-01"));
    expect_error(&f, "content/2025-13:1:1", "is not named YYYY-MM");
}

#[test]
fn missing_closing_front_matter_delimiter() {
    let f = good_site();
    f.write("content/2025-11/news/bad.md", "+++\ntitle = \"x\"\nbody\n");
    expect_error(&f, "content/2025-11/news/bad.md:1:1", "never closed");
}

#[test]
fn impossible_date() {
    let f = good_site();
    f.write("content/2025-11/news/bad.md", "+++\ntitle = \"x\"\ndate = 2025-02-30\n+++\n");
    let err = expect_error(&f, "content/2025-11/news/bad.md:3:8:", "invalid date, expected day between 01 and 28");
    assert!(err.contains("hint: check the TOML syntax"), "{err}");
}

#[test]
fn unknown_language_in_a_file_name() {
    let f = good_site();
    f.write("content/2025-11/news/ok.fr.md", &entry("x", "", ""));
    expect_error(&f, "content/2025-11/news/ok.fr.md:1:1", "unknown language \"fr\"");
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let f = good_site();
    f.write("content/2025-11/news/a.md", "+++\ntitle = \"x\"\nwieght = 1\n+++\n");
    f.write("content/2025-11/news/b.md", "no front matter\n");
    f.write("content/2025-11/news/c.md", "+++\ntitle = \"x\"\nsource = \"ftp://x\"\n+++\n");
    let run = f.run(&["build"]);
    assert_eq!(run.status, 1);
    for loc in ["content/2025-11/news/a.md:3:1", "content/2025-11/news/b.md:1:1", "content/2025-11/news/c.md:3:"] {
        assert!(run.stderr.contains(loc), "{loc} missing from:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("3 problems found"), "{}", run.stderr);
}

#[test]
fn missing_config_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["--root", dir.path().to_str().unwrap(), "build"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config.toml:1:1"));
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_digest")).args(["build", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let f = good_site();
    let before = f.build();
    f.write("content/2025-11/news/bad.md", "+++\ntitle = \n+++\n");
    assert_eq!(f.run(&["build"]).status, 1);
    let after = common::Output::read(&f.root().join("public"));
    assert_eq!(before.files, after.files);
    // No temporary folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(f.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("digest-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_template_error_is_reported_and_keeps_the_output() {
    let f = good_site();
    let before = f.build();
    f.write(
        "templates/entry.html",
        "{% extends \"base.html\" %}{% block content %}{{ entry.title | nosuchfilter }}{% endblock content %}",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("templates/entry.html:1:62: error: template error: Unknown filter `nosuchfilter`"),
        "{}",
        run.stderr
    );
    assert_eq!(before.files, common::Output::read(&f.root().join("public")).files);
}

#[test]
fn two_builds_are_byte_identical() {
    let f = good_site();
    f.write("content/2025-11/releases/r.md", &entry("发布", "tags = [\"a\", \"b\"]\ndate = 2025-11-03", "text"));
    let first = f.build();
    let second = f.build();
    assert_eq!(first.files, second.files);
}

#[test]
fn refuses_to_replace_a_folder_that_is_not_an_earlier_build() {
    let f = good_site();
    f.write("precious/notes.txt", "keep me");
    let run = f.run(&["build", "--output", "precious"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(f.root().join("precious/notes.txt")).unwrap(), "keep me");
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_content_are_refused_by_name() {
    let f = good_site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "+++\ntitle = \"x\"\n+++\nsecret\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), f.root().join("content/2025-11/news/linked.md"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), f.root().join("content/2025-12")).unwrap();
    let err = expect_error(&f, "content/2025-11/news/linked.md:1:1", "symbolic link to");
    assert!(err.contains("content/2025-12:1:1: error: symbolic link to"), "{err}");
    assert!(err.contains("hint: copy or move the file or folder into place instead"), "{err}");
    assert!(!f.root().join("public/2025-11/news/linked/index.html").exists());
}
