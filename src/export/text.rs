//! Export stage: the plain-text edition, the `text/plain` part of the email: HTML content turned
//! into text with every link a numbered reference, then lines wrapped at 72 columns.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

use super::refs::Refs;
use super::wrap::{NO_WRAP, wrap};

/// The width the text edition is wrapped at, in columns (CJK characters count as two).
pub const WIDTH: usize = 72;

/// An HTML fragment as plain text: paragraphs separated by a blank line, lists with `- ` or
/// `1. `, quotes with `> `, preformatted lines kept (and never wrapped), table rows with ` | `
/// between cells; every link's text followed by its reference number `[n]` from `refs`.
/// Footnotes: `[^1]` against the word that calls them (no reference number: `[n]` are links),
/// and the notes, `[^1]: text`, after all the rest.
pub fn from_html(html: &str, refs: &mut Refs) -> String {
    let doc = Html::parse_fragment(html);
    let mut t = Text {
        refs,
        blocks: Vec::new(),
        line: String::new(),
        lists: Vec::new(),
        quote: 0,
        marker: None,
        notes: Vec::new(),
    };
    for child in doc.root_element().children() {
        t.node(child, false);
    }
    t.flush();
    let notes = std::mem::take(&mut t.notes);
    t.blocks.extend(notes);
    t.blocks.join("\n\n")
}

struct Text<'r> {
    refs: &'r mut Refs,
    blocks: Vec<String>,
    /// The paragraph being written.
    line: String,
    /// Open lists: ordered, and the next number.
    lists: Vec<(bool, usize)>,
    quote: usize,
    /// The list marker the next paragraph starts with.
    marker: Option<String>,
    /// The footnotes' blocks, written after the text.
    notes: Vec<String>,
}

impl Text<'_> {
    /// Ends the paragraph being written, with its indentation, marker and quote prefix.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.line);
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let indent = "   ".repeat(self.lists.len().saturating_sub(1));
        let lead = match self.marker.take() {
            Some(m) => format!("{indent}{m}"),
            None if !self.lists.is_empty() => format!("{indent}   "),
            None => String::new(),
        };
        let quote = "> ".repeat(self.quote);
        let block = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                if let Some(code) = l.strip_prefix(NO_WRAP) {
                    format!("{NO_WRAP}{quote}{code}")
                } else if i == 0 {
                    format!("{quote}{lead}{}", l.trim())
                } else {
                    format!("{quote}{}{}", " ".repeat(unicode_width::UnicodeWidthStr::width(lead.as_str())), l.trim())
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        self.blocks.push(block);
    }

    fn push_text(&mut self, s: &str) {
        let mut last_space = self.line.is_empty() || self.line.ends_with([' ', '\n']);
        for c in s.chars() {
            if c.is_whitespace() {
                if !last_space {
                    self.line.push(' ');
                    last_space = true;
                }
            } else {
                self.line.push(c);
                last_space = false;
            }
        }
    }

    fn reference(&mut self, url: &str) {
        let n = self.refs.number(url);
        let wide = self.line.chars().last().is_some_and(|c| unicode_width::UnicodeWidthChar::width(c) == Some(2));
        if !self.line.is_empty() && !self.line.ends_with(' ') && !wide {
            self.line.push(' ');
        }
        self.line.push_str(&format!("[{n}]"));
    }

    fn children(&mut self, node: NodeRef<'_, Node>, pre: bool) {
        for child in node.children() {
            self.node(child, pre);
        }
    }

    fn node(&mut self, node: NodeRef<'_, Node>, pre: bool) {
        match node.value() {
            Node::Text(t) if pre => self.line.push_str(t),
            Node::Text(t) => self.push_text(t),
            Node::Element(_) => self.element(ElementRef::wrap(node).expect("an element"), pre),
            _ => {}
        }
    }

    fn element(&mut self, el: ElementRef<'_>, pre: bool) {
        let name = el.value().name();
        match name {
            "script" | "style" | "template" => {}
            "a" if el.value().attr("class") == Some("footnote-back") => {}
            "a" => {
                self.children(*el, pre);
                if let Some(href) = el.value().attr("href").filter(|h| !h.is_empty()) {
                    self.reference(href);
                }
            }
            "img" => {
                let alt = el.value().attr("alt").unwrap_or_default().to_string();
                self.push_text(&alt);
                if let Some(src) = el.value().attr("src") {
                    self.reference(src);
                }
            }
            "br" => {
                self.line.push('\n');
            }
            "sup" if el.value().attr("class") == Some("footnote-ref") => {
                let n: String = el.text().collect();
                self.line.push_str(&format!("[^{}]", n.trim()));
            }
            "div" if el.value().attr("class") == Some("footnote") => self.footnote(el, pre),
            "pre" => self.code_block(el),
            "ul" | "ol" => {
                self.flush();
                let start = el.value().attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
                self.lists.push((name == "ol", start));
                self.children(*el, pre);
                self.flush();
                self.lists.pop();
            }
            "li" => self.list_item(el, pre),
            "blockquote" | "aside" => {
                self.flush();
                self.quote += 1;
                self.children(*el, pre);
                self.flush();
                self.quote -= 1;
            }
            "tr" => self.table_row(el, pre),
            "hr" => {
                self.flush();
                self.line.push_str("----");
                self.flush();
            }
            "p" | "div" | "section" | "article" | "header" | "footer" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "table" | "thead" | "tbody" | "figure" | "figcaption" | "dl" | "dt" | "dd" | "nav" => {
                self.flush();
                self.children(*el, pre);
                self.flush();
            }
            _ => self.children(*el, pre),
        }
    }

    /// A code block, indented by four spaces and never wrapped.
    fn code_block(&mut self, el: ElementRef<'_>) {
        self.flush();
        let code: String = el.text().collect();
        let lines: Vec<String> = code.trim_end_matches('\n').split('\n').map(|l| format!("{NO_WRAP}    {l}")).collect();
        self.line = lines.join("\n");
        self.flush();
    }

    /// A footnote, `[^n]: text`, kept for after the text (its link back to the call is left out).
    fn footnote(&mut self, el: ElementRef<'_>, pre: bool) {
        self.flush();
        let back =
            el.children().filter_map(ElementRef::wrap).find(|c| c.value().attr("class") == Some("footnote-back"));
        let n: String = back.map(|b| b.text().collect()).unwrap_or_default();
        let start = self.blocks.len();
        self.marker = Some(format!("[^{}]: ", n.trim()));
        self.children(*el, pre);
        self.flush();
        self.marker = None;
        let blocks: Vec<String> = self.blocks.drain(start..).collect();
        self.notes.extend(blocks);
    }

    /// A list item, marked `- ` or with its number in an ordered list.
    fn list_item(&mut self, el: ElementRef<'_>, pre: bool) {
        self.flush();
        let marker = match self.lists.last_mut() {
            Some((true, n)) => {
                *n += 1;
                format!("{}. ", *n - 1)
            }
            _ => "- ".to_string(),
        };
        self.marker = Some(marker);
        self.children(*el, pre);
        self.flush();
        self.marker = None;
    }

    /// A table row on one line, its cells separated by ` | `.
    fn table_row(&mut self, el: ElementRef<'_>, pre: bool) {
        self.flush();
        let mut first = true;
        for cell in el.child_elements() {
            if !first {
                self.line.push_str(" | ");
            }
            first = false;
            self.children(*cell, pre);
        }
        self.flush();
    }
}

/// Tidies the rendered template and wraps it: trailing spaces go, runs of blank lines become
/// one, every line is wrapped at [`WIDTH`].
pub fn finish(rendered: &str) -> String {
    let out = super::tidy(rendered, false);
    let mut wrapped = wrap(&out, WIDTH);
    wrapped.push('\n');
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_references() {
        let mut refs = Refs::default();
        let t = from_html(
            "<p>See <a href=\"https://a.org/\">the docs</a> and <a href=\"https://b.org/\">这里</a>.</p>\
             <ul><li>one <a href=\"https://a.org/\">again</a></li><li><p>two</p></li></ul>\
             <pre><code>a  b\n  c\n</code></pre><blockquote><p>quoted</p></blockquote>",
            &mut refs,
        );
        assert_eq!(
            t,
            "See the docs [1] and 这里[2].\n\n- one again [1]\n\n- two\n\n\u{1}    a  b\n\u{1}      c\n\n> quoted"
        );
        assert_eq!(refs.len(), 2);
    }

    #[test]
    fn footnotes_are_marked_at_the_word_and_listed_after_the_text() {
        let mut refs = Refs::default();
        let md = "终于稳定[^1]，见 [文档](https://a.org/)。\n\n[^1]: 见 [发布说明](https://b.org/)。\n\n第二段[^n]。\n\n[^n]: 另一条。\n";
        let r = crate::load::markdown::render(md, &Default::default()).unwrap();
        let t = from_html(&r.html, &mut refs);
        assert_eq!(t, "终于稳定[^1]，见 文档[1]。\n\n第二段[^2]。\n\n[^1]: 见 发布说明[2]。\n\n[^2]: 另一条。");
        assert_eq!(refs.len(), 2);
    }

    #[test]
    fn finish_collapses_blank_lines() {
        assert_eq!(finish("a  \n\n\n\nb\n"), "a\n\nb\n");
    }
}
