//! Snapshots of rendered pages and feeds, reviewed with `cargo insta review`: the sample's
//! May issue, one of its entries and a topic page with its feed, and a fixture site for a
//! fallback entry and the language feeds (small enough to read whole in a review).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Fixture, entry, issue};
use digest::load::theme::Theme;
use digest::load::{LoadOptions, load};
use digest::render::render;
use digest::write::MemorySink;

/// Every output of the site at `root`, rendered in memory as `build` renders it.
fn outputs(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut site = load(root, &LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    site.pictures = digest::images::process(&site, &digest::cache::Cache::none()).unwrap_or_else(|d| panic!("{d}"));
    let theme = Theme::for_site(root, &site.config).unwrap_or_else(|d| panic!("{d}"));
    let sink = MemorySink::default();
    render(&site, &theme, &sink).unwrap_or_else(|d| panic!("{d}"));
    sink.into_inner()
}

fn text(outputs: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = outputs.get(path).unwrap_or_else(|| panic!("no output {path}"));
    String::from_utf8(bytes.clone()).expect("UTF-8")
}

#[test]
fn sample_pages() {
    let out = outputs(Path::new(env!("CARGO_MANIFEST_DIR")));
    insta::assert_snapshot!("sample_issue_zh", text(&out, "2025-05/index.html"));
    insta::assert_snapshot!("sample_issue_en", text(&out, "en/2025-05/index.html"));
    insta::assert_snapshot!("sample_entry", text(&out, "2025-05/releases/etcd-3-5-21-in-kubernetes-1-33/index.html"));
    insta::assert_snapshot!("sample_topic_en", text(&out, "en/topics/memes/index.html"));
    insta::assert_snapshot!("sample_topic_feed_en", text(&out, "en/topics/memes/rss.xml"));
}

/// A site whose second entry exists in Chinese only.
fn fixture() -> Fixture {
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        (
            "content/2025-11/_index.en.md",
            "+++\ntitle = \"November\"\n+++\nThe *intro*, with [a link](#news-only-zh).\n",
        ),
        (
            "content/2025-11/releases/both.md",
            &entry(
                "两种语言",
                "source = \"https://example.org/both\"\ndate = 2025-11-06\ntags = [\"Gateway API\"]",
                "正文。",
            ),
        ),
        (
            "content/2025-11/releases/both.en.md",
            &entry("In both languages", "editor_note = \"A *note*.\"", "Text & more."),
        ),
        ("content/2025-11/news/only-zh.md", &entry("只有中文", "date = 2025-11-07", "只有中文的正文。")),
    ])
}

#[test]
fn fallback_entry_and_language_feeds() {
    let f = fixture();
    let out = outputs(f.root());
    insta::assert_snapshot!("fallback_entry", text(&out, "en/2025-11/news/only-zh/index.html"));
    insta::assert_snapshot!("rss", text(&out, "en/rss.xml"));
    insta::assert_snapshot!("atom", text(&out, "en/atom.xml"));
    insta::assert_snapshot!("topic_rss", text(&out, "topics/releases/rss.xml"));
}
