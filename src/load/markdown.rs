//! Load stage: Markdown to HTML with heading ids, safe links, footnotes and a summary.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options as CmarkOptions, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};
use std::collections::HashMap;

use crate::site::slug::slugify;
use crate::site::{Heading, Rendered};

mod images;

/// Where a relative link written in a document leads (a root-relative link with the base path).
pub type Resolve<'a> = &'a (dyn Fn(&str) -> String + Sync);

/// How to render one Markdown document.
#[derive(Clone, Default)]
pub struct Options<'a> {
    /// Prepended to every id (headings, footnotes), so documents shown on one page never clash.
    pub id_prefix: &'a str,
    /// The site's base path, prepended to root-relative links (`/2025-11/` → `/sub/2025-11/`).
    pub base_path: &'a str,
    /// Resolves relative links (`diagram.png`, `../news/x/`) from the file's folder and in its
    /// language, so that they work on every page that shows the text; kept as written without.
    pub relative: Option<Resolve<'a>>,
    /// Pass raw HTML through; otherwise it is shown as text.
    pub allow_html: bool,
}

const MORE: &str = "<!-- more -->";

/// The Markdown extensions of the content format, for every stage that parses a body.
pub fn parser_options() -> CmarkOptions {
    CmarkOptions::ENABLE_TABLES
        | CmarkOptions::ENABLE_FOOTNOTES
        | CmarkOptions::ENABLE_STRIKETHROUGH
        | CmarkOptions::ENABLE_TASKLISTS
        | CmarkOptions::ENABLE_HEADING_ATTRIBUTES
}

/// How many elements (block quotes, lists and their items, emphasis, links…) may be open at once
/// in a Markdown text. No newsletter entry nests ten; a page nested thousands deep is one no
/// browser builds as written (Blink stops at 512) and that every later reader of the page
/// (`check`, the search index, `export`) would walk.
pub const MAX_NESTING: usize = 128;

/// A Markdown text nested deeper than [`MAX_NESTING`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset in the Markdown of the element opened past the limit.
    pub offset: usize,
}

/// Renders Markdown to HTML; refuses a text nested deeper than [`MAX_NESTING`].
pub fn render(markdown: &str, opts: &Options) -> Result<Rendered, TooDeep> {
    let mut depth = 0usize;
    let mut too_deep = None;
    let events: Vec<Event> = Parser::new_ext(markdown, parser_options())
        .enumerate()
        .map(|(i, e)| {
            match &e {
                Event::Start(_) => {
                    depth += 1;
                    if depth > MAX_NESTING && too_deep.is_none() {
                        too_deep = Some(i);
                    }
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            e
        })
        .collect();
    if let Some(i) = too_deep {
        // Parsed again with offsets only here: the same events, in the same order.
        let offset = Parser::new_ext(markdown, parser_options()).into_offset_iter().nth(i).map_or(0, |(_, r)| r.start);
        return Err(TooDeep { offset });
    }
    let local_ids = local_ids(&events);
    let mut state = State {
        opts,
        ids: HashMap::new(),
        footnotes: HashMap::new(),
        toc: Vec::new(),
        local_ids,
        relative_links: Vec::new(),
    };
    let (events, summary_end) = state.transform(events);
    let summary_end = images::with_introduced_picture(&events, summary_end);

    // The summary first, from a copy of its few events; then the whole text consumes the rest.
    // Footnote references are left out of it: the notes they point at are not shown with it.
    let summary: Vec<Event> = events[summary_end].iter().filter(|e| !is_footnote_reference(e)).cloned().collect();
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary.iter().cloned());
    let summary_text = plain_text(&summary);
    let images = images::refs(&events, &state.relative_links);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, events.into_iter());
    Ok(Rendered { html, summary_html, summary_text, toc: state.toc, images, relative_links: state.relative_links })
}

const FOOTNOTE_REF: &str = "<sup class=\"footnote-ref\">";

fn is_footnote_reference(e: &Event) -> bool {
    matches!(e, Event::InlineHtml(h) if h.starts_with(FOOTNOTE_REF))
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
    /// Relative links as resolved and as written ([`Rendered::relative_links`]).
    relative_links: Vec<(String, String)>,
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

/// Where the summary ends, found while the events are rewritten.
#[derive(Default)]
struct SummaryMarks {
    /// Position in the output of a top-level `<!-- more -->` line.
    more_at: Option<usize>,
    first_paragraph: Option<std::ops::Range<usize>>,
    paragraph_start: Option<usize>,
    /// Nesting depth of the current event.
    depth: usize,
}

impl SummaryMarks {
    fn range(&self) -> std::ops::Range<usize> {
        match self.more_at {
            Some(end) => 0..end,
            None => self.first_paragraph.clone().unwrap_or(0..0),
        }
    }

    /// Follows the nesting of a passing event to find the first top-level paragraph.
    fn track(&mut self, event: &Event, out_len: usize) {
        match event {
            Event::Start(tag) => {
                if self.depth == 0 && matches!(tag, Tag::Paragraph) && self.first_paragraph.is_none() {
                    self.paragraph_start = Some(out_len);
                }
                self.depth += 1;
            }
            Event::End(tag) => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 && matches!(tag, TagEnd::Paragraph) && self.first_paragraph.is_none() {
                    if let Some(start) = self.paragraph_start.take() {
                        self.first_paragraph = Some(start..out_len + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> State<'_, '_> {
    /// Rewrites headings, links, footnotes and raw HTML; returns the events and the summary's range.
    fn transform(&mut self, events: Vec<Event<'a>>) -> (Vec<Event<'a>>, std::ops::Range<usize>) {
        let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
        let mut marks = SummaryMarks::default();
        let mut iter = events.into_iter().peekable();
        while let Some(event) = iter.next() {
            let event = match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let inner: Vec<Event<'a>> =
                        iter.by_ref().take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_)))).collect();
                    self.heading(level, id, inner, &mut out);
                    continue;
                }
                Event::Start(Tag::Link { dest_url, title, .. }) => {
                    Event::InlineHtml(self.link_open(&dest_url, &title).into())
                }
                Event::End(TagEnd::Link) => Event::InlineHtml("</a>".into()),
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let event = Event::Start(Tag::Image { link_type, dest_url: self.rewrite_url(dest_url), title, id });
                    // Tracked like every other start: its end is, and an untracked start made the
                    // depth drift (found by fuzzing: an image in a footnote underflowed it, one in a
                    // block quote made a quoted paragraph the summary).
                    marks.track(&event, out.len());
                    event
                }
                Event::FootnoteReference(label) => Event::InlineHtml(self.footnote_reference(&label).into()),
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    marks.depth += 1;
                    Event::Html(self.footnote_definition(&label).into())
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    marks.depth -= 1;
                    Event::Html("</div>\n".into())
                }
                Event::Start(Tag::HtmlBlock)
                    if marks.depth == 0 && matches!(iter.peek(), Some(Event::Html(raw)) if raw.trim() == MORE) =>
                {
                    iter.next();
                    iter.next(); // End(HtmlBlock)
                    marks.more_at.get_or_insert(out.len());
                    continue;
                }
                Event::Html(raw) | Event::InlineHtml(raw) if !self.opts.allow_html => Event::Text(raw),
                event => {
                    marks.track(&event, out.len());
                    event
                }
            };
            out.push(event);
        }
        (out, marks.range())
    }

    /// A heading with its unique id, recorded in the table of contents when it is an h2 or h3.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        inner: Vec<Event<'a>>,
        out: &mut Vec<Event<'a>>,
    ) {
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
    }

    fn footnote_reference(&mut self, label: &str) -> String {
        let n = self.footnote_number(label);
        let key = slugify(label);
        let p = self.opts.id_prefix;
        format!("{FOOTNOTE_REF}<a href=\"#{p}fn-{key}\" id=\"{p}fnref-{key}\">{n}</a></sup>")
    }

    fn footnote_definition(&mut self, label: &str) -> String {
        let n = self.footnote_number(label);
        let key = slugify(label);
        let p = self.opts.id_prefix;
        format!(
            "<div class=\"footnote\" id=\"{p}fn-{key}\"><a class=\"footnote-back\" href=\"#{p}fnref-{key}\">{n}</a>"
        )
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

    fn rewrite_url(&mut self, url: CowStr<'a>) -> CowStr<'a> {
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
        } else if url.contains(':') || url.starts_with("//") || url.starts_with('?') || url.is_empty() {
            url
        } else if let Some(resolve) = self.opts.relative {
            let resolved = resolve(&url);
            self.relative_links.push((resolved.clone(), url.to_string()));
            resolved.into()
        } else {
            url
        }
    }

    fn link_open(&mut self, dest: &CowStr<'a>, title: &str) -> String {
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

#[cfg(test)]
mod tests;
