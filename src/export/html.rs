//! Export stage: HTML rewritten through a real parser (html5ever, by way of `scraper`): one
//! walker that serialises a parsed tree again, asking a [`Rewrite`] what to do with each element.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};
use url::Url;

use crate::site::layout::absolute_link;

/// What to write for one element (see [`Rewrite::element`]).
pub struct Emit {
    /// The tag to write; `None` writes the element's content only.
    pub tag: Option<String>,
    pub attrs: Vec<(String, String)>,
    /// Raw HTML before the opening tag.
    pub before: String,
    /// Raw HTML right after the opening tag.
    pub open_inner: String,
    /// Raw HTML right before the closing tag.
    pub close_inner: String,
    /// Raw HTML after the closing tag.
    pub after: String,
    /// Leave the element's content out.
    pub skip_children: bool,
}

impl Emit {
    /// The element as it is.
    pub fn keep(el: ElementRef<'_>) -> Emit {
        let attrs = el.value().attrs().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Emit {
            tag: Some(el.value().name().to_string()),
            attrs,
            before: String::new(),
            open_inner: String::new(),
            close_inner: String::new(),
            after: String::new(),
            skip_children: false,
        }
    }

    /// Nothing at all: neither the element nor its content.
    pub fn drop() -> Emit {
        Emit { tag: None, skip_children: true, ..Emit::unwrap() }
    }

    /// The content without the element.
    pub fn unwrap() -> Emit {
        Emit {
            tag: None,
            attrs: Vec::new(),
            before: String::new(),
            open_inner: String::new(),
            close_inner: String::new(),
            after: String::new(),
            skip_children: false,
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: String) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => self.attrs.push((name.to_string(), value)),
        }
    }

    pub fn remove_attr(&mut self, name: &str) -> Option<String> {
        let i = self.attrs.iter().position(|(k, _)| k == name)?;
        Some(self.attrs.remove(i).1)
    }
}

/// The decisions of one rewriting pass.
pub trait Rewrite {
    /// What to write for an element (its attributes as parsed by default).
    fn element(&mut self, el: ElementRef<'_>) -> Emit {
        Emit::keep(el)
    }

    /// Writes a text node; `in_pre` tells whether it lies inside a `<pre>`.
    fn text(&mut self, text: &str, in_pre: bool, out: &mut String) {
        let _ = in_pre;
        escape_text(out, text);
    }
}

/// A pass that changes nothing.
pub struct Identity;
impl Rewrite for Identity {}

/// Parses a whole document and writes it again through `r`.
pub fn rewrite_document(html: &str, r: &mut impl Rewrite) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    walk(doc.tree.root(), r, &mut out, 0);
    out
}

/// Parses an HTML fragment (the content of an element) and writes it again through `r`.
pub fn rewrite_fragment(html: &str, r: &mut impl Rewrite) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let root = doc.root_element();
    for child in root.children() {
        walk(child, r, &mut out, 0);
    }
    out
}

fn walk(node: NodeRef<'_, Node>, r: &mut impl Rewrite, out: &mut String, pre: usize) {
    match node.value() {
        Node::Document | Node::Fragment => {
            for child in node.children() {
                walk(child, r, out, pre);
            }
        }
        Node::Doctype(_) => out.push_str("<!DOCTYPE html>\n"),
        Node::Comment(_) | Node::ProcessingInstruction(_) => {}
        Node::Text(text) => {
            let raw = node.parent().and_then(ElementRef::wrap).is_some_and(|p| is_raw_text(p.value().name()));
            if raw { out.push_str(text) } else { r.text(text, pre > 0, out) }
        }
        Node::Element(_) => {
            let el = ElementRef::wrap(node).expect("an element node");
            let emit = r.element(el);
            out.push_str(&emit.before);
            if let Some(tag) = &emit.tag {
                start_tag(out, tag, emit.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            }
            out.push_str(&emit.open_inner);
            if !emit.skip_children {
                let pre = pre + usize::from(el.value().name() == "pre");
                // `<template>` keeps its content in a fragment of its own.
                for child in node.children() {
                    walk(child, r, out, pre);
                }
            }
            out.push_str(&emit.close_inner);
            if let Some(tag) = &emit.tag
                && !is_void(tag)
            {
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
            out.push_str(&emit.after);
        }
    }
}

/// Writes `<name a="v">`, escaping the values.
pub fn start_tag<'a>(out: &mut String, name: &str, attrs: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(out, v);
        out.push('"');
    }
    out.push('>');
}

/// Escapes text content.
pub fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value written between double quotes.
pub fn escape_attr(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_raw_text(name: &str) -> bool {
    matches!(name, "style" | "script" | "xmp" | "noscript")
}

/// Resolves every `href` and `src` against `base` (the issue page): root-relative links get
/// the site's origin, and in-page `#anchors` point at the issue page, unless `keep_fragments`.
/// Task-list checkboxes become ☑/☐, so no form control leaves the site.
pub struct Absolute<'a> {
    pub base: &'a Url,
    pub keep_fragments: bool,
}

impl Absolute<'_> {
    pub fn url(&self, value: &str) -> String {
        let value = value.trim();
        if self.keep_fragments && value.starts_with('#') {
            return value.to_string();
        }
        absolute_link(&self.base[..url::Position::BeforePath], self.base, value).into_owned()
    }
}

impl Rewrite for Absolute<'_> {
    fn element(&mut self, el: ElementRef<'_>) -> Emit {
        if el.value().name() == "input" {
            let mut e = Emit::drop();
            e.before = if el.value().attr("checked").is_some() { "☑ " } else { "☐ " }.to_string();
            return e;
        }
        let mut e = Emit::keep(el);
        for name in ["href", "src"] {
            if let Some(v) = e.attr(name) {
                let v = self.url(v);
                e.set_attr(name, v);
            }
        }
        e
    }
}

/// A fragment with every link absolute (see [`Absolute`]).
pub fn absolute_fragment(html: &str, base: &Url, keep_fragments: bool) -> String {
    if html.is_empty() {
        return String::new();
    }
    rewrite_fragment(html, &mut Absolute { base, keep_fragments })
}

/// The text of an HTML fragment, whitespace collapsed.
pub fn fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    doc.root_element().text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_keeps_structure_and_escapes() {
        let h = rewrite_fragment("<p class=\"a\">x &amp; <b>y</b><br>z</p><img src=\"/i.png\">", &mut Identity);
        assert_eq!(h, "<p class=\"a\">x &amp; <b>y</b><br>z</p><img src=\"/i.png\">");
    }

    #[test]
    fn absolute_links() {
        let base = Url::parse("https://e.org/sub/2025-11/").unwrap();
        let h = absolute_fragment(
            "<a href=\"/sub/x/\">a</a><a href=\"#n\">b</a><img src=\"//cdn.org/i.png\"><input type=\"checkbox\" checked>",
            &base,
            false,
        );
        assert_eq!(
            h,
            "<a href=\"https://e.org/sub/x/\">a</a><a href=\"https://e.org/sub/2025-11/#n\">b</a>\
             <img src=\"https://cdn.org/i.png\">☑ "
        );
        assert_eq!(absolute_fragment("<a href=\"#n\">b</a>", &base, true), "<a href=\"#n\">b</a>");
    }
}
