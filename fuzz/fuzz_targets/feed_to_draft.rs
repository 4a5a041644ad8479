//! Feed to draft: whatever a feed holds, every item with a link becomes a draft file that the
//! project's own front-matter parser reads back (title, source and tags as written), whose
//! excerpt holds no raw HTML, and whose file name is one safe path segment.

#![no_main]

use std::collections::HashSet;
use std::path::Path;

use digest::fetch::draft::{self, EXCERPT_MARK, Item};
use digest::load::frontmatter::{self, EntryFront};
use digest::site::config::Source;
use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Parser};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let parser = feed_rs::parser::Builder::new().base_uri(Some("https://example.org/blog/feed.xml")).build();
    let Ok(feed) = parser.parse(data) else { return };
    let source = Source {
        name: "fuzz \"feed\"".into(),
        url: "https://example.org/blog/feed.xml".into(),
        topic: "news".into(),
        tags: vec!["cncf".into(), "CNCF".into()],
        include: vec![],
        exclude: vec![],
        line: 1,
    };
    let mut taken = HashSet::from(["index".to_string(), "x".to_string()]);
    for entry in &feed.entries {
        let item = Item::from_entry(entry, &feed.feed_type);
        assert!(!item.title.contains(['\n', '\r']), "{:?}", item.title);
        assert!(!has_raw_html(&item.excerpt), "raw HTML in the excerpt: {:?}", item.excerpt);
        let Some(link) = item.link.clone() else { continue };
        let url = url::Url::parse(&link).unwrap_or_else(|e| panic!("{link:?}: {e}"));
        assert!(matches!(url.scheme(), "http" | "https") && url.host().is_some(), "{link:?}");

        let text = draft::render(&item, &source).unwrap_or_else(|e| panic!("no draft for {item:?}: {e}"));
        let path = Path::new("draft.md");
        let split = frontmatter::split(path, &text).unwrap_or_else(|d| panic!("{d}\n{text}"));
        let front: EntryFront = frontmatter::parse(path, &text, &split).unwrap_or_else(|d| panic!("{d}\n{text}"));
        let title = if item.title.is_empty() { link.as_str() } else { item.title.as_str() };
        assert_eq!(front.title, title);
        assert!(!front.title.trim().is_empty(), "{text}");
        assert_eq!(front.source.as_ref().map(|s| s.get_ref().as_str()), Some(link.as_str()));
        assert!(front.draft);
        assert_eq!(front.via.as_deref(), Some(source.name.as_str()));
        assert!(split.body.starts_with(EXCERPT_MARK), "{text}");
        if let Some(date) = &front.date {
            frontmatter::date(path, &text, &split, date).unwrap_or_else(|d| panic!("{d}\n{text}"));
        }
        let html = digest::load::markdown::render(split.body, &Default::default())
            .expect("a draft's excerpt nests within the limit")
            .html;
        if let Err(e) = common::check_safe_html(&html) {
            panic!("unsafe excerpt HTML: {e}\n{html}");
        }

        let slug = draft::slug(&item, &taken);
        assert!(digest::site::slug::is_safe_segment(&slug), "{slug:?}");
        assert!(!slug.starts_with(['_', '-']) && !slug.ends_with(['_', '-']), "{slug:?}");
        assert!(slug.chars().count() <= 61 + taken.len().to_string().len(), "{slug:?}");
        assert!(taken.insert(slug.clone()), "{slug:?} was taken");
    }
});

fn has_raw_html(markdown: &str) -> bool {
    Parser::new(markdown).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
}
