//! The repository's own sample site: builds, is complete in both languages, and is valid HTML5.

mod common;

use std::process::Command;

use common::{Output, select_text};

fn build_sample() -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let run = Command::new(env!("CARGO_BIN_EXE_digest"))
        .args(["--root", env!("CARGO_MANIFEST_DIR"), "build", "--output"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let output = Output::read(&target);
    (out, output)
}

#[test]
fn the_sample_site_publishes_both_issues_completely_in_both_languages() {
    let (_dir, out) = build_sample();
    for prefix in ["", "en/"] {
        let doc = out.html(&format!("{prefix}2025-11/index.html"));
        let per_topic: Vec<usize> = ["releases", "news", "discussions", "reports", "products", "memes"]
            .iter()
            .map(|t| select_text(&doc, &format!("#{t} article.entry")).len())
            .collect();
        assert_eq!(per_topic, [13, 9, 10, 3, 3, 4], "{prefix}: the whole November issue");
        assert!(select_text(&doc, ".untranslated-note").is_empty(), "{prefix}: everything is translated");
        let doc = out.html(&format!("{prefix}2025-05/index.html"));
        assert_eq!(select_text(&doc, "article.entry").len(), 4);
        let home = out.html(&format!("{prefix}index.html"));
        assert_eq!(select_text(&home, ".issues li").len(), 2);
    }
    let rss = feed_rs::parser::parse(out.files["en/rss.xml"].as_slice()).unwrap();
    assert_eq!(rss.entries.len(), 2);
}

#[test]
fn sample_pages_are_valid_html5() {
    let (dir, _) = build_sample();
    common::validate_html(&dir.path().join("public"));
}
