//! Fetch stage: turning a feed item's untrusted HTML into a short, safe Markdown excerpt.
//!
//! Three steps: ammonia keeps a few harmless tags (and drops scripts with their content),
//! htmd converts what is left to Markdown, and a last pass over the Markdown escapes
//! anything the site's renderer would still read as raw HTML.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use pulldown_cmark::{Event, Parser, Tag};

/// Excerpts stop at the first block boundary past this many characters.
const MAX_CHARS: usize = 1500;

/// Tags whose meaning survives into Markdown; all others are unwrapped to their text.
const KEPT_TAGS: &[&str] =
    &["p", "br", "a", "strong", "b", "em", "i", "code", "pre", "ul", "ol", "li", "blockquote", "hr"];

/// Tags removed together with their content.
const DROPPED_TAGS: &[&str] =
    &["script", "style", "iframe", "noscript", "template", "svg", "math", "object", "embed", "head", "title"];

/// Elements nested deeper than this in the sanitised HTML lose their tags (their text stays)
/// before htmd, whose walker recurses once per level: 100,000 levels overflowed the stack,
/// which aborts the process.
const MAX_DEPTH: usize = 32;

/// HTML nesting deeper than this (as estimated by [`probe`]) is read as text only: the HTML
/// parser's time grows with the square of some nestings (100,000 `<div>`s took minutes).
const MAX_INPUT_DEPTH: usize = 256;

/// Converts an HTML fragment to a Markdown excerpt holding no raw HTML.
/// Relative links are resolved against `base` (the item's link) or dropped without one.
pub fn from_html(html: &str, base: Option<&str>) -> String {
    if let Some(text) = probe(html) {
        return from_text(&text, base);
    }
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
    let markdown = htmd::convert(&within_depth(&clean, MAX_DEPTH)).unwrap_or_default();
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

/// Elements whose end tag may be left out, and void elements: they do not count as nesting.
const UNNESTED: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb", "rt", "rp", "area",
    "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

/// Elements after which the text-only reading starts a new paragraph.
const BLOCKS: &[&str] = &["p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"];

/// Reads the tags of `html` in one pass (html5ever's tokenizer: linear time, no tree) and,
/// when elements nest deeper than [`MAX_INPUT_DEPTH`], returns its text alone (paragraphs
/// kept, the content of dropped tags left out). The estimate may run high, never low: an end
/// tag closes only an element open by that name, as the parser's does.
fn probe(html: &str) -> Option<String> {
    #[derive(Default)]
    struct Probe {
        open: RefCell<Vec<html5ever::LocalName>>,
        too_deep: Cell<bool>,
        dropped: Cell<usize>,
        text: RefCell<String>,
    }
    impl TokenSink for Probe {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                // Once too deep, only the text counts.
                Token::TagToken(tag) if self.too_deep.get() => {
                    let name: &str = &tag.name;
                    if DROPPED_TAGS.contains(&name) {
                        let dropped = self.dropped.get();
                        self.dropped.set(if tag.kind == TagKind::EndTag {
                            dropped.saturating_sub(1)
                        } else {
                            dropped + 1
                        });
                    }
                    if BLOCKS.contains(&name) {
                        self.text.borrow_mut().push_str("\n\n");
                    }
                }
                Token::TagToken(tag) => {
                    let name: &str = &tag.name;
                    let mut open = self.open.borrow_mut();
                    match tag.kind {
                        TagKind::StartTag if !tag.self_closing && !UNNESTED.contains(&name) => {
                            if open.len() >= MAX_INPUT_DEPTH {
                                self.too_deep.set(true);
                            } else {
                                open.push(tag.name.clone());
                            }
                            if DROPPED_TAGS.contains(&name) {
                                self.dropped.set(self.dropped.get() + 1);
                            }
                        }
                        TagKind::EndTag => {
                            if let Some(at) = open.iter().rposition(|n| *n == tag.name) {
                                open.truncate(at);
                            }
                            if DROPPED_TAGS.contains(&name) {
                                self.dropped.set(self.dropped.get().saturating_sub(1));
                            }
                        }
                        TagKind::StartTag => {}
                    }
                    if BLOCKS.contains(&name) {
                        self.text.borrow_mut().push_str("\n\n");
                    }
                }
                Token::CharacterTokens(t) if self.dropped.get() == 0 => self.text.borrow_mut().push_str(&t),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Probe::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.too_deep.get().then(|| tokenizer.sink.text.take())
}

/// The sanitised HTML with the tags of elements nested deeper than `max` removed, their text
/// kept. It reads ammonia's serialisation, where every `<` of text is escaped, so each `<`
/// starts a tag, and a `>` ends it outside a quoted attribute value.
fn within_depth(html: &str, max: usize) -> Cow<'_, str> {
    let mut out = String::new();
    // Per open element: whether its tags are kept.
    let mut open: Vec<bool> = Vec::new();
    let mut copied = 0;
    let mut changed = false;
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + at;
        let mut end = start + 1;
        let mut quoted = false;
        while end < bytes.len() && (quoted || bytes[end] != b'>') {
            quoted ^= bytes[end] == b'"';
            end += 1;
        }
        let end = (end + 1).min(bytes.len());
        let tag = &html[start..end];
        let name = tag.trim_start_matches(['<', '/']);
        let name = &name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())];
        let keep = if tag.starts_with("</") {
            open.pop().unwrap_or(false)
        } else if matches!(name, "br" | "hr") {
            open.len() < max
        } else {
            open.push(open.len() < max);
            *open.last().expect("just pushed")
        };
        if !keep {
            out.push_str(&html[copied..start]);
            copied = end;
            changed = true;
        }
        i = end;
    }
    if !changed {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
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
    fn deep_sanitised_html_loses_its_tags_beyond_the_bound() {
        let deep = format!("{}core{}", "<blockquote><b>".repeat(3), "</b></blockquote>".repeat(3));
        assert_eq!(within_depth(&deep, 6), deep, "within the bound: unchanged");
        assert_eq!(within_depth(&deep, 2), "<blockquote><b>core</b></blockquote>");
        // A `>` inside a quoted attribute value does not end the tag.
        let link = "<p><a href=\"https://x.example/?a=>&amp;b=&quot;\">a &gt; b</a><br>c</p>";
        assert_eq!(within_depth(link, 1), "<p>a &gt; bc</p>");
        assert_eq!(within_depth(link, 2), link);
    }

    #[test]
    fn deep_nesting_becomes_text_and_shallow_html_is_untouched() {
        for (open, close) in [("<div>", "</div>"), ("<blockquote>", "</blockquote>"), ("<ul><li>", "</li></ul>")] {
            let html = format!(
                "{}<p>core &amp; more</p>{}",
                open.repeat(MAX_INPUT_DEPTH + 1),
                close.repeat(MAX_INPUT_DEPTH + 1)
            );
            assert_eq!(
                probe(&html).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
                Some("core & more".into())
            );
            let md = from_html(&html, None);
            assert_eq!(md, "core & more");
        }
        // Stray end tags do not hide the depth; unclosed paragraphs and list items are no nesting.
        let stray = "<div></x>".repeat(MAX_INPUT_DEPTH + 1);
        assert!(probe(&stray).is_some());
        assert!(probe(&"<p>para".repeat(10_000)).is_none());
        assert!(probe(&format!("<ul>{}</ul>", "<li>item".repeat(10_000))).is_none());
        assert!(probe("<p>Gateway <strong>1.4</strong></p>").is_none());
    }

    #[test]
    fn deep_kept_tags_are_flattened_before_htmd() {
        // Deeper than htmd's walker survives on a test thread's stack, shallower than the probe.
        let html = format!("{}core{}", "<blockquote><em>".repeat(120), "</em></blockquote>".repeat(120));
        let md = from_html(&html, None);
        assert!(md.contains("core"), "{md}");
        assert!(md.matches('>').count() <= MAX_DEPTH, "{md}");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(from_html("<p>a\u{1}b\u{7}c</p>", None), "abc");
    }
}
