//! Render stage helper: Markdown to HTML with heading ids, safe links, footnotes and a summary.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options as CmarkOptions, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};
use std::collections::HashMap;

use crate::slug::slugify;

/// How to render one Markdown document.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// Prepended to every id (headings, footnotes), so documents shown on one page never clash.
    pub id_prefix: &'a str,
    /// The site's base path, prepended to root-relative links (`/2025-11/` → `/sub/2025-11/`).
    pub base_path: &'a str,
    /// The site folder of the Markdown file (`/2025-11/releases/`): relative links such as
    /// `diagram.png` resolve against it, so they work on every page that shows the text.
    pub dir: &'a str,
    /// Pass raw HTML through; otherwise it is shown as text.
    pub allow_html: bool,
}

/// A heading, for tables of contents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// The rendered document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// The part up to a `<!-- more -->` line, or else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text on one line.
    pub summary_text: String,
    pub toc: Vec<Heading>,
}

const MORE: &str = "<!-- more -->";

/// Renders Markdown to HTML.
pub fn render(markdown: &str, opts: &Options) -> Rendered {
    let mut cmark = CmarkOptions::empty();
    cmark.insert(CmarkOptions::ENABLE_TABLES);
    cmark.insert(CmarkOptions::ENABLE_FOOTNOTES);
    cmark.insert(CmarkOptions::ENABLE_STRIKETHROUGH);
    cmark.insert(CmarkOptions::ENABLE_TASKLISTS);
    cmark.insert(CmarkOptions::ENABLE_HEADING_ATTRIBUTES);

    let events: Vec<Event> = Parser::new_ext(markdown, cmark).collect();
    let local_ids = local_ids(&events);
    let mut state = State { opts, ids: HashMap::new(), footnotes: HashMap::new(), toc: Vec::new(), local_ids };
    let (events, summary_end) = state.transform(events);

    // The summary first, from a copy of its few events; then the whole text consumes the rest.
    let summary = &events[summary_end.clone()];
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary.iter().cloned());
    let summary_text = plain_text(summary);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, events.into_iter());
    Rendered { html, summary_html, summary_text, toc: state.toc }
}

struct State<'o, 'p> {
    opts: &'o Options<'p>,
    /// How often each heading id was used, to make repeats unique.
    ids: HashMap<String, usize>,
    /// Footnote labels in order of first reference.
    footnotes: HashMap<String, usize>,
    toc: Vec<Heading>,
    /// Heading ids of this document before prefixing, so `#anchor` links can be prefixed too.
    local_ids: std::collections::HashSet<String>,
}

/// The ids headings of a document will get (without prefix), found before rendering so that
/// links may point forward.
fn local_ids(events: &[Event]) -> std::collections::HashSet<String> {
    let mut ids = std::collections::HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, .. }) = &events[i] {
            let end = events[i..].iter().position(|e| matches!(e, Event::End(TagEnd::Heading(_)))).map_or(i, |p| i + p);
            let base = id.as_ref().map_or_else(|| slugify(&plain_text(&events[i + 1..end])), |id| id.to_string());
            for n in 0..8 {
                ids.insert(if n == 0 { base.clone() } else { format!("{base}-{n}") });
            }
            i = end;
        }
        i += 1;
    }
    ids
}

impl<'a> State<'_, '_> {
    /// Rewrites headings, links, footnotes and raw HTML; returns the events and the summary's range.
    fn transform(&mut self, events: Vec<Event<'a>>) -> (Vec<Event<'a>>, std::ops::Range<usize>) {
        let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
        let mut more_at = None;
        let mut first_paragraph: Option<std::ops::Range<usize>> = None;
        let mut paragraph_start = None;
        let mut depth = 0usize;
        let mut iter = events.into_iter().peekable();
        while let Some(event) = iter.next() {
            match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let mut inner = Vec::new();
                    for e in iter.by_ref() {
                        if matches!(e, Event::End(TagEnd::Heading(_))) {
                            break;
                        }
                        inner.push(e);
                    }
                    let title = plain_text(&inner);
                    let id = self.unique_id(id.map_or_else(|| slugify(&title), |i| i.to_string()));
                    let n = heading_number(level);
                    if (2..=3).contains(&n) {
                        self.toc.push(Heading { level: n, id: id.clone(), title });
                    }
                    let mut open = format!("<h{n} id=\"");
                    escape_html(&mut open, &id).ok();
                    open.push_str("\">");
                    out.push(Event::Html(open.into()));
                    let inner = self.transform(inner).0;
                    out.extend(inner);
                    out.push(Event::Html(format!("</h{n}>\n").into()));
                    continue;
                }
                Event::Start(Tag::Link { dest_url, title, .. }) => {
                    out.push(Event::InlineHtml(self.link_open(&dest_url, &title).into()));
                    continue;
                }
                Event::End(TagEnd::Link) => {
                    out.push(Event::InlineHtml("</a>".into()));
                    continue;
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let dest_url = self.rewrite_url(dest_url);
                    out.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                    continue;
                }
                Event::FootnoteReference(label) => {
                    let n = self.footnote_number(&label);
                    let key = slugify(&label);
                    let p = self.opts.id_prefix;
                    out.push(Event::InlineHtml(
                        format!(
                            "<sup class=\"footnote-ref\"><a href=\"#{p}fn-{key}\" id=\"{p}fnref-{key}\">{n}</a></sup>"
                        )
                        .into(),
                    ));
                    continue;
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let n = self.footnote_number(&label);
                    let key = slugify(&label);
                    let p = self.opts.id_prefix;
                    out.push(Event::Html(
                        format!(
                            "<div class=\"footnote\" id=\"{p}fn-{key}\"><a class=\"footnote-back\" href=\"#{p}fnref-{key}\">{n}</a>"
                        )
                        .into(),
                    ));
                    depth += 1;
                    continue;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    out.push(Event::Html("</div>\n".into()));
                    depth -= 1;
                    continue;
                }
                Event::Start(Tag::HtmlBlock)
                    if depth == 0 && matches!(iter.peek(), Some(Event::Html(raw)) if raw.trim() == MORE) =>
                {
                    iter.next();
                    iter.next(); // End(HtmlBlock)
                    more_at.get_or_insert(out.len());
                    continue;
                }
                Event::Html(raw) | Event::InlineHtml(raw) if !self.opts.allow_html => {
                    out.push(Event::Text(raw));
                    continue;
                }
                Event::Start(ref tag) => {
                    if depth == 0 && matches!(tag, Tag::Paragraph) && first_paragraph.is_none() {
                        paragraph_start = Some(out.len());
                    }
                    depth += 1;
                }
                Event::End(ref tag) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && matches!(tag, TagEnd::Paragraph) && first_paragraph.is_none() {
                        if let Some(start) = paragraph_start.take() {
                            first_paragraph = Some(start..out.len() + 1);
                        }
                    }
                }
                _ => {}
            }
            out.push(event);
        }
        let summary = match more_at {
            Some(end) => 0..end,
            None => first_paragraph.unwrap_or(0..0),
        };
        (out, summary)
    }

    fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_string() } else { base };
        let n = self.ids.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 { base } else { format!("{base}-{}", *n - 1) };
        format!("{}{id}", self.opts.id_prefix)
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_string()).or_insert(next)
    }

    fn rewrite_url(&self, url: CowStr<'a>) -> CowStr<'a> {
        if url.starts_with('/') && !url.starts_with("//") {
            if self.opts.base_path.is_empty() { url } else { format!("{}{}", self.opts.base_path, url).into() }
        } else if let Some(fragment) = url.strip_prefix('#') {
            if !self.opts.id_prefix.is_empty() && self.local_ids.contains(fragment) {
                format!("#{}{fragment}", self.opts.id_prefix).into()
            } else {
                url
            }
        } else if has_unsafe_scheme(&url) {
            "#".into()
        } else if !self.opts.dir.is_empty() && !url.contains(':') && !url.starts_with("//") && !url.starts_with('?') {
            format!("{}{}{}", self.opts.base_path, self.opts.dir, url).into()
        } else {
            url
        }
    }

    fn link_open(&self, dest: &CowStr<'a>, title: &str) -> String {
        let url = self.rewrite_url(dest.clone());
        let mut s = String::from("<a href=\"");
        escape_href(&mut s, &url).ok();
        s.push('"');
        if !title.is_empty() {
            s.push_str(" title=\"");
            escape_html(&mut s, title).ok();
            s.push('"');
        }
        if is_external(&url) {
            s.push_str(" rel=\"noopener noreferrer\"");
        }
        s.push('>');
        s
    }
}

/// Whether a link leaves the site (an absolute http(s) or protocol-relative URL).
pub fn is_external(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with("//")
}

/// Schemes that run code or read local files are never linked.
fn has_unsafe_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else { return false };
    let scheme = &url[..colon];
    if scheme.contains(['/', '?', '#']) {
        return false;
    }
    let scheme = scheme.trim().to_ascii_lowercase();
    !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The text of events, whitespace collapsed, for titles and summaries.
fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => s.push(' '),
            _ => {}
        }
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Renders a short inline Markdown text (such as an editor's note) the same way.
pub fn render_inline(markdown: &str, opts: &Options) -> String {
    render(markdown, opts).html
}

/// Makes root-relative `href` and `src` attributes absolute, for feeds and e-mail.
///
/// One pass over the text: finds each `="/` and looks back for the attribute name (searching for
/// both attribute patterns separately rescanned the rest of the text at every match: quadratic).
pub fn absolutize(html: &str, origin: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    let mut from = 0;
    let finder = memchr::memmem::Finder::new("=\"/");
    while let Some(i) = finder.find(&html.as_bytes()[from..]).map(|i| from + i) {
        let slash = i + 2;
        from = slash + 1;
        let attribute = html[..i].ends_with("href") || html[..i].ends_with("src");
        if attribute && !html[from..].starts_with('/') {
            out.push_str(&html[copied..slash]);
            out.push_str(origin);
            copied = slash;
        }
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(s: &str) -> Rendered {
        render(s, &Options::default())
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
        let r = render("## A\n\nx[^1]\n\n[^1]: note\n", &Options { id_prefix: "e-", ..Default::default() });
        assert!(r.html.contains("id=\"e-a\""), "{}", r.html);
        assert!(r.html.contains("href=\"#e-fn-1\" id=\"e-fnref-1\""), "{}", r.html);
        assert!(r.html.contains("id=\"e-fn-1\""), "{}", r.html);
    }

    #[test]
    fn external_links_get_rel_and_unsafe_schemes_are_dropped() {
        let r = md("[a](https://x.org/?a=1&b=2) [b](/2025-11/) [c](javascript:alert(1))");
        assert!(
            r.html.contains("<a href=\"https://x.org/?a=1&amp;b=2\" rel=\"noopener noreferrer\">a</a>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<a href=\"/2025-11/\">b</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"#\">c</a>"), "{}", r.html);
    }

    #[test]
    fn anchors_and_relative_links_work_on_every_page() {
        let opts = Options { id_prefix: "news-x-", base_path: "/sub", dir: "/2025-11/news/", ..Default::default() };
        let r = render("[up](#简介) [top](#elsewhere) ![d](diagram.png) [m](mailto:a@b.org)\n\n## 简介\n", &opts);
        assert!(r.html.contains("href=\"#news-x-%E7%AE%80%E4%BB%8B\""), "{}", r.html);
        assert!(r.html.contains("href=\"#elsewhere\""), "{}", r.html);
        assert!(r.html.contains("src=\"/sub/2025-11/news/diagram.png\""), "{}", r.html);
        assert!(r.html.contains("href=\"mailto:a@b.org\""), "{}", r.html);
    }

    #[test]
    fn base_path_prefixes_root_links() {
        let r = render("[b](/2025-11/) ![i](/img.png)", &Options { base_path: "/sub", ..Default::default() });
        assert!(r.html.contains("href=\"/sub/2025-11/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/sub/img.png\""), "{}", r.html);
    }

    #[test]
    fn raw_html_is_text_unless_allowed() {
        let r = md("<script>alert(1)</script>\n\nhi <b>x</b>");
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        let r = render("hi <b>x</b>", &Options { allow_html: true, ..Default::default() });
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
        let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains("checkbox"));
    }

    #[test]
    fn absolutize_links() {
        let h = absolutize("<a href=\"/a/\">x</a><img src=\"/b.png\"><a href=\"//c\">", "https://e.org");
        assert_eq!(h, "<a href=\"https://e.org/a/\">x</a><img src=\"https://e.org/b.png\"><a href=\"//c\">");
        let h = absolutize("<p data=\"/x\">src=\"/\"</p><a href=\"/\"><a href=\"//x\">", "https://e.org");
        assert_eq!(h, "<p data=\"/x\">src=\"https://e.org/\"</p><a href=\"https://e.org/\"><a href=\"//x\">");
        assert_eq!(absolutize("", "https://e.org"), "");
        assert_eq!(absolutize("href=\"/", "o"), "href=\"o/");
    }
}
