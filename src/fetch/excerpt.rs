//! Fetch stage: turning a feed item's untrusted HTML into a short, safe Markdown excerpt.
//!
//! Three steps: ammonia keeps a few harmless tags (and drops scripts with their content),
//! htmd converts what is left to Markdown, and a last pass over the Markdown escapes
//! anything the site's renderer would still read as raw HTML.

use std::collections::HashSet;

use pulldown_cmark::{Event, Parser, Tag};

/// Excerpts stop at the first block boundary past this many characters.
const MAX_CHARS: usize = 1500;

/// Tags whose meaning survives into Markdown; all others are unwrapped to their text.
const KEPT_TAGS: &[&str] =
    &["p", "br", "a", "strong", "b", "em", "i", "code", "pre", "ul", "ol", "li", "blockquote", "hr"];

/// Tags removed together with their content.
const DROPPED_TAGS: &[&str] =
    &["script", "style", "iframe", "noscript", "template", "svg", "math", "object", "embed", "head", "title"];

/// Converts an HTML fragment to a Markdown excerpt holding no raw HTML.
/// Relative links are resolved against `base` (the item's link) or dropped without one.
pub fn from_html(html: &str, base: Option<&str>) -> String {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(KEPT_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_TAGS.iter().copied().collect())
        .tag_attributes([("a", HashSet::from(["href"]))].into())
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(None)
        .strip_comments(true);
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base)),
        None => builder.url_relative(ammonia::UrlRelative::Deny),
    };
    let clean = builder.clean(html).to_string();
    let markdown = htmd::convert(&clean).unwrap_or_default();
    let markdown = crate::site::text::clean_text(&markdown);
    let safe = escape_raw_html(markdown.trim());
    shorten(&safe).trim().to_string()
}

/// Converts plain text (a `text/plain` summary) to a Markdown excerpt: paragraphs kept, markup inert.
pub fn from_text(text: &str, base: Option<&str>) -> String {
    let mut html = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        pulldown_cmark_escape::escape_html(&mut html, para).ok();
        html.push_str("</p>");
    }
    from_html(&html, base)
}

/// Backslash-escapes every `<` that starts raw HTML, until the Markdown parses without any.
fn escape_raw_html(markdown: &str) -> String {
    let mut text = markdown.to_string();
    // Escaping one construct can reveal another; a few rounds settle any input met in practice,
    // and the last resort below settles the rest.
    for _ in 0..4 {
        let mut at: Vec<usize> = Vec::new();
        for (event, range) in Parser::new(&text).into_offset_iter() {
            if let Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock) = event {
                at.extend(text[range.clone()].match_indices('<').map(|(i, _)| range.start + i));
            }
        }
        if at.is_empty() {
            return text;
        }
        at.sort_unstable();
        at.dedup();
        for i in at.into_iter().rev() {
            text.insert(i, '\\');
        }
    }
    text.replace('<', "&lt;")
}

/// Keeps whole top-level blocks up to about [`MAX_CHARS`] characters (always the first block).
fn shorten(markdown: &str) -> String {
    let mut end = 0;
    let mut depth = 0usize;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if end > 0 && markdown[..range.end].chars().count() > MAX_CHARS {
                        return format!("{}\n\n[…]", &markdown[..end]);
                    }
                    end = range.end;
                }
            }
            _ if depth == 0 => end = range.end,
            _ => {}
        }
    }
    markdown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_raw_html(md: &str) -> bool {
        Parser::new(md).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
    }

    #[test]
    fn paragraphs_links_and_emphasis_survive() {
        let md = from_html(
            r#"<p>Gateway API <strong>1.4</strong> is out. See <a href="/notes" onclick="x()">the notes</a>.</p><p>Second.</p>"#,
            Some("https://k8s.io/blog/post/"),
        );
        assert_eq!(md, "Gateway API **1.4** is out. See [the notes](https://k8s.io/notes).\n\nSecond.");
    }

    #[test]
    fn scripts_styles_and_handlers_are_gone() {
        let md = from_html(
            "<script>alert(1)</script><style>p{}</style><p onmouseover=\"x\">Hi<img src=x onerror=alert(2)></p>\
             <iframe src=\"https://evil\"></iframe><a href=\"javascript:alert(3)\">click</a>",
            None,
        );
        assert!(!md.contains("alert"), "{md}");
        assert!(!md.contains("javascript"), "{md}");
        assert!(md.contains("Hi"), "{md}");
        assert!(!has_raw_html(&md), "{md}");
    }

    #[test]
    fn escaped_markup_in_text_stays_text() {
        let md = from_html("<p>Use &lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;</p>", None);
        assert!(!has_raw_html(&md), "{md}");
        let html = crate::load::markdown::render(&md, &crate::load::markdown::Options::default()).unwrap().html;
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn plain_text_is_escaped() {
        let md = from_text("a <div>\n\n*b* & <!-- c -->", None);
        assert!(!has_raw_html(&md), "{md}");
        assert_eq!(md, "a \\<div>\n\n\\*b\\* & \\<!-- c -->");
    }

    #[test]
    fn raw_html_pass_escapes_blocks_and_inline() {
        let md = escape_raw_html("<div>\nx\n</div>\n\ntext <span>y</span> <!-- z -->");
        assert!(!has_raw_html(&md), "{md}");
    }

    #[test]
    fn long_excerpts_stop_at_a_block() {
        let para = "word ".repeat(100);
        let html: String = (0..10).map(|_| format!("<p>{para}</p>")).collect();
        let md = from_html(&html, None);
        assert!(md.chars().count() < MAX_CHARS + 600, "{}", md.len());
        assert!(md.ends_with("[…]"), "{md}");
        // Whole paragraphs only: a multiple of the 100 words of one, and at least one.
        let words = md.matches("word").count();
        assert!(words >= 100 && words % 100 == 0, "{words} words");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(from_html("<p>a\u{1}b\u{7}c</p>", None), "abc");
    }
}
