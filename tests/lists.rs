//! Topic and tag pages at the scale of a real archive: cut into pages of whole issues, none over
//! 500 KB, every entry reachable through the pages of its lists, and a full page unchanged by
//! the issues that follow it.

mod common;

use std::collections::{BTreeSet, VecDeque};

use common::{Fixture, Output, entry, issue, select_attr};

/// The most bytes an HTML page may have.
const BUDGET: usize = 500 * 1024;

/// The entry pages (`/2025-03/news/x/`, language prefix kept) reachable from the list at
/// `start` (`/topics/news/`) by following links that stay within its pages.
fn reachable(out: &Output, start: &str) -> BTreeSet<String> {
    let (mut seen, mut entries) = (BTreeSet::new(), BTreeSet::new());
    let mut queue = VecDeque::from([start.to_string()]);
    while let Some(page) = queue.pop_front() {
        if !seen.insert(page.clone()) {
            continue;
        }
        let doc = out.html(&format!("{}index.html", page.trim_start_matches('/')));
        for href in select_attr(&doc, "main a[href]", "href") {
            let href = href.split('#').next().unwrap_or_default().to_string();
            if href.starts_with(start) {
                if href.ends_with('/') {
                    queue.push_back(href);
                }
            } else if href.starts_with('/')
                && href.split('/').filter(|s| !s.is_empty()).count() >= 3
                && !href.contains("/tags/")
            {
                entries.insert(href);
            }
        }
    }
    entries.retain(|e| !e.contains("/topics/"));
    entries
}

/// The entry pages of `topic` in the output, in the default language.
fn entry_pages(out: &Output, topic: &str) -> BTreeSet<String> {
    let pages = out.paths().into_iter().filter_map(|p| p.strip_suffix("index.html"));
    let pages = pages.filter(|p| p.split('/').count() == 4 && p.split('/').nth(1) == Some(topic));
    let lists = ["en/", "zh/", "topics/", "tags/"];
    pages.filter(|p| !lists.iter().any(|l| p.starts_with(l))).map(|p| format!("/{p}")).collect()
}

#[test]
fn a_large_archive_has_no_page_over_the_budget_and_every_entry_is_reachable_from_its_topic() {
    // 8 issues of 370 short items (the shape of a weekly links newsletter): about 62 a topic an
    // issue, so each topic's list is three pages.
    let f = common::links_archive(8, 370);
    let out = f.build_with(&["--no-search"]);
    let over: Vec<(usize, &str)> = (out.files.iter())
        .filter(|(p, b)| p.ends_with(".html") && b.len() > BUDGET)
        .map(|(p, b)| (b.len(), p.as_str()))
        .collect();
    assert_eq!(over, Vec::<(usize, &str)>::new(), "pages over 500 KB");
    for topic in ["releases", "news", "discussions", "reports", "products", "memes"] {
        let pages: Vec<&str> =
            out.paths().into_iter().filter(|p| p.starts_with(&format!("topics/{topic}/2"))).collect();
        assert_eq!(pages.len(), 3, "{topic}: {pages:?}");
        let expected = entry_pages(&out, topic);
        assert!(expected.len() > 400, "{topic}: {}", expected.len());
        let found = reachable(&out, &format!("/topics/{topic}/"));
        let diff: Vec<&String> = found.symmetric_difference(&expected).take(5).collect();
        assert!(diff.is_empty(), "{topic}: {diff:?}");
        // The same in the other language, whose pages show the same entries.
        let zh: BTreeSet<String> = expected.iter().map(|e| format!("/zh{e}")).collect();
        let found = reachable(&out, &format!("/zh/topics/{topic}/"));
        let diff: Vec<&String> = found.symmetric_difference(&zh).take(5).collect();
        assert!(diff.is_empty(), "zh {topic}: {diff:?}");
    }
}

/// Six monthly issues of 50 news entries each, all tagged `k8s`, three of them `rare` too.
fn month_site() -> Fixture {
    let f = Fixture::new(&[]);
    for m in 1..=6 {
        add_issue(&f, m);
    }
    for n in 0..3 {
        let path = format!("content/2025-01/news/e{n}.md");
        f.write(&path, &entry(&format!("条目 {n}"), "tags = [\"k8s\", \"rare\"]", "正文。"));
    }
    f
}

fn add_issue(f: &Fixture, month: u32) {
    let key = format!("2025-{month:02}");
    f.write(&format!("content/{key}/_index.md"), &issue(&format!("{month} 月"), &format!("{key}-28")));
    for n in 0..50 {
        let path = format!("content/{key}/news/e{n}.md");
        f.write(&path, &entry(&format!("{key} 条目 {n}"), "tags = [\"k8s\"]", "正文。"));
    }
}

#[test]
fn full_pages_never_change_and_a_short_list_stays_one_page() {
    let f = month_site();
    let before = f.build_with(&["--no-search"]);
    // From the oldest: 2025-01…04 (200 entries) is full; 2025-05 and 06 make the newest page.
    for list in ["topics/news", "tags/k8s", "en/topics/news", "en/tags/k8s"] {
        let pages: Vec<&str> = before.paths().into_iter().filter(|p| p.starts_with(&format!("{list}/2"))).collect();
        assert_eq!(pages, [format!("{list}/2025-01/index.html"), format!("{list}/2025-05/index.html")], "{list}");
    }
    assert!(!before.paths().iter().any(|p| p.starts_with("tags/rare/2")), "three entries: one page");
    let doc = before.html("topics/news/index.html");
    assert_eq!(select_attr(&doc, ".list-pages li a", "href"), ["/topics/news/2025-01/"]);
    assert_eq!(common::select_text(&doc, ".list-pages [aria-current=page]"), ["2025-05 – 2025-06"]);
    assert_eq!(select_attr(&doc, ".list-pages a[rel=next]", "href"), ["/topics/news/2025-01/"]);
    let full = before.html("topics/news/2025-01/index.html");
    assert_eq!(select_attr(&full, ".list-pages a[rel=prev]", "href"), ["/topics/news/2025-05/"]);
    assert_eq!(select_attr(&full, ".list-pages a[rel=next]", "href"), Vec::<String>::new(), "the oldest page");
    assert!(common::select_text(&full, "title").concat().contains("(2025-01 – 2025-04)"));

    // A new issue: it joins the newest page; the full page is byte for byte the same.
    add_issue(&f, 7);
    let after = f.build_with(&["--no-search"]);
    for page in ["topics/news/2025-01/index.html", "tags/k8s/2025-01/index.html", "en/topics/news/2025-01/index.html"] {
        assert!(before.files[page] == after.files[page], "{page} changed");
    }
    assert!(before.files["topics/news/2025-05/index.html"] != after.files["topics/news/2025-05/index.html"]);
    // A fourth 50: 2025-05…07 is 150 and takes 2025-08 too; the 9th starts a new page.
    add_issue(&f, 8);
    add_issue(&f, 9);
    let later = f.build_with(&["--no-search"]);
    assert!(before.files["topics/news/2025-01/index.html"] == later.files["topics/news/2025-01/index.html"]);
    assert!(later.has("topics/news/2025-09/index.html"));
    let check = f.run(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
    // Every entry (all tagged `k8s`) is reachable from the tag's page through its pages.
    assert_eq!(reachable(&later, "/tags/k8s/"), entry_pages(&later, "news"));
    assert_eq!(reachable(&later, "/tags/k8s/").len(), 9 * 50);

    // The sitemap lists every page of every list, in both languages.
    let sitemap = later.text("sitemap.xml");
    for loc in ["https://example.org/topics/news/2025-05/", "https://example.org/en/tags/k8s/2025-09/"] {
        assert!(sitemap.contains(&format!("<loc>{loc}</loc>")), "{loc}");
    }
}

#[test]
fn a_saved_entry_rerenders_only_the_list_pages_that_show_it() {
    use digest::load::{LoadOptions, load};
    use digest::render::{Output as Page, pages_showing_entry};
    use digest::site::{LangId, TopicId};
    let f = month_site();
    let site = load(f.root(), &LoadOptions::default()).unwrap();
    let oldest = site.entries.iter_enumerated().find(|(_, e)| site.issues[e.issue].key == "2025-01").unwrap().0;
    let newest = site.entries.iter_enumerated().find(|(_, e)| site.issues[e.issue].key == "2025-06").unwrap().0;
    let news = TopicId(site.config.topics.iter().position(|t| t.key == "news").unwrap());
    let l = LangId::DEFAULT;
    let lists = |pages: Vec<Page>| -> Vec<Page> {
        pages.into_iter().filter(|p| matches!(p, Page::Topic(..) | Page::TopicPart(..))).collect()
    };
    assert_eq!(lists(pages_showing_entry(&site, l, oldest)), [Page::TopicPart(l, news, 0)]);
    assert_eq!(
        lists(pages_showing_entry(&site, l, newest)),
        [Page::TopicPart(l, news, 1), Page::Topic(l, news)],
        "the newest page is at the topic's address too"
    );
}
