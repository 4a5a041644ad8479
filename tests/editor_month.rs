//! A month as an editor writes it: entries in every topic, translations linking to each other
//! and to headings, a file beside an entry, an untranslated entry, a recurring meetup. Every
//! link to the site in the pages, the feeds, the sitemap and the four editions is followed to
//! its target: the page exists, in the right language, with the id the link names.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, Output};
use url::Url;

const SITE: &str = "https://example.org";

fn entry(title: &str, front: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{front}+++\n{body}")
}

/// The December issue (and the November one before it, for the recurring meetup).
fn month() -> Fixture {
    let k8s_zh = entry(
        "Kubernetes 1.35 发布",
        "source = \"https://kubernetes.io/blog/2026/12/17/kubernetes-v1-35-release/\"\ndate = 2026-12-17\ntags = [\"kubernetes\"]\n",
        "原地调整 Pod 资源进入稳定阶段。\n\n![架构图](arch.svg)\n\n## 升级注意事项\n\n先升级控制面。\n",
    );
    let k8s_en = entry(
        "Kubernetes 1.35 released",
        "",
        "In-place Pod resize is stable.\n\n![Architecture](arch.svg)\n\n## Upgrade notes\n\nUpgrade the control plane first.\n",
    );
    let gateway_zh = entry(
        "Gateway API 1.4",
        "source = \"https://gateway-api.sigs.k8s.io/\"\ndate = 2026-12-05\n\
         [[further_reading]]\ntitle = \"迁移指南\"\nurl = \"https://gateway-api.sigs.k8s.io/guides/\"\n",
        "与 [Kubernetes 1.35](../releases/kubernetes-1-35/) 同期发布，见[升级注意事项](../releases/kubernetes-1-35/#升级注意事项)。\n",
    );
    let gateway_en = entry(
        "Gateway API 1.4",
        "",
        "Out with [Kubernetes 1.35](../releases/kubernetes-1-35/); read its [upgrade notes](../releases/kubernetes-1-35/#upgrade-notes) and [the issue](../../2026-12/).\n",
    );
    let meetup = |month: &str, day: &str| {
        entry(
            "云原生社区聚会",
            &format!("source = \"https://community.example.org/meetup\"\ndate = 2026-{month}-{day}\n"),
            "每月一次的线下聚会。\n",
        )
    };
    let meetup_en = entry("Cloud native meetup", "", "The monthly meetup.\n");
    let discussion = entry(
        "是否应该默认开启 Sidecar",
        "date = 2026-12-08\n",
        "社区仍在讨论，背景见 [Gateway API 1.4](../news/gateway-api-1-4/)。\n",
    );
    let files: Vec<(&str, String)> = vec![
        ("content/2026-11/_index.md", entry("十一月", "date = 2026-11-30\n", "十一月导语。\n")),
        ("content/2026-11/_index.en.md", entry("November", "", "November intro.\n")),
        ("content/2026-11/news/meetup.md", meetup("11", "10")),
        ("content/2026-11/news/meetup.en.md", meetup_en.clone()),
        (
            "content/2026-12/_index.md",
            entry(
                "十二月",
                "date = 2026-12-31\n",
                "本期要点：[Kubernetes 1.35](releases/kubernetes-1-35/#升级注意事项)。\n",
            ),
        ),
        (
            "content/2026-12/_index.en.md",
            entry("December", "", "Highlights: [Kubernetes 1.35](releases/kubernetes-1-35/#upgrade-notes).\n"),
        ),
        ("content/2026-12/releases/kubernetes-1-35.md", k8s_zh),
        ("content/2026-12/releases/kubernetes-1-35.en.md", k8s_en),
        (
            "content/2026-12/releases/arch.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"2\"/>".into(),
        ),
        ("content/2026-12/news/gateway-api-1-4.md", gateway_zh),
        ("content/2026-12/news/gateway-api-1-4.en.md", gateway_en),
        ("content/2026-12/news/meetup.md", meetup("12", "08")),
        ("content/2026-12/news/meetup.en.md", meetup_en),
        ("content/2026-12/discussions/sidecar.md", discussion),
        ("content/2026-12/reports/survey.md", entry("年度调查", "date = 2026-12-01\n", "调查结果。\n")),
        ("content/2026-12/reports/survey.en.md", entry("Annual survey", "", "The results.\n")),
        ("content/2026-12/products/tool.md", entry("新工具", "date = 2026-12-02\n", "一个工具。\n")),
        ("content/2026-12/products/tool.en.md", entry("A new tool", "", "A tool.\n")),
        (
            "content/2026-12/memes/year.md",
            entry("年终总结", "date = 2026-12-30\n", "年终总结来了：\n\n![梗图](../releases/arch.svg)\n"),
        ),
        (
            "content/2026-12/memes/year.en.md",
            entry("Year in review", "", "Here it is:\n\n![Meme](../releases/arch.svg)\n"),
        ),
    ];
    let f = Fixture::new(&[]);
    for (path, text) in &files {
        f.write(path, text);
    }
    f
}

/// The output file a URL of the site is served from, and its fragment.
fn target(out: &Output, url: &Url) -> Option<(String, Option<String>)> {
    let path = percent_encoding::percent_decode_str(url.path()).decode_utf8().ok()?.into_owned();
    let rel = path.trim_start_matches('/');
    let file = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    let fragment = url.fragment().map(|f| percent_encoding::percent_decode_str(f).decode_utf8_lossy().into_owned());
    out.has(&file).then_some((file, fragment))
}

/// The language of an output file: `en/…` is English, the rest Chinese (the default).
fn lang_of(file: &str) -> &'static str {
    if file.starts_with("en/") { "en" } else { "zh" }
}

/// Follows every link to the site in `links` (absolute URLs), found in `what`, written for
/// readers of `lang` (`None`: any language): the file exists, a page is in `lang`, the
/// fragment is an id of it.
fn follow(out: &Output, what: &str, lang: Option<&str>, links: &[Url]) -> usize {
    let mut followed = 0;
    for url in links.iter().filter(|u| u.origin().ascii_serialization() == SITE) {
        assert!(!url.as_str().contains("/../") && !url.as_str().contains("/./"), "{what}: {url}");
        let (file, fragment) = target(out, url).unwrap_or_else(|| panic!("{what}: {url} leads nowhere"));
        if file.ends_with(".html") {
            if let Some(lang) = lang {
                assert_eq!(lang_of(&file), lang, "{what}: {url} is a page in another language");
            }
            if let Some(id) = fragment.filter(|f| !f.is_empty()) {
                let doc = out.html(&file);
                let ids: BTreeSet<&str> =
                    doc.root_element().descendants().filter_map(|n| n.value().as_element()?.attr("id")).collect();
                assert!(ids.contains(id.as_str()), "{what}: {url}: {file} has no id {id:?}");
            }
        }
        followed += 1;
    }
    followed
}

/// The `href` and `src` of the elements of `html` matching `selector`, resolved against `base`.
fn links_in(html: &str, selector: &str, base: &Url) -> Vec<Url> {
    let doc = scraper::Html::parse_fragment(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .flat_map(|e| [e.value().attr("href"), e.value().attr("src")])
        .flatten()
        .map(|v| base.join(v).unwrap_or_else(|e| panic!("{v}: {e}")))
        .collect()
}

#[test]
fn every_link_in_pages_feeds_sitemap_and_editions_reaches_its_page_in_its_language() {
    let f = month();
    let check = f.run(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
    assert!(
        check.stderr.contains("content/2026-12/news/meetup.md:3:1: warning: recurring source"),
        "the recurring meetup is a warning: {}",
        check.stderr
    );
    let out = f.build();

    // Pages: every link of the text of an entry or an issue, in the page's language when the
    // text is written in it.
    let mut followed = 0;
    for file in out.paths().into_iter().filter(|p| p.ends_with(".html")) {
        let base = Url::parse(SITE).unwrap().join(&format!("/{file}")).unwrap();
        let html = out.text(file);
        let all = links_in(&html, "a[href], img[src], link[href]", &base);
        followed += follow(&out, file, None, &all);
        let doc = out.html(file);
        let texts = scraper::Selector::parse(".entry-body, .issue-intro, .further-reading").unwrap();
        for text in doc.select(&texts) {
            // An untranslated text keeps its own language, marked on an ancestor.
            let lang = text.ancestors().filter_map(|a| a.value().as_element()?.attr("lang")).next().unwrap_or("zh");
            followed += follow(&out, file, Some(lang), &links_in(&text.html(), "a[href], img[src]", &base));
        }
    }
    assert!(followed > 500, "{followed} links followed");
    let en_gateway = out.text("en/2026-12/news/gateway-api-1-4/index.html");
    assert!(
        en_gateway.contains("href=\"/en/2026-12/releases/kubernetes-1-35/#releases-kubernetes-1-35-upgrade-notes\""),
        "{en_gateway}"
    );
    assert!(en_gateway.contains("src=\"/2026-12/releases/arch.svg\"") || out.has("2026-12/releases/arch.svg"));

    // Feeds, read back by a feed reader's parser: every link absolute, in the feed's language.
    for (lang, feed) in
        [("zh", "rss.xml"), ("en", "en/rss.xml"), ("en", "en/atom.xml"), ("en", "en/topics/news/rss.xml")]
    {
        let parsed = feed_rs::parser::parse(out.text(feed).as_bytes()).unwrap();
        let mut n = 0;
        for item in &parsed.entries {
            let html = item
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| item.summary.as_ref().map(|s| s.content.clone()));
            let base = Url::parse(&item.links[0].href).unwrap();
            let links =
                links_in(&html.unwrap_or_default(), ".entry-body a[href], .entry-body img[src], a[href]", &base);
            n += follow(&out, feed, None, &links);
            let body = item.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
            for l in
                links_in(&body, "a[href]", &base).iter().filter(|u| u.path().contains("/releases/kubernetes-1-35/"))
            {
                assert_eq!(lang_of(l.path().trim_start_matches('/')), lang, "{feed}: {l}");
            }
        }
        assert!(n > 0, "{feed}: no link to the site");
    }

    // The sitemap: real translations only; the untranslated entry once, in Chinese.
    let sitemap = out.text("sitemap.xml");
    let doc = sitemap_locs(&sitemap);
    assert!(doc.iter().any(|l| l == "https://example.org/2026-12/discussions/sidecar/"), "{sitemap}");
    assert!(!sitemap.contains("https://example.org/en/2026-12/discussions/sidecar/"), "{sitemap}");
    let urls: Vec<Url> = doc.iter().map(|u| Url::parse(u).unwrap()).collect();
    follow(&out, "sitemap.xml", None, &urls);

    // Every edition of the English issue: links to the site reach English pages.
    for format in ["email", "text", "wechat", "markdown"] {
        let run = f.run(&["export", "2026-12", "--format", format, "--lang", "en", "--full"]);
        assert_eq!(run.status, 0, "{format}: {}", run.stderr);
        let urls: Vec<Url> = urls_in_text(&run.stdout).into_iter().collect();
        assert!(urls.iter().any(|u| u.path() == "/en/2026-12/releases/kubernetes-1-35/"), "{format}: {}", run.stdout);
        follow(&out, format, None, &urls);
        // Pages in English, but for the link of the untranslated Chinese text, which stays in
        // its language.
        let pages = urls.iter().filter(|u| !u.path().ends_with(".svg") && !u.path().ends_with(".xml"));
        let chinese: Vec<&str> = pages.map(Url::path).filter(|p| !p.starts_with("/en/")).collect();
        assert_eq!(chinese, ["/2026-12/news/gateway-api-1-4/"], "{format}");
    }
}

#[test]
fn a_fallback_page_names_the_original_as_canonical_and_declares_no_translation() {
    let out = month().build();
    let doc = out.html("en/2026-12/discussions/sidecar/index.html");
    let canonical = common::select_attr(&doc, "link[rel=canonical]", "href");
    assert_eq!(canonical, ["https://example.org/2026-12/discussions/sidecar/"]);
    assert_eq!(common::select_attr(&doc, "link[hreflang]", "href"), Vec::<String>::new());
    // The original declares itself only.
    let doc = out.html("2026-12/discussions/sidecar/index.html");
    assert_eq!(
        common::select_attr(&doc, "link[rel=canonical]", "href"),
        ["https://example.org/2026-12/discussions/sidecar/"]
    );
    assert_eq!(
        common::select_attr(&doc, "link[hreflang]", "hreflang"),
        ["zh", "x-default"],
        "only the real translation, and the default"
    );
    // A translated entry declares both languages.
    let doc = out.html("en/2026-12/news/gateway-api-1-4/index.html");
    assert_eq!(common::select_attr(&doc, "link[hreflang]", "hreflang"), ["zh", "en", "x-default"]);
    assert_eq!(
        common::select_attr(&doc, "link[rel=canonical]", "href"),
        ["https://example.org/en/2026-12/news/gateway-api-1-4/"]
    );
}

#[test]
fn a_translation_without_further_reading_shows_the_original_list_marked_in_its_language() {
    let f = month();
    let out = f.build();
    let doc = out.html("en/2026-12/news/gateway-api-1-4/index.html");
    assert_eq!(common::select_text(&doc, ".further-reading a[lang=zh]"), ["迁移指南"]);
    for format in ["email", "wechat", "markdown", "text"] {
        let run = f.run(&["export", "2026-12", "--format", format, "--lang", "en", "--full"]);
        assert!(run.stdout.contains("迁移指南"), "{format}: {}", run.stdout);
        assert!(run.stdout.contains("https://gateway-api.sigs.k8s.io/guides/"), "{format}: {}", run.stdout);
    }
    let email = f.run(&["export", "2026-12", "--format", "email", "--lang", "en", "--full"]).stdout;
    let email = scraper::Html::parse_document(&email);
    assert_eq!(common::select_text(&email, ".reading a[lang=zh]"), ["迁移指南"]);
}

/// The `<loc>` values of a sitemap, read with an XML parser.
fn sitemap_locs(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut locs, mut in_loc) = (Vec::new(), false);
    loop {
        match reader.read_event().expect("the sitemap is XML") {
            quick_xml::events::Event::Start(e) => in_loc = e.name().as_ref() == b"loc",
            quick_xml::events::Event::Text(t) if in_loc => locs.push(t.decode().unwrap().into_owned()),
            quick_xml::events::Event::End(_) => in_loc = false,
            quick_xml::events::Event::Eof => return locs,
            _ => {}
        }
    }
}

/// Every `http(s)://example.org…` URL in a text (HTML, Markdown or plain text), entities decoded.
fn urls_in_text(text: &str) -> BTreeSet<Url> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(SITE) {
        let tail = &rest[i..];
        let end = tail.find(|c: char| c.is_whitespace() || "\"'<>)]".contains(c)).unwrap_or(tail.len());
        if let Ok(u) = Url::parse(&tail[..end].replace("&amp;", "&")) {
            found.insert(u);
        }
        rest = &tail[end..];
    }
    found
}
