//! `digest build` on fixture sites: pages, order, fallback, drafts, escaping, base paths.

mod common;

use common::{Fixture, entry, issue, select_attr, select_text};

fn two_issue_site() -> Fixture {
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\n+++\nNovember intro.\n"),
        ("content/2025-10/_index.md", &issue("十月", "2025-10-31")),
        // Order within releases: weight, then date, then title.
        ("content/2025-11/releases/c.md", &entry("丙", "weight = 10\ndate = 2025-11-02", "C body.")),
        ("content/2025-11/releases/b.md", &entry("乙", "weight = 10\ndate = 2025-11-01", "B body.")),
        ("content/2025-11/releases/a.md", &entry("甲", "weight = 20", "A body.")),
        ("content/2025-11/releases/d.md", &entry("Alpha", "weight = 10\ndate = 2025-11-02", "D body.")),
        ("content/2025-11/memes/m.md", &entry("梗", "", "Meme.")),
        ("content/2025-11/news/n.md", &entry("新闻", "tags = [\"Gateway API\"]", "News.")),
        ("content/2025-11/news/n.en.md", &entry("News", "", "News in English.")),
        ("content/2025-10/news/old.md", &entry("旧闻", "tags = [\"gateway api\"]", "Old.")),
    ])
}

#[test]
fn every_url_of_the_design_exists_in_both_languages() {
    let out = two_issue_site().build();
    for prefix in ["", "en/"] {
        for p in [
            "index.html",
            "2025-11/index.html",
            "2025-11/releases/index.html",
            "2025-11/releases/a/index.html",
            "archive/index.html",
            "topics/releases/index.html",
            "topics/releases/rss.xml",
            "tags/gateway-api/index.html",
            "tags/index.html",
            "rss.xml",
            "atom.xml",
            "404.html",
        ] {
            assert!(out.has(&format!("{prefix}{p}")), "missing {prefix}{p}");
        }
    }
    for p in ["sitemap.xml", "robots.txt", "style.css"] {
        assert!(out.has(p), "missing {p}");
    }
}

#[test]
fn topics_follow_config_order_and_entries_weight_date_title() {
    let out = two_issue_site().build();
    let doc = out.html("2025-11/index.html");
    let topics = select_attr(&doc, "section.topic", "id");
    assert_eq!(topics, ["releases", "news", "memes"]);
    let titles = select_text(&doc, "#releases .entry-title a");
    // weight 10: b (11-01) before c and d (11-02; "Alpha" < "丙"), then a (weight 20).
    assert_eq!(titles, ["乙", "Alpha", "丙", "甲"]);
    let numbers = select_text(&doc, "#releases .entry-number");
    assert_eq!(numbers, ["1.", "2.", "3.", "4."]);
    // Topic names are localised, with the emoji.
    let headings = select_text(&doc, "section.topic > h2");
    assert_eq!(headings[0], "🆕 产品新功能/新版本");
    let en = out.html("en/2025-11/index.html");
    assert_eq!(select_text(&en, "section.topic > h2")[0], "🆕 Releases");
}

#[test]
fn untranslated_entries_fall_back_with_their_own_lang_both_ways() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/releases/zh-only.md", &entry("只有中文", "", "中文正文。")),
        // An entry written in English only: its English file is the main one.
        ("content/2025-11/releases/en-only.en.md", &entry("English only", "weight = 5", "English body.")),
    ]);
    let out = f.build();

    // English pages show the Chinese-only entry in Chinese, marked.
    let en = out.html("en/2025-11/index.html");
    assert_eq!(select_attr(&en, "#releases-zh-only", "lang"), ["zh"]);
    assert_eq!(select_text(&en, "#releases-zh-only .untranslated-note").len(), 1);
    assert_eq!(select_attr(&en, "#releases-en-only", "lang"), Vec::<String>::new(), "translated: no lang override");
    // The untranslated issue introduction too.
    assert_eq!(select_attr(&en, ".intro", "lang"), ["zh"]);
    let page = out.html("en/2025-11/releases/zh-only/index.html");
    assert_eq!(select_attr(&page, "html", "lang"), ["en"]);
    assert_eq!(select_attr(&page, "article.entry-page", "lang"), ["zh"]);
    assert_eq!(select_text(&page, "article.entry-page h1"), ["只有中文"]);

    // Chinese pages show the English-only entry in English, marked.
    let zh = out.html("2025-11/index.html");
    assert_eq!(select_attr(&zh, "#releases-en-only", "lang"), ["en"]);
    assert!(select_text(&zh, "#releases-en-only .untranslated-note")[0].contains("尚未翻译"));
    let page = out.html("2025-11/releases/en-only/index.html");
    assert_eq!(select_attr(&page, "article.entry-page", "lang"), ["en"]);
    // The note itself is in the page's language.
    assert_eq!(select_attr(&page, ".untranslated-note", "lang"), ["zh"]);
}

#[test]
fn tags_meet_on_one_slug() {
    let out = two_issue_site().build();
    let doc = out.html("tags/gateway-api/index.html");
    assert_eq!(select_text(&doc, ".entry-card-title a"), ["新闻", "旧闻"]);
    assert_eq!(select_text(&doc, "h1"), ["#Gateway API"]);
}

#[test]
fn pages_declare_language_alternates_canonical_and_feeds() {
    let out = two_issue_site().build();
    let doc = out.html("en/2025-11/news/n/index.html");
    assert_eq!(select_attr(&doc, "html", "lang"), ["en"]);
    assert_eq!(select_attr(&doc, "link[rel=canonical]", "href"), ["https://example.org/en/2025-11/news/n/"]);
    assert_eq!(
        select_attr(&doc, "link[rel=alternate][hreflang]", "href"),
        [
            "https://example.org/2025-11/news/n/",
            "https://example.org/en/2025-11/news/n/",
            "https://example.org/2025-11/news/n/"
        ]
    );
    assert_eq!(
        select_attr(&doc, "link[rel=alternate][hreflang=x-default]", "href"),
        ["https://example.org/2025-11/news/n/"]
    );
    assert_eq!(select_attr(&doc, ".lang-switch a", "href"), ["/2025-11/news/n/"]);
    assert_eq!(select_attr(&doc, "link[type='application/rss+xml']", "href"), ["/en/rss.xml"]);
    assert_eq!(select_attr(&doc, "meta[property='og:url']", "content"), ["https://example.org/en/2025-11/news/n/"]);
    assert_eq!(select_attr(&doc, "meta[property='og:title']", "content"), ["News · Cloud Native Monthly"]);
}

#[test]
fn drafts_are_absent_everywhere_unless_asked_for() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/news/public.md", &entry("公开", "tags = [\"shared\"]", "Public.")),
        (
            "content/2025-11/news/secret.md",
            &entry("秘密草稿", "draft = true\ntags = [\"hidden-tag\", \"shared\"]", "Secret."),
        ),
        ("content/2025-11/news/secret.en.md", &entry("Secret draft", "", "Secret.")),
        ("content/2025-12/_index.md", "+++\ntitle = \"十二月草稿\"\ndraft = true\n+++\n"),
        ("content/2025-12/news/x.md", &entry("十二月条目", "", "x")),
    ]);
    let out = f.build();
    for (path, bytes) in &out.files {
        let text = String::from_utf8_lossy(bytes);
        for needle in ["秘密草稿", "Secret draft", "secret", "hidden-tag", "十二月", "2025-12"] {
            assert!(!text.contains(needle), "{path} mentions the draft ({needle})");
        }
        assert!(!path.contains("secret") && !path.contains("2025-12"), "{path} is a draft page");
    }

    let out = f.build_with(&["--drafts"]);
    assert!(out.has("2025-11/news/secret/index.html"));
    assert!(out.has("2025-12/index.html"));
    assert!(out.text("sitemap.xml").contains("/2025-11/news/secret/"));
    let doc = out.html("2025-11/news/secret/index.html");
    assert_eq!(select_text(&doc, "h1 .badge"), ["草稿"]);
}

#[test]
fn a_build_says_how_many_drafts_it_left_out_and_how_to_include_them() {
    // The only issue is a draft: nothing is built, and the summary says why.
    let f = Fixture::new(&[
        ("content/2025-12/_index.md", "+++\ntitle = \"十二月草稿\"\ndraft = true\n+++\n"),
        ("content/2025-12/news/x.md", &entry("十二月条目", "", "x")),
    ]);
    let run = f.run(&["build"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Built 0 issues and 0 entries in 2 languages"), "{}", run.stderr);
    assert!(run.stderr.contains("\nLeft out 1 draft issue: `digest build --drafts` includes them\n"), "{}", run.stderr);
    // A draft entry of a published issue, beside the draft issue.
    f.write("content/2025-11/_index.md", &issue("十一月", "2025-11-30"));
    f.write("content/2025-11/news/a.md", &entry("甲", "draft = true", "A."));
    f.write("content/2025-11/news/b.md", &entry("乙", "draft = true", "B."));
    f.write("content/2025-11/news/c.md", &entry("丙", "", "C."));
    let run = f.run(&["build"]);
    assert!(run.stderr.contains("Built 1 issue and 1 entry"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Left out 1 draft issue and 2 draft entries: `digest build --drafts`"),
        "{}",
        run.stderr
    );
    // With --drafts nothing is left out, and nothing is said.
    let run = f.run(&["build", "--drafts"]);
    assert!(run.stderr.contains("Built 2 issues and 4 entries"), "{}", run.stderr);
    assert!(!run.stderr.contains("Left out"), "{}", run.stderr);
}

const HOSTILE: &str = "<script>alert(\\\"x\\\")</script> & 'q' ]]> \\u0001bell";

#[test]
fn hostile_front_matter_is_escaped_in_html_and_xml() {
    let fm = format!(
        "original_title = \"{HOSTILE}\"\ntags = [\"{HOSTILE}\"]\neditor_note = \"{HOSTILE}\"\nsource = \"https://example.com/?a=1&b=<2>\"\n[[further_reading]]\ntitle = \"{HOSTILE}\"\nurl = \"https://example.com/\\\"onmouseover=\\\"x\"\n"
    );
    let f = Fixture::new(&[
        (
            "content/2025-11/_index.md",
            &format!("+++\ntitle = \"{HOSTILE}\"\nsummary = \"{HOSTILE}\"\ndate = 2025-11-30\n+++\n"),
        ),
        ("content/2025-11/news/evil.md", &entry(HOSTILE, &fm, "Body <script>alert(1)</script> ]]>")),
    ]);
    let out = f.build();
    // The search index is compressed (its records are escaped like the pages they come from).
    for (path, bytes) in out.files.iter().filter(|(p, _)| !p.starts_with("pagefind/")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("<script>"), "{path} has a live <script>");
        assert!(!text.contains('\u{1}'), "{path} has a control character");
        assert!(!text.contains("\"onmouseover"), "{path} lets an attribute out");
    }
    let doc = out.html("2025-11/news/evil/index.html");
    assert_eq!(select_text(&doc, "h1")[0], "<script>alert(\"x\")</script> & 'q' ]]> bell");
    assert!(out.text("2025-11/news/evil/index.html").contains("&lt;script&gt;"));

    // Every feed is well-formed XML that still carries the text.
    for feed in ["rss.xml", "atom.xml", "en/rss.xml", "topics/news/rss.xml"] {
        let parsed = feed_rs::parser::parse(out.files[feed].as_slice()).unwrap_or_else(|e| panic!("{feed}: {e}"));
        let title = parsed.entries[0].title.as_ref().unwrap().content.clone();
        assert_eq!(title, "<script>alert(\"x\")</script> & 'q' ]]> bell", "{feed}");
    }
    // Tags with hostile names get a safe slug.
    assert!(out.has("tags/script-alert-x-script-q-bell/index.html"), "{:?}", out.paths());
}

#[test]
fn base_url_with_a_path_gives_working_links_everywhere() {
    let config = common::CONFIG.replace("https://example.org", "https://example.org/sub/digest");
    let f = Fixture::with_config(
        &config,
        &[
            ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
            (
                "content/2025-11/news/n.md",
                &entry("新闻", "tags = [\"k8s\"]", "See [the issue](/2025-11/) and ![x](/2025-11/news/pic.png)."),
            ),
        ],
    );
    f.write_bytes("content/2025-11/news/pic.png", &common::png(40, 30));
    let out = f.build();
    let mut checked = 0;
    for (path, _) in out.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = out.html(path);
        let mut links = select_attr(&doc, "a[href]", "href");
        links.extend(select_attr(&doc, "link[href]", "href"));
        links.extend(select_attr(&doc, "img[src]", "src"));
        for link in links {
            let link = link.split('#').next().unwrap().to_string();
            if link.is_empty() {
                continue;
            }
            let local = if let Some(rest) = link.strip_prefix("https://example.org/sub/digest/") {
                rest.to_string()
            } else if let Some(rest) = link.strip_prefix("/sub/digest/") {
                rest.to_string()
            } else {
                panic!("{path}: link {link:?} leaves the base path");
            };
            let file = if local.is_empty() || local.ends_with('/') { format!("{local}index.html") } else { local };
            assert!(out.has(&file), "{path}: link {link:?} leads nowhere");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links checked");
    let rss = feed_rs::parser::parse(out.files["rss.xml"].as_slice()).unwrap();
    assert_eq!(rss.entries[0].links[0].href, "https://example.org/sub/digest/2025-11/");
    assert!(out.text("sitemap.xml").contains("<loc>https://example.org/sub/digest/2025-11/news/n/</loc>"));
    // Not translated: its English page shows the Chinese text, and is no page of the sitemap.
    assert!(!out.text("sitemap.xml").contains("<loc>https://example.org/sub/digest/en/2025-11/news/n/</loc>"));
    assert!(out.text("robots.txt").contains("Sitemap: https://example.org/sub/digest/sitemap.xml"));
}

#[test]
fn chinese_file_names_work() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/news/网关.md", &entry("网关", "", "正文")),
        ("content/2025-11/news/网关.en.md", &entry("Gateway", "", "Body")),
    ]);
    let out = f.build();
    assert!(out.has("2025-11/news/网关/index.html"));
    assert!(out.has("en/2025-11/news/网关/index.html"));
    let doc = out.html("2025-11/index.html");
    assert_eq!(select_attr(&doc, "#news-网关 .entry-title a", "href"), ["/2025-11/news/%E7%BD%91%E5%85%B3/"]);
    assert!(out.text("sitemap.xml").contains("https://example.org/2025-11/news/%E7%BD%91%E5%85%B3/"));
}

#[test]
fn markdown_features_render() {
    let body = "## 简介\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ and [ext](https://k8s.io) and note[^n].\n\n- [x] done\n\n[^n]: A footnote.\n";
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/news/md.md", &entry("MD", "", body)),
        ("content/2025-11/news/md2.md", &entry("MD2", "", "## 简介\n\nx")),
    ]);
    let out = f.build();
    let doc = out.html("2025-11/index.html");
    // Heading ids keep Chinese and stay unique on the issue page, which shows both entries.
    assert_eq!(select_attr(&doc, ".entry-body h2", "id"), ["news-md-简介", "news-md2-简介"]);
    assert_eq!(select_attr(&doc, "a[href='https://k8s.io']", "rel"), ["noopener noreferrer"]);
    assert_eq!(select_text(&doc, ".entry-body del"), ["old"]);
    assert_eq!(select_text(&doc, ".entry-body td"), ["1", "2"]);
    assert_eq!(select_attr(&doc, ".entry-body input[type=checkbox]", "checked").len(), 1);
    assert_eq!(select_attr(&doc, ".footnote", "id"), ["news-md-fn-n"]);
}

#[test]
fn site_templates_and_static_override_the_theme_file_by_file() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        (
            "templates/404.html",
            "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ t.gone }}</p>{% endblock content %}",
        ),
        ("static/style.css", "body { color: red }"),
        ("static/extra.txt", "extra"),
    ]);
    let mut config = common::CONFIG.to_string();
    config.push_str("[languages.zh.ui]\ngone = \"没了\"\n[languages.en.ui]\ngone = \"Gone\"\n");
    f.write("config.toml", &config);
    let out = f.build();
    assert_eq!(select_text(&out.html("404.html"), "#custom"), ["没了"]);
    assert_eq!(select_text(&out.html("en/404.html"), "#custom"), ["Gone"]);
    assert_eq!(out.text("style.css"), "body { color: red }");
    assert_eq!(out.text("extra.txt"), "extra");
    // Templates not overridden still come from the built-in theme.
    assert_eq!(select_text(&out.html("archive/index.html"), "h1"), ["归档"]);
}

#[test]
fn a_named_theme_sits_between_builtin_and_site() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("themes/plain/templates/tags.html", "<!DOCTYPE html><title>t</title><p id=\"theme\">theme</p>"),
        ("themes/plain/static/style.css", "theme css"),
    ]);
    f.write("config.toml", &format!("theme = \"plain\"\n{}", common::CONFIG));
    let out = f.build();
    assert_eq!(select_text(&out.html("tags/index.html"), "#theme"), ["theme"]);
    assert_eq!(out.text("style.css"), "theme css");
}

#[test]
fn an_empty_site_builds() {
    let f = Fixture::new(&[]);
    std::fs::create_dir_all(f.root().join("content")).unwrap();
    let out = f.build();
    assert!(out.has("index.html") && out.has("en/index.html") && out.has("rss.xml"));
}

#[test]
fn pages_with_fallback_drafts_and_hostile_text_are_valid_html5() {
    let hostile = format!("title = \"{HOSTILE}\"\ntags = [\"{HOSTILE}\"]\neditor_note = \"{HOSTILE}\"\ndraft = true\n");
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        (
            "content/2025-11/news/zh-only.md",
            &entry("只有中文", "tags = [\"网关\"]", "## 简介\n\n正文[^1]。\n\n[^1]: 注释"),
        ),
        ("content/2025-11/news/en-only.en.md", &entry("English only", "", "Body.")),
        ("content/2025-11/news/evil.md", &format!("+++\n{hostile}+++\n<div>raw</div>\n")),
        ("content/2025-11/news/网关.md", &entry("网关", "", "x")),
    ]);
    f.build_with(&["--drafts"]);
    common::validate_html(&f.root().join("public"));
}

#[test]
fn a_killed_build_leaves_nothing_that_stays() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &common::issue("十一月", "2025-11-30")),
        ("content/2025-11/news/a.md", &common::entry("甲", "", "正文。")),
    ]);
    f.build();
    // What a build killed between writing and swapping leaves: its folder, named by its PID.
    for leftover in [".public.digest-new-4000000", ".public.digest-old-4000001"] {
        f.write(&format!("{leftover}/index.html"), "half a site");
    }
    let before = std::fs::read(f.root().join("public/2025-11/news/a/index.html")).unwrap();
    let out = f.build();
    assert_eq!(out.files["2025-11/news/a/index.html"], before, "the same site again");
    let siblings: Vec<String> = std::fs::read_dir(f.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("digest-"))
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");
}

#[test]
fn draft_issues_and_editor_backups_publish_no_files() {
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &common::issue("十一月", "2025-11-30")),
        ("content/2025-11/news/a.md", &common::entry("甲", "", "![图](diagram.png)")),
        ("content/2025-11/news/a.md~", "an editor's backup"),
        ("content/2025-11/news/#a.md#", "an editor's lock file"),
        ("content/2025-12/_index.md", "+++\ntitle = \"十二月\"\ndraft = true\n+++\n"),
    ]);
    f.write_bytes("content/2025-11/news/diagram.png", &common::png(40, 30));
    f.write_bytes("content/2025-12/news/secret.png", &common::png(40, 30));
    let out = f.build();
    assert!(out.has("2025-11/news/diagram.png"));
    for hidden in ["2025-11/news/a.md~", "2025-11/news/#a.md#", "2025-12/news/secret.png"] {
        assert!(!out.has(hidden), "{hidden} was published");
    }
    assert!(f.build_with(&["--drafts"]).has("2025-12/news/secret.png"), "published with --drafts");
}
