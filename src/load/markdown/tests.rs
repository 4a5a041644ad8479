//! Tests of the Markdown renderer.
use super::*;

fn md(s: &str) -> Rendered {
    render(s, &Options::default()).unwrap()
}

#[test]
fn heading_ids_keep_chinese_and_are_unique() {
    let r = md("## 简介\n\n## 简介\n\n### Backend TLS 策略\n");
    assert!(r.html.contains("<h2 id=\"简介\">简介</h2>"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"简介-1\">"), "{}", r.html);
    assert!(r.html.contains("<h3 id=\"backend-tls-策略\">"), "{}", r.html);
    assert_eq!(r.toc.len(), 3);
    assert_eq!(r.toc[2].title, "Backend TLS 策略");
}

#[test]
fn ids_are_prefixed() {
    let r = render("## A\n\nx[^1]\n\n[^1]: note\n", &Options { id_prefix: "e-", ..Default::default() }).unwrap();
    assert!(r.html.contains("id=\"e-a\""), "{}", r.html);
    assert!(r.html.contains("href=\"#e-fn-1\" id=\"e-fnref-1\""), "{}", r.html);
    assert!(r.html.contains("id=\"e-fn-1\""), "{}", r.html);
}

#[test]
fn external_links_get_rel_and_unsafe_schemes_are_dropped() {
    let r = md("[a](https://x.org/?a=1&b=2) [b](/2025-11/) [c](javascript:alert(1))");
    assert!(r.html.contains("<a href=\"https://x.org/?a=1&amp;b=2\" rel=\"noopener noreferrer\">a</a>"), "{}", r.html);
    assert!(r.html.contains("<a href=\"/2025-11/\">b</a>"), "{}", r.html);
    assert!(r.html.contains("<a href=\"#\">c</a>"), "{}", r.html);
}

#[test]
fn anchors_and_relative_links_work_on_every_page() {
    let resolve = |link: &str| format!("/sub/2025-11/news/{link}");
    let opts = Options { id_prefix: "news-x-", base_path: "/sub", relative: Some(&resolve), ..Default::default() };
    let r = render("[up](#简介) [top](#elsewhere) ![d](diagram.png) [m](mailto:a@b.org)\n\n## 简介\n", &opts).unwrap();
    assert!(r.html.contains("href=\"#news-x-%E7%AE%80%E4%BB%8B\""), "{}", r.html);
    assert!(r.html.contains("href=\"#elsewhere\""), "{}", r.html);
    assert!(r.html.contains("src=\"/sub/2025-11/news/diagram.png\""), "{}", r.html);
    assert!(r.html.contains("href=\"mailto:a@b.org\""), "{}", r.html);
}

#[test]
fn base_path_prefixes_root_links() {
    let r = render("[b](/2025-11/) ![i](/img.png)", &Options { base_path: "/sub", ..Default::default() }).unwrap();
    assert!(r.html.contains("href=\"/sub/2025-11/\""), "{}", r.html);
    assert!(r.html.contains("src=\"/sub/img.png\""), "{}", r.html);
}

#[test]
fn raw_html_is_text_unless_allowed() {
    let r = md("<script>alert(1)</script>\n\nhi <b>x</b>");
    assert!(!r.html.contains("<script>"), "{}", r.html);
    assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
    let r = render("hi <b>x</b>", &Options { allow_html: true, ..Default::default() }).unwrap();
    assert!(r.html.contains("<b>x</b>"));
}

#[test]
fn summary_is_first_paragraph_or_up_to_more() {
    let r = md("# T\n\nFirst *para*.\n\nSecond.\n");
    assert_eq!(r.summary_html, "<p>First <em>para</em>.</p>\n");
    assert_eq!(r.summary_text, "First para.");
    let r = md("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n");
    assert_eq!(r.summary_html, "<p>One.</p>\n<p>Two.</p>\n");
    assert!(!r.html.contains("more"));
}

#[test]
fn extensions() {
    let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n- [ ] todo\n");
    let expected = "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n\
        <p><del>x</del></p>\n\
        <ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>\n\
        <li><input disabled=\"\" type=\"checkbox\"/>\ntodo</li>\n</ul>\n";
    assert_eq!(r.html, expected);
}

#[test]
fn nesting_is_limited_and_located() {
    let ok = ">".repeat(MAX_NESTING - 1) + " x";
    assert!(render(&ok, &Options::default()).is_ok());
    let deep = format!("intro\n\n{} x", ">".repeat(50_000));
    assert_eq!(render(&deep, &Options::default()), Err(TooDeep { offset: 7 + MAX_NESTING }));
    let list = "- ".repeat(100_000) + "x";
    let at = render(&list, &Options::default()).unwrap_err().offset;
    assert_eq!(at, MAX_NESTING, "the list opened at the 65th `- `");
}

#[test]
fn footnote_references_stay_out_of_the_summary() {
    let r = md("Claim[^a] here.\n\n[^a]: Proof.\n");
    assert_eq!(r.summary_html, "<p>Claim here.</p>\n");
    assert!(r.html.contains("class=\"footnote-ref\""), "{}", r.html);
}
