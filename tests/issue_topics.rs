//! Issue topic pages (`/2025-11/releases/`): one topic of one issue, in every language, linked
//! from the issue page's topic headings, in the sitemap with alternates, known to `check` and to
//! the incremental rebuilds; and the links back to the table of contents.

mod common;

use std::path::PathBuf;

use common::{Fixture, entry, issue, select_attr, select_text};
use digest::load::{LoadOptions, load};
use digest::render::session::{Dirty, Session};
use digest::render::{Output, pages_showing_entry};
use digest::site::{EntryId, LangId};
use digest::write::MemorySink;

fn site() -> Fixture {
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nNovember intro.\n"),
        ("content/2025-10/_index.md", &issue("十月", "2025-10-31")),
        ("content/2025-11/releases/b.md", &entry("乙", "weight = 20\nsource = \"https://kubernetes.io/b\"", "B body.")),
        ("content/2025-11/releases/a.md", &entry("甲", "weight = 10\ntags = [\"helm\"]", "A body.")),
        ("content/2025-11/releases/a.en.md", &entry("A", "", "A in English.")),
        ("content/2025-11/memes/m.md", &entry("梗", "", "Meme.")),
        ("content/2025-10/news/old.md", &entry("旧闻", "tags = [\"helm\"]", "Old.")),
    ])
}

#[test]
fn each_topic_of_each_issue_has_a_page_in_every_language_when_it_has_entries() {
    let out = site().build();
    for prefix in ["", "en/"] {
        for p in ["2025-11/releases/", "2025-11/memes/", "2025-10/news/"] {
            assert!(out.has(&format!("{prefix}{p}index.html")), "missing {prefix}{p}");
        }
        // No page for a topic without entries in that issue.
        for p in ["2025-11/news/", "2025-10/releases/", "2025-11/reports/"] {
            assert!(!out.has(&format!("{prefix}{p}index.html")), "{prefix}{p} should not exist");
        }
    }
}

#[test]
fn an_issue_topic_page_lists_that_topics_entries_of_that_issue_in_order() {
    let out = site().build();
    let doc = out.html("en/2025-11/releases/index.html");
    assert_eq!(select_text(&doc, "h1"), ["🆕 Releases"]);
    // In reading order, each linking to its entry page, untranslated ones marked.
    assert_eq!(select_text(&doc, "article.entry .entry-title a"), ["A", "乙"]);
    assert_eq!(
        select_attr(&doc, "article.entry .entry-title a", "href"),
        ["/en/2025-11/releases/a/", "/en/2025-11/releases/b/"]
    );
    assert_eq!(select_attr(&doc, "article.entry[lang]", "lang"), ["zh"]);
    // Entries are the page's sections: h2 under the h1.
    assert_eq!(select_text(&doc, "h2.entry-title").len(), 2);
    // Back to the issue, at this topic; the topic across all issues; the other topics of the issue.
    let hrefs = select_attr(&doc, "main a", "href");
    for href in ["/en/2025-11/", "/en/2025-11/#releases", "/en/topics/releases/", "/en/2025-11/memes/"] {
        assert!(hrefs.iter().any(|h| h == href), "no link to {href} in {hrefs:?}");
    }
    assert_eq!(select_text(&doc, ".issue-topics [aria-current=page]"), ["🆕 Releases"]);
    // Its counterparts in every language.
    let alternates = select_attr(&doc, "link[rel=alternate][hreflang]", "href");
    assert_eq!(
        alternates,
        [
            "https://example.org/2025-11/releases/",
            "https://example.org/en/2025-11/releases/",
            "https://example.org/2025-11/releases/"
        ]
    );
    assert_eq!(select_attr(&doc, "link[rel=canonical]", "href"), ["https://example.org/en/2025-11/releases/"]);
    assert_eq!(select_attr(&doc, "body", "class"), ["page-issue_topic"]);
    // The topic's feed is advertised, as on the topic page.
    let feeds = select_attr(&doc, "link[rel=alternate][type='application/rss+xml']", "href");
    assert!(feeds.contains(&"/en/topics/releases/rss.xml".to_string()), "{feeds:?}");
    let doc = out.html("2025-11/memes/index.html");
    assert_eq!(select_text(&doc, "article.entry .entry-title a"), ["梗"]);
}

#[test]
fn the_issue_page_links_each_topic_heading_to_its_page_and_back_to_the_contents() {
    let out = site().build();
    for (prefix, page) in [("", "2025-11/index.html"), ("/en", "en/2025-11/index.html"), ("", "index.html")] {
        let doc = out.html(page);
        assert_eq!(
            select_attr(&doc, "section.topic > h2 a", "href"),
            [format!("{prefix}/2025-11/releases/"), format!("{prefix}/2025-11/memes/")],
            "{page}"
        );
        // After each topic, a link back to the table of contents, whose heading has that id.
        assert_eq!(select_attr(&doc, "section.topic .back-to-contents a", "href"), ["#toc-2025-11"; 2], "{page}");
        assert_eq!(select_attr(&doc, "#toc-2025-11", "id").len(), 1, "{page}");
    }
    assert_eq!(select_text(&out.html("en/2025-11/index.html"), ".back-to-contents a")[0], "↑ Back to contents");
    assert_eq!(select_text(&out.html("2025-11/index.html"), ".back-to-contents a")[0], "↑ 回到本期目录");
    // Feeds carry the issue without in-page navigation.
    assert!(!out.text("en/rss.xml").contains("back-to-contents"));
    assert!(out.text("en/rss.xml").contains("https://example.org/en/2025-11/releases/"));
}

#[test]
fn the_sitemap_lists_issue_topic_pages_with_their_alternates() {
    let out = site().build();
    let sitemap = out.text("sitemap.xml");
    for (loc, _) in [("https://example.org/2025-11/releases/", ()), ("https://example.org/en/2025-10/news/", ())] {
        let start = sitemap.find(&format!("<loc>{loc}</loc>")).unwrap_or_else(|| panic!("{loc} not in the sitemap"));
        let url = &sitemap[start..start + sitemap[start..].find("</url>").unwrap()];
        let path = loc.trim_start_matches("https://example.org").trim_start_matches("/en");
        for (hreflang, href) in [
            ("zh", format!("https://example.org{path}")),
            ("en", format!("https://example.org/en{path}")),
            ("x-default", format!("https://example.org{path}")),
        ] {
            let link = format!("<xhtml:link rel=\"alternate\" hreflang=\"{hreflang}\" href=\"{href}\"/>");
            assert!(url.contains(&link), "{loc}: no {link} in\n{url}");
        }
    }
    assert!(!sitemap.contains("https://example.org/2025-11/news/<"));
}

#[test]
fn check_resolves_links_to_issue_topic_pages() {
    let f = site();
    f.write(
        "content/2025-11/memes/m.md",
        &entry("梗", "", "[有](/2025-11/releases/) [锚点](/en/2025-11/releases/#releases-a) [无](/2025-11/news/)"),
    );
    let report = digest::check::check(f.root(), &digest::check::Options::default());
    let broken: Vec<String> =
        report.diagnostics.iter().filter(|d| d.message.contains("broken")).map(|d| d.message.clone()).collect();
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert!(broken[0].contains("`/2025-11/news/`"), "{broken:#?}");
}

#[test]
fn an_edit_re_renders_the_issue_topic_page_that_shows_the_entry() {
    let f = site();
    let site = load(f.root(), &LoadOptions::default()).unwrap();
    let a = EntryId(site.entries.iter().position(|e| e.slug == "a").unwrap());
    let (i, t) = (site.entries[a].issue, site.entries[a].topic);
    for l in [LangId(0), LangId(1)] {
        assert!(pages_showing_entry(&site, l, a).contains(&Output::IssueTopic(l, i, t)));
    }
    assert_eq!(Output::IssueTopic(LangId(1), i, t).outputs(&site), ["en/2025-11/releases/index.html"]);
    assert_eq!(Output::IssueTopic(LangId(0), i, t).template(), Some("issue_topic.html"));

    let mut session = Session::load(f.root(), LoadOptions::default()).unwrap();
    session.render(&Dirty::All, &MemorySink::default()).unwrap();
    f.write("content/2025-11/releases/a.en.md", &entry("A, retitled", "", "A in English."));
    let dirty = session.update(&[PathBuf::from("content/2025-11/releases/a.en.md")]).unwrap();
    let Dirty::Pages(pages) = dirty else { panic!("expected an incremental update") };
    assert!(pages.contains(&Output::IssueTopic(LangId(1), i, t)), "{pages:?}");
    let sink = MemorySink::default();
    session.render(&Dirty::Pages(pages), &sink).unwrap();
    let html = String::from_utf8(sink.into_inner()["en/2025-11/releases/index.html"].clone()).unwrap();
    assert!(html.contains("A, retitled"));
}

#[test]
fn trimming_an_entry_url_leads_to_its_topic_in_the_issue_not_to_the_404_page() {
    let out = site().build();
    for entry_page in ["2025-11/releases/a/index.html", "en/2025-11/releases/a/index.html"] {
        let trimmed = entry_page.replacen("a/index.html", "index.html", 1);
        assert!(out.has(&trimmed), "{trimmed}");
        assert!(!out.text(&trimmed).contains("page-not_found"));
    }
}

#[test]
fn tag_pages_do_not_skip_a_heading_level() {
    let out = site().build();
    for page in ["tags/helm/index.html", "en/tags/helm/index.html"] {
        let doc = out.html(page);
        assert_eq!(select_text(&doc, "main h1").len(), 1);
        assert_eq!(select_text(&doc, "main h2").len(), 2, "{page}");
        assert!(select_text(&doc, "main h3").is_empty(), "{page}");
    }
}
