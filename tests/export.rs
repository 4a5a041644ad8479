//! `digest export`: the email, plain-text, WeChat and Markdown editions of the sample issue in
//! both languages, each checked by parsing it; the fallback rule; bad input; the Pages workflow.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use common::{Fixture, Run, entry, issue};
use scraper::{ElementRef, Html, Selector};
use unicode_width::UnicodeWidthStr;
use url::Url;

const SAMPLE: &str = env!("CARGO_MANIFEST_DIR");
const LANGS: [&str; 2] = ["zh", "en"];

fn digest(root: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_digest")).arg("--root").arg(root).args(args).output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An edition of the sample issue 2025-11 on standard output; it must succeed.
fn sample(format: &str, lang: &str, extra: &[&str]) -> Run {
    let run = digest(Path::new(SAMPLE), &[&["export", "2025-11", "--format", format, "--lang", lang], extra].concat());
    assert_eq!(run.status, 0, "{}", run.stderr);
    run
}

/// What the site shows of an issue in a language: each entry's title, page, source and text
/// language, in reading order.
struct Expected {
    issue_title: String,
    summary: String,
    entries: Vec<ExpectedEntry>,
}

struct ExpectedEntry {
    title: String,
    permalink: String,
    source: Option<String>,
    original_title: Option<String>,
}

fn expected(root: &Path, key: &str, lang: &str) -> Expected {
    let site = digest::load::load(root, &digest::load::LoadOptions::default()).unwrap();
    let issue = site.issues.iter().find(|i| i.key == key).unwrap();
    let entries = issue
        .topics
        .iter()
        .flatten()
        .map(|&e| {
            let entry = &site.entries[e];
            let (text, _) = entry.text(lang);
            ExpectedEntry {
                title: text.title.clone(),
                permalink: site.config.permalink(lang, digest::site::layout::Address::entry(&site, entry)),
                source: entry.source.clone(),
                original_title: text.original_title.clone(),
            }
        })
        .collect();
    let (text, _) = issue.text(lang);
    Expected { issue_title: text.title.clone(), summary: text.summary.clone().unwrap_or_default(), entries }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "12. Title" → "Title".
fn strip_number(s: &str) -> &str {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    s[digits..].strip_prefix(". ").unwrap_or(s).trim()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn is_absolute(u: &str) -> bool {
    Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto"))
}

/// The `color` values of a `style` attribute.
fn colors(style: &str) -> Vec<String> {
    style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("color"))
        .map(|(_, v)| v.trim().to_ascii_lowercase().replace(' ', ""))
        .collect()
}

/// The top-level blocks of a style sheet, as their preludes (`@media (…)`, `p`, …).
fn top_level_preludes(css: &str) -> Vec<String> {
    let (mut depth, mut prelude, mut out) = (0, String::new(), Vec::new());
    for c in css.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push(prelude.trim().to_string());
                    prelude.clear();
                }
                depth += 1;
            }
            '}' => depth -= 1,
            c if depth == 0 => prelude.push(c),
            _ => {}
        }
    }
    out
}

fn hrefs_and_srcs(doc: &Html) -> Vec<String> {
    let mut urls = Vec::new();
    for el in doc.select(&sel("[href], [src]")) {
        urls.extend(el.value().attr("href").map(str::to_string));
        urls.extend(el.value().attr("src").map(str::to_string));
    }
    urls
}

#[test]
fn email_is_self_contained_inlined_absolute_and_in_order() {
    for lang in LANGS {
        let run = sample("email", lang, &[]);
        let html = run.stdout;
        assert!(html.len() < 100 * 1024, "{lang}: the default email is {} bytes", html.len());
        assert!(!run.stderr.contains("warning"), "{}", run.stderr);
        let doc = Html::parse_document(&html);
        for forbidden in ["script", "link", "form", "input", "iframe", "object", "embed"] {
            assert_eq!(doc.select(&sel(forbidden)).count(), 0, "{lang}: <{forbidden}> in the email");
        }
        // Every class left is one the kept @media rules use, on an element with inline style.
        for el in doc.select(&sel("body [class], body")) {
            if el.value().attr("class").is_some() {
                assert!(el.value().attr("style").is_some(), "{lang}: class without inlined style: {}", el.html());
            }
        }
        let styles: Vec<String> = doc.select(&sel("style")).map(|s| s.text().collect()).collect();
        assert_eq!(styles.len(), 1, "{lang}: one <style>");
        let preludes = top_level_preludes(&styles[0]);
        assert!(!preludes.is_empty() && preludes.iter().all(|p| p.starts_with("@media")), "{preludes:?}");
        assert!(preludes.iter().any(|p| p.contains("prefers-color-scheme: dark")), "{preludes:?}");
        for url in hrefs_and_srcs(&doc) {
            assert!(is_absolute(&url), "{lang}: relative link {url:?}");
        }

        // The preheader, hidden, is the first text of the body.
        let exp = expected(Path::new(SAMPLE), "2025-11", lang);
        let body = doc.select(&sel("body")).next().unwrap();
        let first = body.text().map(str::trim).find(|t| !t.is_empty()).unwrap();
        assert!(first.starts_with(&exp.summary), "{lang}: first text {first:?}");
        let pre = body.child_elements().next().unwrap();
        assert!(pre.value().attr("style").unwrap().contains("display:none"), "{}", pre.html());

        // A single column of role="presentation" tables, at most 640 px wide.
        let tables: Vec<ElementRef> = doc.select(&sel("table")).collect();
        assert!(tables.iter().all(|t| t.value().attr("role") == Some("presentation")));
        let column = tables.iter().find(|t| t.value().attr("width") == Some("640")).expect("a 640 px column");
        assert!(column.value().attr("style").unwrap().contains("max-width:640px"));
        for t in &tables {
            if let Some(w) = t.value().attr("width").and_then(|w| w.parse::<u32>().ok()) {
                assert!(w <= 640, "{lang}: a table {w} px wide");
            }
        }

        // Every entry, in order, with its page and source linked.
        let titles: Vec<String> = doc.select(&sel("h3")).map(|h| strip_number(&text_of(h)).to_string()).collect();
        let want: Vec<&str> = exp.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, want, "{lang}");
        let links: BTreeSet<String> = hrefs_and_srcs(&doc).into_iter().collect();
        for e in &exp.entries {
            assert!(links.contains(&e.permalink), "{lang}: no link to {}", e.permalink);
            if let Some(s) = &e.source {
                assert!(links.contains(s), "{lang}: no link to the source {s}");
            }
        }
        // The issue page ("read on the web").
        assert!(links.contains(exp.entries[0].permalink.split("releases").next().unwrap()));
        assert_eq!(text_of(doc.select(&sel("title")).next().unwrap()), exp.issue_title);
    }
}

#[test]
fn full_email_carries_the_bodies_and_warns_over_100_kb() {
    let run = sample("email", "zh", &["--full"]);
    assert!(run.stdout.len() > 100 * 1024);
    let warning = run.stderr.lines().find(|l| l.contains(": warning: ")).expect("a size warning");
    assert!(warning.starts_with("content/2025-11:1:1: warning: the email is"), "{warning}");
    assert!(run.stderr.contains("hint: leave out --full"), "{}", run.stderr);
}

/// The reference list of a text edition (number → URL) and its entry titles.
fn parse_text(text: &str) -> (HashMap<usize, String>, Vec<String>, Vec<usize>) {
    let mut refs = HashMap::new();
    let mut titles = Vec::new();
    let mut used = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix('[')
            && let Some((n, url)) = rest.split_once("] ")
            && let Ok(n) = n.parse::<usize>()
            && !url.contains(' ')
        {
            assert!(refs.insert(n, url.to_string()).is_none(), "[{n}] listed twice");
            continue;
        }
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && line[digits..].starts_with(". ") && lines.get(i.wrapping_sub(1)).is_some_and(|l| l.is_empty())
        {
            let mut title = line[digits + 2..].to_string();
            for next in &lines[i + 1..] {
                match next.strip_prefix("   ") {
                    Some(more) => {
                        title.push(' ');
                        title.push_str(more);
                    }
                    None => break,
                }
            }
            let title = title.rsplit_once(" [").map_or(title.clone(), |(t, _)| t.to_string());
            titles.push(squeeze(&title));
        }
        let mut rest = *line;
        while let Some(i) = rest.find('[') {
            rest = &rest[i + 1..];
            if let Some((n, _)) = rest.split_once(']')
                && let Ok(n) = n.parse::<usize>()
            {
                used.push(n);
            }
        }
    }
    (refs, titles, used)
}

#[test]
fn text_lists_every_entry_in_order_and_every_email_link_as_a_reference() {
    for lang in LANGS {
        let text = sample("text", lang, &[]).stdout;
        let (refs, titles, used) = parse_text(&text);
        let exp = expected(Path::new(SAMPLE), "2025-11", lang);
        let want: Vec<String> = exp.entries.iter().map(|e| squeeze(&e.title)).collect();
        assert_eq!(titles, want, "{lang}");

        let email = Html::parse_document(&sample("email", lang, &[]).stdout);
        let listed: BTreeSet<&str> = refs.values().map(String::as_str).collect();
        for url in hrefs_and_srcs(&email) {
            assert!(listed.contains(url.as_str()), "{lang}: {url} of the email is no numbered reference");
        }
        // Numbered 1…n, each used in the text, each marker listed.
        let mut numbers: Vec<usize> = refs.keys().copied().collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=refs.len()).collect::<Vec<_>>());
        for n in used {
            assert!(refs.contains_key(&n), "{lang}: [{n}] is not listed");
        }
        let distinct: BTreeSet<&String> = refs.values().collect();
        assert_eq!(distinct.len(), refs.len(), "{lang}: a URL numbered twice");

        for line in text.lines() {
            if line.width() > 72 {
                let reference = line.starts_with('[') && line.split_once("] ").is_some_and(|(_, u)| !u.contains(' '));
                assert!(reference, "{lang}: a line over 72 columns: {line:?}");
            }
        }
    }
}

#[test]
fn text_wraps_chinese_at_72_columns_counting_two_per_character() {
    let text = sample("text", "zh", &["--full"]).stdout;
    let long_cjk = text.lines().filter(|l| l.width() > 60 && l.chars().any(|c| c.width_cjk() == 2)).count();
    assert!(long_cjk > 20, "lines are filled");
    assert!(text.lines().all(|l| l.width() <= 72 || l.starts_with('[')), "a line over 72 columns");
    assert!(!text.lines().any(|l| l.starts_with('，') || l.starts_with('。')), "a line starts with punctuation");
}

trait CjkWidth {
    fn width_cjk(self) -> usize;
}
impl CjkWidth for char {
    fn width_cjk(self) -> usize {
        unicode_width::UnicodeWidthChar::width(self).unwrap_or(0)
    }
}

/// The references list of a WeChat article: number → URL, in order.
fn wechat_references(doc: &Html) -> Vec<(usize, String)> {
    let article = doc.select(&sel("[data-wechat-article]")).next().expect("the article element");
    let list = article.child_elements().last().expect("the references at the end");
    let heading = text_of(list.select(&sel("h3")).next().expect("a heading"));
    assert!(heading.contains("参考链接") || heading.contains("References"), "{heading}");
    list.select(&sel("p"))
        .map(|p| {
            let t = text_of(p);
            let (n, url) = t.strip_prefix('[').and_then(|r| r.split_once("] ")).expect("[n] URL");
            (n.parse().unwrap(), url.to_string())
        })
        .collect()
}

/// The markers `[n]` of an article in order, each with the text it follows.
fn wechat_markers(doc: &Html) -> Vec<(usize, String)> {
    doc.select(&sel("[data-wechat-article] sup"))
        .filter_map(|sup| {
            let n = text_of(sup).strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
            let before = sup.prev_siblings().find_map(ElementRef::wrap).map(text_of).unwrap_or_default();
            Some((n, before))
        })
        .collect()
}

fn check_wechat(html: &str, lang: &str) -> Html {
    let doc = Html::parse_document(html);
    assert_eq!(doc.select(&sel("style, script, link")).count(), 0, "{lang}: <style>, <script> or <link>");
    assert_eq!(doc.select(&sel("[class], [id]")).count(), 0, "{lang}: a class or id is left");
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap();
        assert_eq!(Url::parse(href).unwrap().host_str(), Some("mp.weixin.qq.com"), "{lang}: a link to {href}");
    }
    // Everything in the article is styled inline (the site styles these by class).
    for el in doc.select(&sel("[data-wechat-article], [data-wechat-article] *")) {
        if el.value().name() != "br" {
            assert!(el.value().attr("style").is_some(), "{lang}: unstyled {}", el.html());
        }
    }
    for el in doc.select(&sel("[style]")) {
        for c in colors(el.value().attr("style").unwrap()) {
            assert!(!["#000", "#000000", "black", "rgb(0,0,0)"].contains(&c.as_str()), "{lang}: pure black");
        }
    }
    for li in doc.select(&sel("li")) {
        let first = li.child_elements().next().map(|c| c.value().name().to_string());
        assert_eq!(first.as_deref(), Some("section"), "{lang}: {}", li.html());
    }
    // One reference per outside URL, numbered in order of first use; the markers agree.
    let refs = wechat_references(&doc);
    assert_eq!(refs.iter().map(|r| r.0).collect::<Vec<_>>(), (1..=refs.len()).collect::<Vec<_>>());
    let distinct: BTreeSet<&String> = refs.iter().map(|r| &r.1).collect();
    assert_eq!(distinct.len(), refs.len(), "{lang}: a URL numbered twice");
    let markers = wechat_markers(&doc);
    let mut next = 1;
    for (n, _) in &markers {
        assert!(*n <= next, "{lang}: [{n}] used before [{next}]");
        if *n == next {
            next += 1;
        }
    }
    assert_eq!(next - 1, refs.len(), "{lang}: every reference is used");
    doc
}

#[test]
fn wechat_has_only_inline_styles_and_numbered_references() {
    for lang in LANGS {
        let run = sample("wechat", lang, &[]);
        assert!(!run.stderr.contains("warning"), "{}", run.stderr);
        let doc = check_wechat(&run.stdout, lang);
        let refs: HashMap<usize, String> = wechat_references(&doc).into_iter().collect();
        let markers = wechat_markers(&doc);
        // Each entry's original title is marked with its source, "read more" with its page.
        let exp = expected(Path::new(SAMPLE), "2025-11", lang);
        for e in &exp.entries {
            if let (Some(source), Some(original)) = (&e.source, &e.original_title) {
                let (n, _) = markers.iter().find(|(_, t)| t == original).unwrap_or_else(|| panic!("{original}"));
                assert_eq!(&refs[n], source, "{lang}: the marker after {original:?}");
            }
            assert!(refs.values().any(|u| u == &e.permalink), "{lang}: {} not referenced", e.permalink);
        }
        let titles: Vec<String> = doc.select(&sel("h3")).map(|h| strip_number(&text_of(h)).to_string()).collect();
        let titles: Vec<&String> = titles.iter().filter(|t| !t.contains("参考链接") && *t != "References").collect();
        assert_eq!(titles, exp.entries.iter().map(|e| &e.title).collect::<Vec<_>>(), "{lang}");
    }
}

#[test]
fn full_wechat_warns_over_the_editors_limit() {
    let run = sample("wechat", "en", &["--full"]);
    check_wechat(&run.stdout, "en");
    assert!(run.stderr.contains("characters, over the editor's limit of 20,000"), "{}", run.stderr);
}

/// Headings of a Markdown document by level, and every link and image destination.
fn parse_markdown(md: &str) -> (Vec<(u8, String)>, Vec<String>) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let (mut headings, mut links, mut current) = (Vec::new(), Vec::new(), None::<(u8, String)>);
    let options = pulldown_cmark::Options::all() - pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((level as u8, String::new())),
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, s)) = &mut current {
                    s.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => links.push(dest_url.to_string()),
            _ => {}
        }
    }
    (headings, links)
}

#[test]
fn markdown_parses_back_to_every_entry_in_order_with_absolute_links() {
    for lang in LANGS {
        for extra in [&[][..], &["--full"][..]] {
            let md = sample("markdown", lang, extra).stdout;
            let (headings, links) = parse_markdown(&md);
            let exp = expected(Path::new(SAMPLE), "2025-11", lang);
            assert_eq!(headings[0], (1, exp.issue_title.clone()));
            let titles: Vec<&str> = headings.iter().filter(|h| h.0 == 3).map(|h| strip_number(&h.1)).collect();
            assert_eq!(titles, exp.entries.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(), "{lang} {extra:?}");
            assert_eq!(headings.iter().filter(|h| h.0 == 2).count(), 6, "six topics");
            for l in &links {
                assert!(is_absolute(l), "{lang}: relative link {l:?}");
            }
            for e in &exp.entries {
                assert!(links.contains(&e.permalink) || extra == ["--full"], "{lang}: no link to {}", e.permalink);
                if let (Some(s), Some(_)) = (&e.source, &e.original_title) {
                    assert!(links.contains(s), "{lang}: the original title is not linked to {s}");
                }
            }
        }
    }
}

/// A site with an untranslated entry (Chinese only), a translated one with code, a table, a
/// list, a footnote and an in-page link, and a link to a WeChat article.
fn fallback_site() -> Fixture {
    let body = "第一段，见[公众号文章](https://mp.weixin.qq.com/s/abc)和[文档](https://docs.example.com/)。\n\n\
                - 一项\n- 两项\n\n```\nfn main() {\n    let x = 1;\n}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
                脚注[^1]，跳到[上面](#第一段)。\n\n[^1]: 注释。\n";
    Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/_index.en.md", "+++\ntitle = \"November\"\nsummary = \"The November issue.\"\n+++\nIntro.\n"),
        (
            "content/2025-11/news/only-chinese.md",
            &entry(
                "只有中文的条目",
                "weight = 1\nsource = \"https://example.com/a\"\noriginal_title = \"Only Chinese\"",
                "中文正文。",
            ),
        ),
        ("content/2025-11/news/both.md", &entry("两种语言", "weight = 2\nsource = \"https://example.com/b\"", body)),
        ("content/2025-11/news/both.en.md", &entry("Both languages", "", &body.replace("第一段", "First"))),
    ])
}

#[test]
fn an_untranslated_entry_appears_in_its_own_language_marked_in_every_edition() {
    let f = fallback_site();
    let note = "This entry is not translated yet";
    let run = |format: &str| {
        let r = digest(f.root(), &["export", "2025-11", "--format", format, "--lang", "en", "--full"]);
        assert_eq!(r.status, 0, "{format}: {}", r.stderr);
        r.stdout
    };
    for format in ["email", "wechat"] {
        let doc = Html::parse_document(&run(format));
        let h3 = doc.select(&sel("h3")).find(|h| text_of(*h).contains("只有中文的条目")).expect("the fallback entry");
        let entry = h3.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().attr("lang").is_some()).unwrap();
        assert_eq!(entry.value().attr("lang"), Some("zh"), "{format}");
        let marked = entry.select(&sel("p")).any(|p| text_of(p).contains(note));
        assert!(marked, "{format}: not marked untranslated");
        let translated = doc.select(&sel("h3")).any(|h| text_of(h).contains("Both languages"));
        assert!(translated, "{format}: the translated entry is in English");
    }
    let text = run("text");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("1. 只有中文的条目")).expect("the fallback entry");
    assert!(lines[at + 1].starts_with(&format!("({note}")), "{}", lines[at + 1]);
    assert!(lines.iter().any(|l| l.starts_with("2. Both languages")));

    let md = run("markdown");
    let (headings, _) = parse_markdown(&md);
    let titles: Vec<&str> = headings.iter().filter(|h| h.0 == 3).map(|h| strip_number(&h.1)).collect();
    assert_eq!(titles, ["只有中文的条目", "Both languages"]);
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut emphasis = Vec::new();
    let mut inside = false;
    for event in Parser::new(&md) {
        match event {
            Event::Start(Tag::Emphasis) => inside = true,
            Event::End(TagEnd::Emphasis) => inside = false,
            Event::Text(t) if inside => emphasis.push(t.to_string()),
            _ => {}
        }
    }
    assert!(emphasis.iter().any(|e| e.starts_with(note)), "{emphasis:?}");
}

#[test]
fn wechat_keeps_code_lines_wraps_tables_and_list_items_and_drops_in_page_links() {
    let f = fallback_site();
    let r = digest(f.root(), &["export", "2025-11", "--format", "wechat", "--full"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let doc = check_wechat(&r.stdout, "zh");
    let code = doc.select(&sel("pre code")).next().expect("a code block");
    assert!(code.select(&sel("br")).count() >= 2, "{}", code.html());
    assert!(code.inner_html().contains("&nbsp;&nbsp;&nbsp;&nbsp;let"), "{}", code.inner_html());
    let table = doc.select(&sel("table")).next().unwrap();
    let wrapper = table.parent().and_then(ElementRef::wrap).unwrap();
    assert_eq!(wrapper.value().name(), "section");
    assert!(wrapper.value().attr("style").unwrap().contains("overflow-x:auto"));
    let kept: Vec<&str> = doc.select(&sel("a[href]")).map(|a| a.value().attr("href").unwrap()).collect();
    assert_eq!(kept, ["https://mp.weixin.qq.com/s/abc"]);
    let refs: Vec<String> = wechat_references(&doc).into_iter().map(|r| r.1).collect();
    assert!(refs.contains(&"https://docs.example.com/".to_string()));
    assert!(refs.iter().all(|u| !u.contains('#')), "in-page links are no references: {refs:?}");
}

#[test]
fn email_and_markdown_make_in_page_anchors_absolute() {
    let f = fallback_site();
    for format in ["email", "markdown"] {
        let r = digest(f.root(), &["export", "2025-11", "--format", format, "--full"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        let links = if format == "email" {
            hrefs_and_srcs(&Html::parse_document(&r.stdout))
        } else {
            parse_markdown(&r.stdout).1
        };
        assert!(links.iter().all(|l| is_absolute(l)), "{format}: {links:?}");
        assert!(links.iter().any(|l| l.starts_with("https://example.org/2025-11/#news-both-")), "{format}: {links:?}");
    }
}

#[test]
fn output_file_is_written_whole() {
    let f = fallback_site();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("issue.md");
    std::fs::write(&out, "old").unwrap();
    let r = digest(f.root(), &["export", "2025-11", "--format", "markdown", "--output", out.to_str().unwrap()]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("# 十一月"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn bad_input_is_reported_with_a_location_and_a_hint() {
    let f = fallback_site();
    let r = digest(f.root(), &["export", "2030-01", "--format", "email"]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("content/2030-01:1:1: error: no published issue 2030-01"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: issues are: 2025-11"), "{}", r.stderr);

    let r = digest(f.root(), &["export", "2025-11", "--format", "text", "--lang", "fr"]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    let line = r.stderr.lines().next().unwrap();
    assert!(line.starts_with("config.toml:") && line.contains(": error: language \"fr\" is not configured"), "{line}");
    let (_, rest) = line.split_once(':').unwrap();
    let (l, rest) = rest.split_once(':').unwrap();
    assert!(l.parse::<usize>().unwrap() > 1 && rest.starts_with("1:"), "{line}");
    assert!(r.stderr.contains("hint: languages are: zh, en"), "{}", r.stderr);

    f.write("content/2025-12/_index.md", "+++\ntitle = \"x\"\ndate = 2025-12-31\ndraft = true\n+++\n");
    let r = digest(f.root(), &["export", "2025-12", "--format", "email"]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.contains("hint: the issue is a draft"), "{}", r.stderr);

    for args in [&["export", "2025-11", "--format", "pdf"][..], &["export", "2025-13", "--format", "text"][..]] {
        let r = digest(f.root(), args);
        assert_eq!(r.status, 2, "{args:?}: a usage error\n{}", r.stderr);
    }
}

#[test]
fn a_site_overrides_an_edition_template() {
    let f = fallback_site();
    f.write("templates/export/issue.md", "# {{ issue.title }} ({{ format }})\n{% for g in groups %}{% for e in g.entries %}- {{ e.title }}\n{% endfor %}{% endfor %}");
    let r = digest(f.root(), &["export", "2025-11", "--format", "markdown"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "# 十一月 (markdown)\n- 只有中文的条目\n- 两种语言\n");
}

#[test]
fn the_pages_workflow_builds_with_the_lock_file_and_deploys() {
    let text = std::fs::read_to_string(Path::new(SAMPLE).join(".github/workflows/pages.yml")).unwrap();
    let y: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
    let jobs = y.get("jobs").expect("jobs");
    let build = jobs.get("build").expect("a build job");
    let deploy = jobs.get("deploy").expect("a deploy job");
    let uses = |job: &serde_yaml_ng::Value| -> Vec<String> {
        job.get("steps")
            .and_then(|s| s.as_sequence())
            .unwrap()
            .iter()
            .filter_map(|s| s.get("uses").and_then(|u| u.as_str()).map(str::to_string))
            .collect()
    };
    let runs: Vec<String> = build
        .get("steps")
        .and_then(|s| s.as_sequence())
        .unwrap()
        .iter()
        .filter_map(|s| s.get("run").and_then(|u| u.as_str()).map(str::to_string))
        .collect();
    assert!(runs.iter().any(|r| r.contains("--locked")), "the build uses Cargo.lock: {runs:?}");
    assert!(uses(build).iter().any(|u| u.starts_with("actions/upload-pages-artifact@")));
    assert!(uses(deploy).iter().any(|u| u.starts_with("actions/deploy-pages@")));
    let needs = deploy.get("needs").unwrap();
    assert!(
        needs.as_str() == Some("build")
            || needs.as_sequence().is_some_and(|s| s.iter().any(|n| n.as_str() == Some("build")))
    );
    let perms = y.get("permissions").or_else(|| deploy.get("permissions")).expect("permissions");
    assert_eq!(perms.get("pages").and_then(|p| p.as_str()), Some("write"));
    assert_eq!(perms.get("id-token").and_then(|p| p.as_str()), Some("write"));
    assert_eq!(deploy.get("environment").and_then(|e| e.get("name")).and_then(|n| n.as_str()), Some("github-pages"));
}

#[test]
fn text_marks_footnotes_at_the_word_and_lists_them_after_the_entry() {
    let note = "API 终于稳定[^1]。\n\n第二段。\n\n[^1]: 见 [发布说明](https://b.org/)。";
    let f = Fixture::new(&[
        ("content/2025-11/_index.md", &issue("十一月", "2025-11-30")),
        ("content/2025-11/news/a.md", &entry("甲", "weight = 1", note)),
        ("content/2025-11/news/b.md", &entry("乙", "weight = 2", "乙的正文。")),
    ]);
    let run = digest(f.root(), &["export", "2025-11", "--format", "text", "--full"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let text = &run.stdout;
    let a = &text[text.find("1. 甲").unwrap()..text.find("2. 乙").unwrap()];
    assert_eq!(
        a,
        "1. 甲 [2]\n\nAPI 终于稳定[^1]。\n\n第二段。\n\n[^1]: 见 发布说明[3]。\n\n阅读全文：[2]\n\n\
         [2] https://example.org/2025-11/news/a/\n[3] https://b.org/\n\n"
    );
    // No stray number of the note's link back to its call, no reference for the call itself.
    assert!(!text.lines().any(|l| l.starts_with("1 [")), "{text}");
    assert!(!text.contains("#news-a-fn") && !text.contains("fnref"), "{text}");
}
