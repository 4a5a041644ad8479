//! Feeds parsed back with feed-rs, and the checks the W3C feed validator makes most often.

mod common;

use common::{Fixture, entry, issue};
use quick_xml::events::Event;

fn site() -> Fixture {
    Fixture::new(&[
        ("content/2025-10/_index.md", &issue("十月", "2025-10-31")),
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nSee [the archive](/archive/).\n"),
        (
            "content/2025-11/releases/a.md",
            &entry("甲", "date = 2025-11-06\ntags = [\"k8s\"]", "Body A with [a link](/2025-10/)."),
        ),
        ("content/2025-11/releases/a.en.md", &entry("Alpha", "", "English A.")),
        ("content/2025-10/releases/b.md", &entry("乙", "", "Body B.")),
    ])
}

/// An element: name, attributes, text.
type Element = (String, Vec<(String, String)>, String);

/// Reads an XML document to the end, failing on any well-formedness error; returns its elements.
fn elements(xml: &[u8]) -> Vec<Element> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            quick_xml::escape::unescape(&String::from_utf8_lossy(&a.value)).unwrap().into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs, String::new()));
                stack.push(out.len() - 1);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = stack.last() {
                    out[i].2.push_str(&t.decode().unwrap());
                }
            }
            Event::CData(t) => {
                if let Some(&i) = stack.last() {
                    out[i].2.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // Empty elements never get an End event; that is fine for what we check.
    out
}

#[test]
fn language_feeds_have_one_item_per_issue_newest_first_with_full_content() {
    let out = site().build();
    let rss = feed_rs::parser::parse(out.files["en/rss.xml"].as_slice()).unwrap();
    let titles: Vec<String> = rss.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(titles, ["November", "十月"]);
    assert_eq!(rss.language.as_deref(), Some("en"));
    let first = &rss.entries[0];
    assert_eq!(first.id, "https://example.org/en/2025-11/");
    assert_eq!(first.published.unwrap().to_rfc3339(), "2025-11-30T00:00:00+00:00");
    let content = first.summary.as_ref().unwrap().content.clone();
    assert!(content.contains("English A."), "{content}");
    assert!(content.contains("href=\"https://example.org/archive/\""), "root-relative links made absolute: {content}");

    let atom = feed_rs::parser::parse(out.files["atom.xml"].as_slice()).unwrap();
    assert_eq!(atom.entries.len(), 2);
    assert_eq!(atom.entries[0].id, "https://example.org/2025-11/");
    assert_eq!(atom.updated.unwrap().to_rfc3339(), "2025-11-30T00:00:00+00:00");
    let content = atom.entries[0].content.as_ref().unwrap().body.clone().unwrap();
    assert!(content.contains("Body A with <a href=\"https://example.org/2025-10/\">a link</a>"), "{content}");
}

#[test]
fn topic_feeds_have_one_item_per_entry() {
    let out = site().build();
    let feed = feed_rs::parser::parse(out.files["topics/releases/rss.xml"].as_slice()).unwrap();
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["https://example.org/2025-11/releases/a/", "https://example.org/2025-10/releases/b/"]);
    // An entry's own date wins; without one, the issue's date.
    assert_eq!(feed.entries[0].published.unwrap().date_naive().to_string(), "2025-11-06");
    assert_eq!(feed.entries[1].published.unwrap().date_naive().to_string(), "2025-10-31");
    assert_eq!(feed.entries[0].categories[0].term, "k8s");
    let en = feed_rs::parser::parse(out.files["en/topics/releases/rss.xml"].as_slice()).unwrap();
    assert_eq!(en.entries[0].title.as_ref().unwrap().content, "Alpha");
}

#[test]
fn topic_feed_items_carry_the_whole_body_and_the_editor_note() {
    let body = "First paragraph, the summary.\n\nSecond paragraph, past the summary.";
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/releases/a.md", &entry("甲", "editor_note = \"The editor's word.\"", body)),
    ]);
    let out = f.build();
    let feed = feed_rs::parser::parse(out.files["topics/releases/rss.xml"].as_slice()).unwrap();
    let content = feed.entries[0].content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
    let summary = feed.entries[0].summary.as_ref().map(|s| s.content.clone()).unwrap_or_default();
    let text = format!("{content}{summary}");
    for part in ["First paragraph", "Second paragraph, past the summary.", "The editor's word."] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
}

#[test]
fn feed_limit_keeps_the_newest_items_of_every_feed() {
    let base = site();
    let config = common::CONFIG.replacen("default_language", "feed_limit = 1\ndefault_language", 1);
    base.write("config.toml", &config);
    let out = base.build();
    for file in ["rss.xml", "atom.xml", "en/rss.xml", "en/atom.xml"] {
        let feed = feed_rs::parser::parse(out.files[file].as_slice()).unwrap();
        let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        let newest =
            if file.starts_with("en/") { "https://example.org/en/2025-11/" } else { "https://example.org/2025-11/" };
        assert_eq!(ids, [newest], "{file}");
    }
    let topic = feed_rs::parser::parse(out.files["topics/releases/rss.xml"].as_slice()).unwrap();
    let ids: Vec<&str> = topic.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["https://example.org/2025-11/releases/a/"]);
    // The pages still show every issue.
    assert!(out.has("2025-10/index.html"));
    assert_eq!(common::select_text(&out.html("archive/index.html"), "main a[href$=\"/2025-10/\"]").len(), 1);
}

#[test]
fn feeds_pass_the_validators_common_checks() {
    let out = site().build();
    let rss_feeds = ["rss.xml", "en/rss.xml", "topics/releases/rss.xml", "en/topics/news/rss.xml"];
    for path in rss_feeds {
        let els = elements(&out.files[path]);
        let self_url = format!("https://example.org/{path}");
        assert!(
            els.iter().any(|(n, a, _)| n == "atom:link"
                && a.contains(&("rel".into(), "self".into()))
                && a.contains(&("href".into(), self_url.clone()))),
            "{path}: no atom:link rel=self to {self_url}"
        );
        let items = els.iter().filter(|(n, _, _)| n == "item").count();
        let guids: Vec<&String> = els.iter().filter(|(n, _, _)| n == "guid").map(|(_, _, t)| t).collect();
        assert_eq!(guids.len(), items, "{path}: a guid per item");
        for (name, _, text) in &els {
            if name == "pubDate" || name == "lastBuildDate" {
                chrono::DateTime::parse_from_rfc2822(text).unwrap_or_else(|e| panic!("{path}: {name} {text:?}: {e}"));
            }
            if name == "link" || name == "guid" {
                assert!(text.starts_with("https://example.org/"), "{path}: {name} {text:?} is not absolute");
            }
        }
    }
    for path in ["atom.xml", "en/atom.xml"] {
        let els = elements(&out.files[path]);
        assert!(els.iter().any(|(n, a, _)| n == "link"
            && a.contains(&("rel".into(), "self".into()))
            && a.iter().any(|(k, v)| k == "href" && v == &format!("https://example.org/{path}"))));
        for (name, attrs, text) in &els {
            if name == "link" {
                let href = &attrs.iter().find(|(k, _)| k == "href").unwrap().1;
                assert!(href.starts_with("https://"), "{path}: {href}");
            }
            if name == "id" || name == "updated" {
                assert!(!text.is_empty(), "{path}: empty {name}");
            }
        }
    }
    // No relative href or src survives in any feed content.
    for path in rss_feeds.iter().chain(["atom.xml"].iter()) {
        let text = out.text(path);
        assert!(!text.contains("href=\"/") && !text.contains("href=&quot;/"), "{path} has a relative link");
    }
}

#[test]
fn feed_dates_come_from_the_content_not_the_clock() {
    let f = site();
    let first = f.build();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = f.build();
    assert_eq!(first.files["rss.xml"], second.files["rss.xml"]);
    assert!(first.text("rss.xml").contains("<lastBuildDate>Sun, 30 Nov 2025 00:00:00 +0000</lastBuildDate>"));
}

#[test]
fn sitemap_lists_every_page_with_hreflang_alternates() {
    let out = site().build();
    let els = elements(&out.files["sitemap.xml"]);
    let locs: Vec<&String> = els.iter().filter(|(n, _, _)| n == "loc").map(|(_, _, t)| t).collect();
    // Exactly the published pages (every `index.html`; the 404 page is no page to index), but
    // the English pages of what has no English text: issue 2025-10 and its entry b show the
    // Chinese text there, and name its page as canonical.
    let fallbacks = ["en/2025-10/", "en/2025-10/releases/b/"];
    let mut pages: Vec<String> = (out.files.keys())
        .filter_map(|p| p.strip_suffix("index.html"))
        .filter(|dir| !fallbacks.contains(dir))
        .map(|dir| format!("https://example.org/{dir}"))
        .collect();
    pages.sort();
    let mut sorted: Vec<String> = locs.iter().map(|l| l.to_string()).collect();
    sorted.sort();
    assert_eq!(sorted, pages);
    assert!(locs.contains(&&"https://example.org/en/2025-11/releases/a/".to_string()));
    // Each <url> names the languages its page is written in, plus x-default: two for the pages
    // written in Chinese only, three for the others.
    let alternates = els.iter().filter(|(n, _, _)| n == "xhtml:link").count();
    assert_eq!(alternates, (locs.len() - 2) * 3 + 2 * 2);
    for fallback in fallbacks {
        let doc = out.html(&format!("{fallback}index.html"));
        let canonical = common::select_attr(&doc, "link[rel=canonical]", "href");
        assert_eq!(canonical, [format!("https://example.org/{}", fallback.trim_start_matches("en/"))]);
    }
}

/// A site of `n` small monthly issues, the newest first in `2025-12`.
fn issues(n: usize, config: &str) -> Fixture {
    let f = Fixture::with_config(config, &[]);
    for i in 0..n {
        let key = format!("{:04}-{:02}", 2025 - i / 12, 12 - i % 12);
        f.write(&format!("content/{key}/_index.md"), &issue(&key, &format!("{key}-28")));
        f.write(&format!("content/{key}/news/x.md"), &entry("条目", "", "Text."));
    }
    f
}

fn ids(out: &common::Output, file: &str) -> Vec<String> {
    feed_rs::parser::parse(out.files[file].as_slice()).unwrap().entries.into_iter().map(|e| e.id).collect()
}

#[test]
fn feeds_carry_a_year_by_default_and_everything_with_zero() {
    let out = issues(14, common::CONFIG).build();
    let rss = ids(&out, "rss.xml");
    assert_eq!(rss.len(), 12);
    assert_eq!((rss[0].as_str(), rss[11].as_str()), ("https://example.org/2025-12/", "https://example.org/2025-01/"));
    assert_eq!(ids(&out, "topics/news/rss.xml").len(), 12, "the entries of those issues");
    assert!(out.has("2024-11/index.html"), "pages still show every issue");

    let all = common::CONFIG.replacen("default_language", "feed_limit = 0\ndefault_language", 1);
    let out = issues(14, &all).build();
    for file in ["rss.xml", "atom.xml", "en/rss.xml", "en/atom.xml", "topics/news/rss.xml"] {
        assert_eq!(ids(&out, file).len(), 14, "{file}");
    }
}

#[test]
fn every_atom_entry_has_an_author() {
    let config = common::CONFIG
        .replace("description = \"Monthly news\"", "description = \"Monthly news\"\nauthor = \"The editors\"");
    let f = Fixture::with_config(
        &config,
        &[
            ("content/2025-10/_index.md", &issue("十月", "2025-10-31")),
            (
                "content/2025-11/_index.md",
                "+++\ntitle = \"十一月\"\ndate = 2025-11-30\neditors = [\"张三\", \"Li Si\"]\n+++\n",
            ),
        ],
    );
    let out = f.build();
    let authors = |file: &str| -> Vec<Vec<String>> {
        let feed = feed_rs::parser::parse(out.files[file].as_slice()).unwrap();
        feed.entries.iter().map(|e| e.authors.iter().map(|a| a.name.clone().unwrap_or_default()).collect()).collect()
    };
    // The issue's editors; else the language's `author`; else the site's title.
    assert_eq!(authors("en/atom.xml"), [vec!["张三", "Li Si"], vec!["The editors"]]);
    assert_eq!(authors("atom.xml"), [vec!["张三", "Li Si"], vec!["云原生月报"]]);
}

#[test]
fn links_in_feed_content_are_absolute_anchors_included() {
    let out = site().build();
    for file in ["rss.xml", "atom.xml", "en/rss.xml", "en/atom.xml", "topics/releases/rss.xml"] {
        let feed = feed_rs::parser::parse(out.files[file].as_slice()).unwrap();
        for e in &feed.entries {
            let html = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| e.summary.as_ref().map(|s| s.content.clone()));
            let doc = scraper::Html::parse_fragment(&html.unwrap_or_default());
            let links = common::select_attr(&doc, "[href]", "href")
                .into_iter()
                .chain(common::select_attr(&doc, "[src]", "src"));
            for link in links {
                assert!(link.starts_with("https://"), "{file}: {link}");
            }
        }
    }
    let en = feed_rs::parser::parse(out.files["en/rss.xml"].as_slice()).unwrap();
    let html = en.entries[0].summary.as_ref().unwrap().content.clone();
    assert!(html.contains("href=\"https://example.org/archive/\""), "{html}");
}
