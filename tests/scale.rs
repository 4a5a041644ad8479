//! Standards at scale: every feed passes the W3C feed validator and parses back, sitemaps stay
//! within the protocol's limits, and every URL is encoded the same way everywhere.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Fixture, links_archive, validate_feed};
use digest::load::theme::Theme;
use digest::load::{LoadOptions, load};
use digest::render::view::Views;
use digest::render::{Output, all_pages, render, render_pages, sitemap};
use digest::write::MemorySink;
use quick_xml::events::Event;

/// The outputs of `pages` of the site at `root`, rendered in memory.
fn render_some(root: &Path, keep: impl Fn(&Output) -> bool) -> BTreeMap<String, Vec<u8>> {
    let site = load(root, &LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let theme = Theme::load(root, None).unwrap_or_else(|d| panic!("{d}"));
    let views = Views::build(&site);
    let pages: Vec<Output> = all_pages(&site).into_iter().filter(keep).collect();
    let sink = MemorySink::default();
    render_pages(&site, &theme, &views, &pages, &sink).unwrap_or_else(|d| panic!("{d}"));
    sink.into_inner()
}

fn is_feed(path: &str) -> bool {
    path.ends_with("rss.xml") || path.ends_with("atom.xml")
}

/// Validates every feed among `outputs` as served under `base`, in parallel; parses each back.
fn validate_all(outputs: &BTreeMap<String, Vec<u8>>, base: &str) {
    let dir = tempfile::tempdir().unwrap();
    let feeds: Vec<(&String, &Vec<u8>)> = outputs.iter().filter(|(p, _)| is_feed(p)).collect();
    assert!(!feeds.is_empty());
    for (path, bytes) in &feeds {
        let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!parsed.entries.is_empty(), "{path} is empty");
        let file = dir.path().join(path.replace('/', "_"));
        std::fs::write(file, bytes).unwrap();
    }
    let reports: Vec<Option<(bool, String)>> = std::thread::scope(|s| {
        let jobs: Vec<_> = feeds
            .iter()
            .map(|(path, _)| {
                let file = dir.path().join(path.replace('/', "_"));
                let url = format!("{base}/{path}");
                s.spawn(move || validate_feed(&file, &url))
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    for ((path, _), report) in feeds.iter().zip(reports) {
        let Some((clean, report)) = report else { return };
        assert!(clean, "{path}:\n{report}");
    }
}

#[test]
fn every_feed_of_the_sample_passes_the_validator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = render_some(root, |p| p.is_feed());
    assert_eq!(out.keys().filter(|p| is_feed(p)).count(), 2 * 2 + 2 * 6);
    validate_all(&out, "https://digest.example.org");
}

#[test]
fn feeds_of_a_large_links_archive_are_valid_and_sized_for_subscribers() {
    let f = links_archive(30, 370);
    let out = render_some(f.root(), |p| p.is_feed());
    // The default limit: the newest of the newest 12 issues that fit in 2 MB (370 entries an
    // issue: fewer than 12), the same in RSS and Atom, in every language.
    for lang in ["", "zh/"] {
        let ids = |file: &str| -> Vec<String> {
            let feed = feed_rs::parser::parse(out[&format!("{lang}{file}")].as_slice()).unwrap();
            feed.entries.into_iter().map(|e| e.id).collect()
        };
        let rss = ids("rss.xml");
        assert!((1..12).contains(&rss.len()), "{lang}: {} issues", rss.len());
        let newest: Vec<String> = (0..rss.len())
            .map(|n| {
                let m = 30 - 1 - n;
                format!("https://links.example.org/{lang}{:04}-{:02}/", 2013 + m / 12, m % 12 + 1)
            })
            .collect();
        assert_eq!(rss, newest);
        assert_eq!(ids("atom.xml"), newest);
    }
    let topic = feed_rs::parser::parse(out["zh/topics/news/rss.xml"].as_slice()).unwrap();
    assert!(topic.entries.len() <= 12 * 62);
    assert_eq!(topic.entries[0].id, "https://links.example.org/zh/2015-06/news/item-1/");
    for (path, bytes) in &out {
        assert!(bytes.len() < 2 * 1024 * 1024, "{path} is {} bytes", bytes.len());
    }
    validate_all(&out, "https://links.example.org");
}

/// Reads every `<loc>` of a sitemap or sitemap index, and counts its `<url>`s and alternates.
fn locs(xml: &[u8]) -> (Vec<String>, usize, usize) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let (mut locs, mut urls, mut alternates, mut in_loc) = (Vec::new(), 0, 0, false);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"url" => urls += 1,
            Event::Start(e) if e.name().as_ref() == b"loc" => in_loc = true,
            Event::Empty(e) if e.name().as_ref() == b"xhtml:link" => alternates += 1,
            Event::Text(t) if in_loc => {
                locs.push(t.decode().unwrap().into_owned());
                in_loc = false;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (locs, urls, alternates)
}

#[test]
fn a_site_over_the_url_limit_gets_a_sitemap_index() {
    // The protocol's limits (sitemaps.org), and a site past a limit of 20,000 URLs a file: the
    // links archive has no Chinese texts, so its issues and entries are listed in English only.
    assert_eq!((sitemap::PROTOCOL.urls, sitemap::PROTOCOL.bytes), (50_000, 52_428_800));
    let f = links_archive(70, 370);
    let site = load(f.root(), &LoadOptions::default()).unwrap();
    let sink = MemorySink::default();
    sitemap::write(&site, sitemap::Limits { urls: 20_000, ..sitemap::PROTOCOL }, &sink).unwrap();
    let out = sink.into_inner();
    // In both languages: home, archive, tags, search; issue topic pages; topics; tags; the
    // pages of topics and tags (each topic: 70 issues of about 62 items, three issues a page).
    let parts = digest::render::lists::part_pages(&site, digest::site::LangId::DEFAULT).len();
    assert!(parts >= 6 * 23, "{parts} pages of lists");
    let both = 4 + 70 * 6 + 6 + site.tags.len() + parts;
    let english = 70 + 70 * 370;
    let (children, urls, _) = locs(&out["sitemap.xml"]);
    assert_eq!(urls, 0, "sitemap.xml is an index");
    assert_eq!(children, ["https://links.example.org/sitemap-1.xml", "https://links.example.org/sitemap-2.xml"]);
    let (mut total, mut all_alternates) = (0, 0);
    for child in ["sitemap-1.xml", "sitemap-2.xml"] {
        let bytes = &out[child];
        let (locs, urls, alternates) = locs(bytes);
        assert!(urls <= 20_000 && bytes.len() <= 50 * 1024 * 1024, "{child}: {urls} URLs, {} bytes", bytes.len());
        assert_eq!(locs.len(), urls);
        total += urls;
        all_alternates += alternates;
    }
    assert_eq!(total, both * 2 + english);
    // Every language a page is written in, and x-default.
    assert_eq!(all_alternates, both * 2 * 3 + english * 2);
    assert_eq!(out.len(), 3, "the index and two children");
}

#[test]
fn sitemap_files_are_cut_by_size_too() {
    let f = links_archive(2, 12);
    let site = load(f.root(), &LoadOptions::default()).unwrap();
    let sink = MemorySink::default();
    sitemap::write(&site, sitemap::Limits { urls: 1000, bytes: 4096 }, &sink).unwrap();
    let out = sink.into_inner();
    let (children, _, _) = locs(&out["sitemap.xml"]);
    assert!(children.len() > 2, "{children:?}");
    let mut total = 0;
    for (i, url) in children.iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        assert_eq!(url, &format!("https://links.example.org/{name}"));
        assert!(out[&name].len() <= 4096, "{name}: {} bytes", out[&name].len());
        total += locs(&out[&name]).1;
    }
    // Lists in both languages; the issues and entries in English, the only language they have.
    assert_eq!(total, (4 + 2 * 6 + 6 + 12) * 2 + 2 + 24);
}

#[test]
fn urls_under_a_non_ascii_base_path_are_written_one_way_everywhere() {
    let config = common::CONFIG.replace("https://example.org", "https://example.org/云原生 月报/");
    let f = Fixture::with_config(
        &config,
        &[
            ("content/2025-11/_index.md", &common::issue("十一月", "2025-11-30")),
            ("content/2025-11/news/a.md", &common::entry("甲", "tags = [\"网关\"]", "[本期](/2025-11/) [锚点](#x)")),
        ],
    );
    let site = load(f.root(), &LoadOptions::default()).unwrap();
    let theme = Theme::load(f.root(), None).unwrap();
    let sink = MemorySink::default();
    render(&site, &theme, &sink).unwrap();
    let base = "https://example.org/%E4%BA%91%E5%8E%9F%E7%94%9F%20%E6%9C%88%E6%8A%A5";
    let path = "/%E4%BA%91%E5%8E%9F%E7%94%9F%20%E6%9C%88%E6%8A%A5";
    let mut seen = 0;
    for (file, bytes) in sink.into_inner() {
        let text = String::from_utf8_lossy(&bytes);
        // Every absolute URL of the site starts with the encoded base, every root-relative one
        // with the encoded path: never the raw one.
        assert!(!text.contains("云原生 月报") && !text.contains("云原生%20"), "{file} has a raw base path");
        for (i, _) in text.match_indices("https://example.org") {
            assert!(text[i..].starts_with(base), "{file}: {}", &text[i..(i + 80).min(text.len())]);
            seen += 1;
        }
        for attr in ["href=\"/", "src=\"/"] {
            for (i, _) in text.match_indices(attr) {
                let value = &text[i + attr.len() - 1..];
                assert!(value.starts_with(path), "{file}: {}", &value[..60.min(value.len())]);
            }
        }
    }
    assert!(seen > 50, "{seen}");
}
