//! Hostile content (issue 11, the content and build half): every case states what digest does
//! with it, exactly: the exit status, the diagnostic and its `path:line:column`, or the escaped
//! output. Budgets are wall-clock times of the debug binary on a shared machine; the heavy
//! cases run one at a time (docs/reliability.md, "Hostile-input suite").

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{Fixture, Output, Run, entry, expect_error, expect_error_in, issue, select_attr, select_text};

/// The heavy cases (pathological Markdown, the sample site twice, SIGKILL) take the machine in turn.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

fn site(files: &[(&str, &str)]) -> Fixture {
    let f = Fixture::new(&[("content/2025-11/_index.md", &issue("十一月", "2025-11-30"))]);
    for (p, t) in files {
        f.write(p, t);
    }
    f
}

fn write_bytes(f: &Fixture, path: &str, bytes: &[u8]) {
    let p = f.root().join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Builds through the binary, expecting success.
fn build_ok(f: &Fixture) -> Output {
    f.build()
}

/// Every `href`, `src` and `action` of every HTML page, and every link of the feeds.
fn every_url(out: &Output) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for (path, bytes) in &out.files {
        if path.ends_with(".html") {
            let doc = out.html(path);
            for (sel, attr) in [("[href]", "href"), ("[src]", "src"), ("[action]", "action")] {
                urls.extend(select_attr(&doc, sel, attr).into_iter().map(|u| (path.clone(), u)));
            }
        } else if path.ends_with(".xml") && !path.starts_with("sitemap") {
            // The feeds as a reader sees them: their links, and the links of their HTML content.
            let feed = feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{path}: {e}"));
            for e in &feed.entries {
                urls.extend(e.links.iter().map(|l| (path.clone(), l.href.clone())));
                let html =
                    [e.content.as_ref().and_then(|c| c.body.clone()), e.summary.as_ref().map(|s| s.content.clone())];
                for html in html.into_iter().flatten() {
                    let doc = scraper::Html::parse_fragment(&html);
                    for (sel, attr) in [("[href]", "href"), ("[src]", "src")] {
                        urls.extend(select_attr(&doc, sel, attr).into_iter().map(|u| (path.clone(), u)));
                    }
                }
            }
        }
    }
    urls
}

/// The scheme a browser would see: leading C0 controls and spaces dropped, tabs and newlines
/// removed anywhere (the URL standard), lowercased; `None` without one.
fn browser_scheme(url: &str) -> Option<String> {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = url.find([':', '/', '?', '#'])?;
    (url.as_bytes()[end] == b':').then(|| url[..end].to_ascii_lowercase())
}

/// No page or feed holds a URL that runs code or reads local files.
fn assert_no_executable_url(out: &Output) -> usize {
    let urls = every_url(out);
    for (path, url) in &urls {
        if let Some(scheme) = browser_scheme(url) {
            assert!(matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel"), "{path}: executable URL {url:?}");
        }
    }
    urls.len()
}

/// The entry's links as rendered on its page.
fn entry_links(out: &Output, page: &str) -> Vec<String> {
    let doc = out.html(page);
    let mut v = select_attr(&doc, ".entry-body a", "href");
    v.extend(select_attr(&doc, ".entry-body img", "src"));
    v
}

// ---------------------------------------------------------------------------------------------
// Front matter and configuration

#[test]
fn markup_in_a_title_is_text_on_every_page() {
    let f = site(&[("content/2025-11/news/m.md", &entry("<b>粗</b> <img src=x onerror=alert(1)>", "", "x"))]);
    let out = build_ok(&f);
    let doc = out.html("2025-11/news/m/index.html");
    assert_eq!(select_text(&doc, "article h1")[0], "<b>粗</b> <img src=x onerror=alert(1)>");
    assert!(select_attr(&doc, "img[onerror]", "onerror").is_empty());
    for (path, bytes) in out.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        assert!(!String::from_utf8_lossy(bytes).contains("<b>粗</b>"), "{path} holds the live markup");
    }
}

#[test]
fn cdata_end_in_titles_and_bodies_keeps_feeds_well_formed() {
    let title = "a ]]> b ]]]]><![CDATA[ c";
    let f = site(&[("content/2025-11/news/c.md", &entry(title, "", "body ]]> <![CDATA[ x ]]>"))]);
    let out = build_ok(&f);
    for feed in ["rss.xml", "atom.xml", "en/rss.xml", "en/atom.xml", "topics/news/rss.xml", "en/topics/news/rss.xml"] {
        let parsed = feed_rs::parser::parse(out.files[feed].as_slice()).unwrap_or_else(|e| panic!("{feed}: {e}"));
        let item = &parsed.entries[0];
        let content =
            item.content.as_ref().and_then(|c| c.body.clone()).or(item.summary.as_ref().map(|s| s.content.clone()));
        assert!(content.unwrap_or_default().contains("body ]]&gt; &lt;![CDATA[ x ]]&gt;"), "{feed}");
    }
    let topic = feed_rs::parser::parse(out.files["topics/news/rss.xml"].as_slice()).unwrap();
    assert_eq!(topic.entries[0].title.as_ref().unwrap().content, title);
    assert_eq!(select_text(&out.html("2025-11/news/c/index.html"), "article h1"), [title]);
}

#[test]
fn control_characters_in_front_matter_are_removed() {
    let f = site(&[(
        "content/2025-11/news/c.md",
        &entry("bell\\u0007 esc\\u001b del\\u007f c1\\u0085 end", "tags = [\"t\\u0001ag\"]", "x"),
    )]);
    let out = build_ok(&f);
    assert_eq!(select_text(&out.html("2025-11/news/c/index.html"), "article h1"), ["bell esc del c1 end"]);
    assert!(out.has("tags/tag/index.html"), "{:?}", out.paths());
    for (path, bytes) in out.files.iter().filter(|(p, _)| !p.starts_with("pagefind/")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(['\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{1}']), "{path}");
    }
}

#[test]
fn noncharacters_in_titles_and_bodies_are_removed() {
    let f = site(&[("content/2025-11/news/n.md", &entry("a\\uFFFEb\\uFFFFc", "", "body\u{fffe}text"))]);
    let out = build_ok(&f);
    assert_eq!(select_text(&out.html("2025-11/news/n/index.html"), "article h1"), ["abc"]);
    for (path, bytes) in out.files.iter().filter(|(p, _)| !p.starts_with("pagefind/")) {
        assert!(!String::from_utf8_lossy(bytes).contains(['\u{fffe}', '\u{ffff}']), "{path}");
    }
    assert!(out.text("2025-11/news/n/index.html").contains("bodytext"));
}

#[test]
fn invalid_utf8_in_an_entry_is_located() {
    let f = site(&[]);
    write_bytes(&f, "content/2025-11/news/bad.md", b"+++\ntitle = \"x\"\n+++\nab\xffcd\n");
    let err = expect_error(&f, "content/2025-11/news/bad.md:4:3:", "the file is not valid UTF-8");
    assert!(err.contains("hint: save it as UTF-8"), "{err}");
}

#[test]
fn invalid_utf8_in_config_is_located() {
    let f = site(&[]);
    let mut config = common::CONFIG.as_bytes().to_vec();
    config.extend_from_slice(b"# caf\xe9\n");
    write_bytes(&f, "config.toml", &config);
    expect_error(&f, "config.toml:12:6:", "the file is not valid UTF-8");
}

#[test]
fn a_byte_order_mark_is_accepted_in_entries_and_config() {
    let f = site(&[]);
    write_bytes(&f, "content/2025-11/news/bom.md", "\u{feff}+++\ntitle = \"带 BOM\"\n+++\n正文\n".as_bytes());
    write_bytes(&f, "config.toml", format!("\u{feff}{}", common::CONFIG).as_bytes());
    let out = build_ok(&f);
    assert_eq!(select_text(&out.html("2025-11/news/bom/index.html"), "article h1"), ["带 BOM"]);
    assert!(!out.text("2025-11/news/bom/index.html").contains('\u{feff}'));
}

#[test]
fn crlf_line_endings_build_and_errors_keep_their_lines() {
    let f = site(&[(
        "content/2025-11/news/w.md",
        "+++\r\ntitle = \"Windows\"\r\ntags = [\"crlf\"]\r\n+++\r\nOne\r\n\r\nTwo\r\n",
    )]);
    let out = build_ok(&f);
    assert_eq!(select_text(&out.html("2025-11/news/w/index.html"), ".entry-body p"), ["One", "Two"]);
    assert!(!out.text("2025-11/news/w/index.html").contains('\r'));
    f.write("content/2025-11/news/e.md", "+++\r\ntitle = \"x\"\r\ntitel = \"y\"\r\n+++\r\n");
    expect_error(&f, "content/2025-11/news/e.md:3:1:", "unknown field `titel`");
}

#[test]
fn a_huge_title_builds_and_is_shortened_where_lists_show_it() {
    let long = "长".repeat(100_000);
    let f = site(&[("content/2025-11/news/h.md", &entry(&long, "", "x"))]);
    let start = Instant::now();
    let out = f.build_with(&["--no-search"]);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(select_text(&out.html("2025-11/news/h/index.html"), "article h1")[0], long);
}

#[test]
fn impossible_dates_are_located() {
    let f = site(&[("content/2025-11/news/d.md", "+++\ntitle = \"x\"\ndate = 2025-02-29\n+++\n")]);
    expect_error(&f, "content/2025-11/news/d.md:3:8:", "invalid date");
    f.write("content/2025-11/news/d.md", "+++\ntitle = \"x\"\ndate = \"2025-13-01\"\n+++\n");
    let err = expect_error(&f, "content/2025-11/news/d.md:3:8:", "\"2025-13-01\" is not a date");
    assert!(err.contains("hint: write the date as YYYY-MM-DD"), "{err}");
    f.write("content/2025-11/news/d.md", "+++\ntitle = \"x\"\ndate = 12:30:00\n+++\n");
    expect_error(&f, "content/2025-11/news/d.md:3:8:", "`12:30:00` has no date");
}

#[test]
fn far_dates_build_with_a_warning() {
    let f = site(&[("content/2025-11/news/far.md", &entry("远", "date = 9999-12-31", "x"))]);
    let run = f.run(&["build", "--no-search"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/2025-11/news/far.md:1:1: warning: the entry's date 9999-12-31 lies outside its issue's month 2025-11"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn the_largest_issue_number_then_new_issue() {
    let f = Fixture::new(&[(
        "content/2025-11/_index.md",
        "+++\ntitle = \"十一月\"\ndate = 2025-11-30\nnumber = 4294967295\n+++\n",
    )]);
    let out = build_ok(&f);
    assert!(out.text("2025-11/index.html").contains("4294967295"));
    let run = f.run(&["new", "issue", "2025-12"]);
    // No number follows the largest one: an error at it (issue 26; it used to wrap to 1).
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/2025-11/_index.md:4:1: error: issue number 4294967295 is the highest there is"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert!(!f.root().join("content/2025-12").exists(), "nothing is written");
    // An ordinary number is followed by the next.
    let g = Fixture::new(&[("content/2025-11/_index.md", "+++\ntitle = \"十一月\"\nnumber = 41\n+++\n")]);
    assert_eq!(g.run(&["new", "issue", "2025-12"]).status, 0);
    assert!(std::fs::read_to_string(g.root().join("content/2025-12/_index.md")).unwrap().contains("\n# number = 42\n"));
}

#[test]
fn issue_numbers_beyond_u32_and_negative_are_located() {
    let f = Fixture::new(&[("content/2025-11/_index.md", "+++\ntitle = \"x\"\nnumber = 4294967296\n+++\n")]);
    expect_error(&f, "content/2025-11/_index.md:3:10:", "invalid value: integer `4294967296`");
    f.write("content/2025-11/_index.md", "+++\ntitle = \"x\"\nnumber = -1\n+++\n");
    expect_error(&f, "content/2025-11/_index.md:3:10:", "invalid value: integer `-1`");
}

#[test]
fn weight_extremes_order_and_overflow_is_located() {
    let f = site(&[
        ("content/2025-11/news/last.md", &entry("最后", "weight = 9223372036854775807", "x")),
        ("content/2025-11/news/first.md", &entry("最前", "weight = -9223372036854775808", "x")),
        ("content/2025-11/news/mid.md", &entry("中间", "", "x")),
    ]);
    let out = f.build_with(&["--no-search"]);
    assert_eq!(select_text(&out.html("2025-11/news/index.html"), ".entry-title a"), ["最前", "中间", "最后"]);
    f.write("content/2025-11/news/mid.md", &entry("中间", "weight = 9223372036854775808", "x"));
    expect_error(&f, "content/2025-11/news/mid.md:3:10:", "");
}

#[test]
fn a_huge_feed_limit_means_every_issue() {
    let f = site(&[("content/2025-11/news/a.md", &entry("甲", "", "x"))]);
    f.write("config.toml", &format!("feed_limit = 9223372036854775807\n{}", common::CONFIG));
    let out = f.build_with(&["--no-search"]);
    assert_eq!(feed_rs::parser::parse(out.files["rss.xml"].as_slice()).unwrap().entries.len(), 1);
    f.write("config.toml", &format!("feed_limit = 99999999999999999999\n{}", common::CONFIG));
    expect_error(&f, "config.toml:1:14:", "");
}

#[test]
fn empty_files_are_errors_at_their_first_line() {
    let f = site(&[("content/2025-11/news/empty.md", "")]);
    let err = expect_error(&f, "content/2025-11/news/empty.md:1:1:", "the file does not start with front matter");
    assert!(err.contains("hint: put a line `+++`"), "{err}");
    f.remove("content/2025-11/news/empty.md");
    f.write("config.toml", "");
    expect_error(&f, "config.toml:1:1:", "missing field `base_url`");
}

// ---------------------------------------------------------------------------------------------
// URLs

const EXECUTABLE: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "&#106;avascript:alert(3)",
    "&#x6A;avascript&#x3A;alert(4)",
    "java&#9;script:alert(5)",
    "&#1;javascript:alert(6)",
    "%20javascript:alert(7)",
    "javascript%3Aalert(8)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(10)</script>",
    "vbscript:msgbox(11)",
    "file:///etc/passwd",
    "<javascript:alert(13)>",
    "< javascript:alert(14)>",
];

#[test]
fn executable_urls_in_markdown_links_in_every_spelling_become_harmless() {
    let body: String = EXECUTABLE.iter().enumerate().map(|(i, u)| format!("[l{i}]({u})\n\n")).collect();
    let f = site(&[("content/2025-11/news/x.md", &entry("x", "", &body))]);
    let out = build_ok(&f);
    let links = entry_links(&out, "2025-11/news/x/index.html");
    assert!(links.len() >= 10, "{links:?}");
    for l in &links {
        let harmless = l == "#" || browser_scheme(l).is_none();
        assert!(harmless, "{l:?}");
    }
    assert!(assert_no_executable_url(&out) > 50);
}

#[test]
fn executable_urls_in_images_become_harmless() {
    let body: String = EXECUTABLE.iter().enumerate().map(|(i, u)| format!("![i{i}]({u})\n\n")).collect();
    let f = site(&[("content/2025-11/news/i.md", &entry("i", "", &body))]);
    let out = build_ok(&f);
    let srcs = select_attr(&out.html("2025-11/news/i/index.html"), ".entry-body img", "src");
    assert!(srcs.len() >= 10, "{srcs:?}");
    assert!(srcs.iter().all(|s| s == "#" || browser_scheme(s).is_none()), "{srcs:?}");
    assert_no_executable_url(&out);
}

#[test]
fn executable_autolinks_and_reference_links_become_harmless() {
    let body = "<javascript:alert(1)> <JAVASCRIPT:alert(2)> <vbscript:x> <data:text/html,x>\n\n\
        [ref] and [other][r2]\n\n[ref]: javascript:alert(3)\n[r2]: <\u{1}javascript:alert(4)>\n";
    let f = site(&[("content/2025-11/news/a.md", &entry("a", "", body))]);
    let out = build_ok(&f);
    let links = select_attr(&out.html("2025-11/news/a/index.html"), ".entry-body a", "href");
    assert_eq!(links, ["#", "#", "#", "#", "#", "#"], "{links:?}");
    assert_no_executable_url(&out);
}

#[test]
fn protocol_relative_links_are_outside_links() {
    let f = site(&[("content/2025-11/news/p.md", &entry("p", "", "[evil](//evil.example/x)"))]);
    let out = build_ok(&f);
    let doc = out.html("2025-11/news/p/index.html");
    assert_eq!(select_attr(&doc, ".entry-body a", "href"), ["//evil.example/x"]);
    assert_eq!(select_attr(&doc, ".entry-body a", "rel"), ["noopener noreferrer"]);
}

#[test]
fn raw_html_with_executable_urls_stays_text() {
    let body = "<a href=\"javascript:alert(1)\">x</a>\n\n<img src=\"data:x\" onerror=\"alert(2)\">\n\n<iframe src=javascript:alert(3)>";
    let f = site(&[("content/2025-11/news/r.md", &entry("r", "", body))]);
    let out = build_ok(&f);
    assert!(
        select_attr(&out.html("2025-11/news/r/index.html"), ".entry-body [href], .entry-body [src]", "href").is_empty()
    );
    assert!(out.text("2025-11/news/r/index.html").contains("&lt;a href=&quot;javascript:alert(1)&quot;&gt;"));
    assert_no_executable_url(&out);
}

#[test]
fn executable_source_urls_are_errors_at_their_column() {
    for (n, url) in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "\\tjavascript:alert(1)",
        "java\\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example/x",
        "file:///etc/passwd",
    ]
    .iter()
    .enumerate()
    {
        let f = site(&[(
            "content/2025-11/news/s.md",
            &format!("+++\ntitle = \"s\"\n# a comment\nsource = \"{url}\"\n+++\n"),
        )]);
        let err = expect_error(&f, "content/2025-11/news/s.md:4:10:", "is not an http(s) URL");
        assert!(err.contains("hint: links must be absolute"), "case {n}: {err}");
    }
}

#[test]
fn executable_further_reading_urls_are_errors_at_their_column() {
    let f = site(&[(
        "content/2025-11/news/f.md",
        "+++\ntitle = \"f\"\n[[further_reading]]\ntitle = \"ok\"\nurl = \"https://ok.example/\"\n[[further_reading]]\ntitle = \"bad\"\nurl = \"  JavaScript:alert(1)\"\n+++\n",
    )]);
    expect_error(&f, "content/2025-11/news/f.md:8:7:", "\"JavaScript:alert(1)\" is not an http(s) URL");
    f.write(
        "content/2025-11/news/f.en.md",
        "+++\ntitle = \"f\"\n[[further_reading]]\ntitle = \"bad\"\nurl = \"data:text/html,x\"\n+++\n",
    );
    expect_error(&f, "content/2025-11/news/f.en.md:5:7:", "\"data:text/html,x\" is not an http(s) URL");
}

// ---------------------------------------------------------------------------------------------
// Names

#[test]
fn dot_names_and_percent_encoded_dots_are_refused() {
    // `..` as a name is a hidden file, never published.
    let f = site(&[
        ("content/2025-11/news/...md", &entry("x", "", "x")),
        ("content/2025-11/news/ok.md", &entry("ok", "", "x")),
    ]);
    let out = f.build_with(&["--no-search"]);
    assert!(
        out.paths().iter().all(|p| !p.contains("/../") && !p.contains("news/./") && !p.contains("news/../")),
        "{:?}",
        out.paths()
    );
    assert_eq!(select_text(&out.html("2025-11/news/index.html"), ".entry-title a"), ["ok"]);
    for name in ["%2e%2e.md", "%2E%2E.en.md", "a b.md", "a%2fb.md", "a?b.md"] {
        let f = site(&[(&format!("content/2025-11/news/{name}") as &str, &entry("x", "", "x"))]);
        let err = expect_error(&f, &format!("content/2025-11/news/{name}:1:1:"), "cannot be used in a URL");
        assert!(err.contains("hint: name entries with letters, digits and hyphens"), "{name}: {err}");
    }
}

#[test]
fn reserved_looking_names_are_ordinary_entries() {
    let f = site(&[
        ("content/2025-11/news/con.md", &entry("con", "", "x")),
        ("content/2025-11/news/index.md", &entry("index", "", "x")),
        ("content/2025-11/news/_index.md", &entry("underscore index", "", "x")),
    ]);
    let out = f.build_with(&["--no-search"]);
    for page in ["2025-11/news/con/index.html", "2025-11/news/index/index.html", "2025-11/news/_index/index.html"] {
        assert!(out.has(page), "{page}: {:?}", out.paths());
    }
    assert_eq!(select_text(&out.html("2025-11/news/index.html"), ".entry-title a").len(), 3);
}

#[test]
fn a_name_of_250_bytes_builds_and_a_tag_of_300_bytes_is_refused_at_its_entry() {
    let long = "a".repeat(247);
    let f = site(&[(&format!("content/2025-11/news/{long}.md") as &str, &entry("长名", "", "x"))]);
    let out = f.build_with(&["--no-search"]);
    assert!(out.has(&format!("2025-11/news/{long}/index.html")));
    let tag = "t".repeat(300);
    f.write("content/2025-11/news/tagged.md", &entry("x", &format!("tags = [\"{tag}\"]"), "x"));
    let err = expect_error(&f, "content/2025-11/news/tagged.md:1:1:", "named with 300 bytes, more than the 255");
    assert!(!err.contains("digest-new"), "the error names the source, not the temporary folder: {err}");
}

#[test]
fn names_that_slugify_to_nothing() {
    let f = site(&[("content/2025-11/news/t.md", &entry("t", "tags = [\"!!!\", \"  \"]", "x"))]);
    let err = expect_error(&f, "content/2025-11/news/t.md:1:1:", "tag \"!!!\" has no letters or digits");
    assert!(err.contains("tag \"\" has no letters or digits"), "{err}");
    // A heading without letters gets an id all the same.
    let g = site(&[("content/2025-11/news/h.md", &entry("h", "", "## !!!\n\n## ？？"))]);
    let out = g.build_with(&["--no-search"]);
    assert_eq!(
        select_attr(&out.html("2025-11/news/h/index.html"), ".entry-body h2", "id"),
        ["news-h-section", "news-h-section-1"]
    );
}

#[test]
fn two_entries_whose_names_differ_only_in_case_are_an_error_naming_both() {
    let f = site(&[
        ("content/2025-11/news/Gateway.md", &entry("大写", "", "x")),
        ("content/2025-11/news/gateway.md", &entry("小写", "", "x")),
    ]);
    let err = expect_error(
        &f,
        "content/2025-11/news/Gateway.md:1:1:",
        "the page of content/2025-11/news/Gateway.md and the page of content/2025-11/news/gateway.md (content/2025-11/news/gateway.md:1:1) write the same output",
    );
    assert_eq!(err.matches(": error: ").count(), 1, "one error per pair: {err}");
}

#[test]
fn decomposed_unicode_names_are_refused_and_composed_ones_build() {
    let f = site(&[("content/2025-11/news/cafe\u{301}.md", &entry("é", "", "x"))]);
    expect_error(&f, "content/2025-11/news/cafe\u{301}.md:1:1:", "cannot be used in a URL");
    let g = site(&[("content/2025-11/news/caf\u{e9}.md", &entry("é", "", "x"))]);
    assert!(g.build_with(&["--no-search"]).has("2025-11/news/caf\u{e9}/index.html"));
}

#[test]
fn an_asset_and_a_page_writing_one_output_are_an_error_naming_both() {
    let f = site(&[
        ("content/2025-11/news/x.md", &entry("x", "", "x")),
        ("content/2025-11/news/x/index.html", "<p>a stray page</p>"),
    ]);
    expect_error(
        &f,
        "content/2025-11/news/x.md:1:1:",
        "the page of content/2025-11/news/x.md and the file content/2025-11/news/x/index.html (content/2025-11/news/x/index.html:1:1) write the same output: 2025-11/news/x/index.html",
    );
    assert!(!f.root().join("public").exists(), "nothing published");
    // An asset where the issue's topic page goes.
    f.remove("content/2025-11/news/x/index.html");
    f.write("content/2025-11/news/index.html", "stray");
    expect_error(
        &f,
        "content/2025-11/_index.md:1:1:",
        "the page of content/2025-11/_index.md and the file content/2025-11/news/index.html (content/2025-11/news/index.html:1:1) write the same output: 2025-11/news/index.html",
    );
}

#[test]
fn a_language_named_like_a_top_level_path_is_an_error_at_its_table() {
    for (code, output) in
        [("tags", "tags/index.html"), ("search", "search/index.html"), ("archive", "archive/index.html")]
    {
        let config = format!("{}\n[languages.{code}]\ntitle = \"x\"\n", common::CONFIG);
        let f = Fixture::with_config(&config, &[("content/2025-11/_index.md", &issue("十一月", "2025-11-30"))]);
        expect_error(&f, "config.toml:13:12:", &format!("language \"{code}\"'s home page and the site's"));
        let run = f.run(&["build"]);
        assert!(run.stderr.contains(&format!("write the same output: {output}")), "{code}: {}", run.stderr);
    }
}

#[test]
fn static_files_may_not_replace_pages_nor_the_search_index() {
    let f = site(&[("static/index.html", "mine"), ("static/pagefind/pagefind.js", "mine")]);
    let err = expect_error(
        &f,
        "static/index.html:1:1:",
        "the theme's file static/index.html and the site's home page (config.toml:5:12) write the same output: index.html",
    );
    assert!(err.contains("static/pagefind/pagefind.js:1:1: error: the theme's file static/pagefind/pagefind.js writes pagefind/pagefind.js"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// base_url

#[test]
fn a_non_ascii_base_url_with_spaces_is_encoded_once() {
    let config = common::CONFIG.replace("https://example.org", "https://例子.cn/云 原生");
    let f = Fixture::with_config(&config, &[("content/2025-11/_index.md", &issue("十一月", "2025-11-30"))]);
    let out = f.build_with(&["--no-search"]);
    let canonical = select_attr(&out.html("2025-11/index.html"), "link[rel=canonical]", "href");
    assert_eq!(canonical, ["https://xn--fsqu00a.cn/%E4%BA%91%20%E5%8E%9F%E7%94%9F/2025-11/"]);
    assert!(out.text("sitemap.xml").contains("<loc>https://xn--fsqu00a.cn/%E4%BA%91%20%E5%8E%9F%E7%94%9F/</loc>"));
}

#[test]
fn a_base_url_with_a_query_or_without_a_scheme_is_an_error_at_its_column() {
    for (url, message) in [
        ("https://example.org/?utm=1", "has a query or a fragment"),
        ("example.org", "is not an http(s) URL"),
        ("javascript:alert(1)", "is not an http(s) URL"),
        ("https://example.org/%2e%2e/x", "has a `.` or `..` segment"),
    ] {
        let f = Fixture::with_config(&common::CONFIG.replace("https://example.org", url), &[]);
        expect_error(&f, "config.toml:2:12:", &format!("`base_url` {message}"));
    }
    let f = site(&[]);
    expect_error_in(
        &f,
        &["build", "--base-url", "java\tscript:x"],
        "config.toml:1:1:",
        "--base-url is not an http(s) URL",
    );
}

// ---------------------------------------------------------------------------------------------
// The file system

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_templates_is_refused_naming_its_target() {
    let f = site(&[]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("base.html"), "{{ secret }}").unwrap();
    symlink(&outside.path().join("base.html"), &f.root().join("templates/base.html"));
    let err = expect_error(&f, "templates/base.html:1:1:", "symbolic link to");
    assert!(
        err.contains(&format!(
            "{:?}: digest does not follow links in templates/",
            outside.path().join("base.html").display().to_string()
        )),
        "{err}"
    );
    assert!(err.contains("hint: copy or move the file or folder into place instead"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_static_and_a_loop_are_refused() {
    let f = site(&[("static/ok.css", "ok")]);
    symlink(Path::new("/etc/passwd"), &f.root().join("static/passwd.txt"));
    symlink(Path::new("loop"), &f.root().join("static/loop"));
    let err = expect_error(&f, "static/loop:1:1:", "symbolic link to \"loop\"");
    assert!(
        err.contains(
            "static/passwd.txt:1:1: error: symbolic link to \"/etc/passwd\": digest does not follow links in static/"
        ),
        "{err}"
    );
    let out_of_site = f.root().join("public/passwd.txt");
    assert!(!out_of_site.exists());
}

#[cfg(unix)]
#[test]
fn a_linked_theme_and_a_theme_path_are_refused() {
    let f = site(&[]);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(elsewhere.path().join("templates")).unwrap();
    symlink(elsewhere.path(), &f.root().join("themes/linked"));
    f.write("config.toml", &format!("theme = \"linked\"\n{}", common::CONFIG));
    expect_error(&f, "themes/linked:1:1:", "symbolic link to");
    f.write("config.toml", &format!("theme = \"../../x\"\n{}", common::CONFIG));
    let err = expect_error(&f, "config.toml:1:9:", "theme \"../../x\" is not a folder name");
    assert!(err.contains("hint: name a folder of themes/"), "{err}");
}

#[cfg(unix)]
#[test]
fn links_inside_the_site_and_a_linked_content_folder_are_refused() {
    let f = site(&[("content/2025-11/news/x.md", &entry("x", "", "x"))]);
    symlink(Path::new("x.md"), &f.root().join("content/2025-11/news/y.md"));
    expect_error(
        &f,
        "content/2025-11/news/y.md:1:1:",
        "symbolic link to \"x.md\": digest does not follow links in content/",
    );
    let g = Fixture::new(&[]);
    symlink(&f.root().join("content"), &g.root().join("content"));
    expect_error(&g, "content:1:1:", "symbolic link to");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_an_entry_is_refused_not_waited_for() {
    let f = site(&[]);
    let fifo = f.root().join("content/2025-11/news/pipe.md");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let start = Instant::now();
    expect_error(&f, "content/2025-11/news/pipe.md:1:1:", "neither a file nor a folder");
    expect_error_in(&f, &["check"], "content/2025-11/news/pipe.md:1:1:", "neither a file nor a folder");
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_folder_named_like_an_entry_holds_assets() {
    let f = site(&[]);
    f.write_bytes("content/2025-11/news/x.md/diagram.png", &common::png(40, 30));
    let out = f.build_with(&["--no-search"]);
    assert!(out.has("2025-11/news/x.md/diagram.png"));
    assert!(!out.has("2025-11/news/x/index.html"));
}

#[test]
fn the_output_folder_inside_content_or_around_the_site_is_refused() {
    let f = site(&[]);
    expect_error_in(&f, &["build", "--output", "content/out"], "", "the output folder lies inside content/");
    expect_error_in(&f, &["build", "--output", "themes/x"], "", "the output folder lies inside themes/");
    expect_error_in(&f, &["build", "--output", "."], "", "the output folder contains the site itself");
    assert!(!f.root().join("content/out").exists());
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn a_file_over_the_size_limit_is_refused_by_build_and_check() {
    let _g = heavy();
    let f = site(&[]);
    let line = "word ".repeat(2_000_000); // a 10 MB line
    f.write("content/2025-11/news/big.md", &format!("+++\ntitle = \"big\"\n+++\n{line}\n"));
    for command in ["build", "check"] {
        let start = Instant::now();
        let err = expect_error_in(
            &f,
            &[command],
            "content/2025-11/news/big.md:1:1:",
            "the file is larger than the limit of 1 MiB",
        );
        assert!(err.contains("hint: split it"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(20), "{command}: {:?}", start.elapsed());
    }
    f.remove("content/2025-11/news/big.md");
    f.write("config.toml", &format!("{}\n# {}\n", common::CONFIG, "x".repeat(1 << 20)));
    expect_error(&f, "config.toml:1:1:", "the file is larger than the limit of 1 MiB");
}

#[test]
fn a_line_just_under_the_size_limit_builds_and_checks_in_budget() {
    let _g = heavy();
    let f = site(&[]);
    let line = "word ".repeat(200_000); // 1 MB, one line
    f.write("content/2025-11/news/long.md", &format!("+++\ntitle = \"long\"\n+++\n{line}\n"));
    let start = Instant::now();
    let out = f.build();
    assert!(start.elapsed() < Duration::from_secs(90), "build: {:?}", start.elapsed());
    assert!(out.text("2025-11/news/long/index.html").len() > 1_000_000);
    let start = Instant::now();
    let run = f.run(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(20), "check: {:?}", start.elapsed());
}

#[test]
fn an_issue_over_the_entry_limit_is_refused_before_parsing() {
    let f = site(&[]);
    let dir = f.root().join("content/2025-11/news");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..2001 {
        // Never parsed: none of them has front matter.
        std::fs::write(dir.join(format!("e{i}.md")), "").unwrap();
    }
    let err = expect_error(&f, "content/2025-11:1:1:", "the issue holds 2001 entries, more than the limit of 2000");
    assert_eq!(err.matches(": error: ").count(), 1, "{}", &err[..err.len().min(2000)]);
}

fn pathological(body: &str) -> Fixture {
    site(&[("content/2025-11/news/deep.md", &format!("+++\ntitle = \"deep\"\n+++\n{body}\n"))])
}

/// Runs build and check, each within `budget`, expecting `status`; returns both reports.
fn within(f: &Fixture, budget: Duration, status: i32) -> (Run, Run) {
    let mut runs = Vec::new();
    for command in ["build", "check"] {
        let start = Instant::now();
        let run = f.run(&[command]);
        let took = start.elapsed();
        assert_eq!(run.status, status, "{command}: {}", &run.stderr[..run.stderr.len().min(3000)]);
        assert!(!run.stderr.contains("panicked"), "{command}: {}", run.stderr);
        assert!(took < budget, "{command} took {took:?}, over the budget of {budget:?}");
        runs.push(run);
    }
    let check = runs.pop().unwrap();
    (runs.pop().unwrap(), check)
}

/// Builds and checks a page whose Markdown is `markdown` (nested past the limit), each within
/// 20 s, and expects the nesting error at the line and column where the limit is passed.
fn nesting_is_refused_quickly(markdown: &str) {
    let _g = heavy();
    let f = pathological(markdown);
    let (build, check) = within(&f, Duration::from_secs(20), 1);
    for run in [&build, &check] {
        assert!(
            run.stderr.contains("content/2025-11/news/deep.md:4:129: error: the Markdown nests more than 128 elements"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("hint: flatten the nesting"), "{}", run.stderr);
    }
}

#[test]
fn fifty_thousand_nested_quotes_are_refused_at_the_limit_quickly() {
    nesting_is_refused_quickly(&format!("{} x", ">".repeat(50_000)));
}

#[test]
fn a_hundred_thousand_nested_list_items_are_refused_quickly() {
    nesting_is_refused_quickly(&format!("{}x", "- ".repeat(100_000)));
}

#[test]
fn nesting_in_an_editor_note_is_located_at_the_field() {
    let note = ">".repeat(200);
    let f = site(&[("content/2025-11/news/n.md", &format!("+++\ntitle = \"n\"\neditor_note = \"{note} x\"\n+++\n"))]);
    expect_error(&f, "content/2025-11/news/n.md:3:1:", "the editor's note nests more than 128 elements");
    // A hundred levels are allowed.
    f.write("content/2025-11/news/n.md", &entry("n", "", &format!("{} x", ">".repeat(100))));
    let out = f.build_with(&["--no-search"]);
    assert_eq!(out.text("2025-11/news/n/index.html").matches("<blockquote>").count(), 100);
}

#[test]
fn twenty_thousand_footnotes_build_and_check_in_budget() {
    let _g = heavy();
    let refs: String = (0..20_000).map(|i| format!("x[^{i}] ")).collect();
    let notes: String = (0..20_000).map(|i| format!("[^{i}]: note {i}\n\n")).collect();
    let f = pathological(&format!("First paragraph.\n\n{refs}\n\n{notes}"));
    let (_, check) = within(&f, Duration::from_secs(120), 0);
    assert!(
        check.stderr.contains(": 0 errors,"),
        "every footnote link resolves: {}",
        &check.stderr[..check.stderr.len().min(2000)]
    );
    let page = std::fs::read_to_string(f.root().join("public/2025-11/news/deep/index.html")).unwrap();
    assert_eq!(page.matches("class=\"footnote-ref\"").count(), 20_000);
}

#[test]
fn footnote_references_in_a_summary_do_not_break_its_pages() {
    let f = site(&[("content/2025-11/news/s.md", &entry("s", "", "Claim[^a].\n\n[^a]: Proof."))]);
    let out = build_ok(&f);
    let topic = out.text("topics/news/index.html");
    assert!(!topic.contains("footnote-ref"), "the summary links to no missing note");
    let run = f.run(&["check"]);
    assert!(run.stderr.contains(": 0 errors,"), "{}", run.stderr);
}

#[test]
fn fifty_thousand_unclosed_brackets_build_and_check_in_budget() {
    let _g = heavy();
    let f = pathological(&format!("{} x", "[".repeat(50_000)));
    within(&f, Duration::from_secs(20), 0);
    let page = std::fs::read_to_string(f.root().join("public/2025-11/news/deep/index.html")).unwrap();
    assert!(page.contains(&"[".repeat(50_000)));
}

#[test]
fn thirty_thousand_links_on_one_line_check_in_budget() {
    let _g = heavy();
    let links: String = (0..30_000).map(|i| format!("[l{i}](/2025-11/#nope-{i}) ")).collect();
    let f = pathological(&links);
    let start = Instant::now();
    let run = f.run(&["check"]);
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
    assert_eq!(run.status, 1);
    // Each broken anchor located where it is written.
    let column = links.find("/2025-11/#nope-29999").unwrap() + 1;
    let expected = format!("content/2025-11/news/deep.md:4:{column}: error: broken anchor `/2025-11/#nope-29999`");
    assert!(run.stderr.contains(&expected), "{}", &run.stderr[..run.stderr.len().min(2000)]);
}

// ---------------------------------------------------------------------------------------------
// Time zone and locale

#[test]
fn the_sample_site_is_byte_identical_under_any_time_zone_and_locale() {
    let _g = heavy();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for (tz, lang) in [("Asia/Shanghai", "zh_CN.UTF-8"), ("UTC", "C"), ("America/Los_Angeles", "en_US.UTF-8")] {
        let out = dirs.path().join(tz.replace('/', "-"));
        let run = Command::new(env!("CARGO_BIN_EXE_digest"))
            .arg("--root")
            .arg(root)
            .arg("build")
            .arg("--output")
            .arg(&out)
            .env("TZ", tz)
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .output()
            .unwrap();
        assert!(run.status.success(), "{tz}: {}", String::from_utf8_lossy(&run.stderr));
        outputs.push(Output::read(&out));
    }
    assert!(outputs[0].files.len() > 50, "{:?}", outputs[0].paths());
    for other in &outputs[1..] {
        assert_eq!(outputs[0].paths(), other.paths());
        for (path, bytes) in &outputs[0].files {
            assert!(other.files[path] == *bytes, "{path} differs between time zones or locales");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A build killed at any moment

#[cfg(unix)]
#[test]
fn a_build_killed_at_any_moment_leaves_the_previous_output_byte_identical() {
    let _g = heavy();
    let f = common::links_archive(6, 50); // 300 entries
    let start = Instant::now();
    let before = f.build_with(&["--no-search"]);
    let took = start.elapsed();
    assert!(before.files.len() > 600);
    let leftovers = |f: &Fixture| -> Vec<String> {
        std::fs::read_dir(f.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".digest-new-") || n.contains(".digest-old-"))
            .collect()
    };
    for step in 0..10u32 {
        // Spread over the build, from its first milliseconds to past its swap.
        let delay = took * (step * 2 + 1) / 18;
        let mut child = Command::new(env!("CARGO_BIN_EXE_digest"))
            .arg("--root")
            .arg(f.root())
            .args(["build", "--no-search"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = Output::read(&f.root().join("public"));
        assert!(now.files == before.files, "step {step} ({delay:?}, {status:?}): the output changed");
        let run = f.run(&["build", "--no-search"]);
        assert_eq!(run.status, 0, "step {step}: {}", run.stderr);
        assert!(leftovers(&f).is_empty(), "step {step}: {:?}", leftovers(&f));
        assert!(Output::read(&f.root().join("public")).files == before.files, "step {step}");
    }
}
