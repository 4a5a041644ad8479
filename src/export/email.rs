//! Export stage: the email edition — the template's CSS inlined into `style` attributes with
//! `css-inline` (which never fetches: built without its `http` and `file` features), only the
//! `@media` rules (dark mode, narrow screens) kept in one `<style>`, every link absolute.

use std::collections::BTreeSet;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::html::{Absolute, Emit, Rewrite, rewrite_document};
use crate::error::Diagnostic;

/// The width of the email's text column inside its card (640 px, less 28 px of padding on each
/// side: `templates/export/email.html`). Outlook for Windows ignores CSS `max-width` and shows an
/// image at its `width` attribute, so no image may say more.
pub const COLUMN_INNER: u32 = 584;

/// Above this size the command warns: Gmail clips messages over about 102 KB.
pub const LIMIT: usize = 100 * 1024;

/// Inlines the CSS of the rendered template and makes every `href` and `src` absolute against
/// the issue page `issue_url`; drops what mail clients refuse (scripts, stylesheets, forms)
/// and every `class` and `id` but the classes the kept `@media` rules select.
pub fn finish(rendered: &str, issue_url: &str) -> Result<String, Diagnostic> {
    let inliner = css_inline::CSSInliner::options()
        .inline_style_tags(true)
        .keep_style_tags(false)
        .keep_at_rules(true)
        .keep_link_tags(false)
        .load_remote_stylesheets(false)
        .minify_css(true)
        .apply_width_attributes(true)
        .resolve_css_variables(true)
        .build();
    let inlined = inliner
        .inline(rendered)
        .map_err(|e| Diagnostic::file("templates/export/email.html", format!("cannot inline the CSS: {e}")))?;
    let base = Url::parse(issue_url)
        .map_err(|e| Diagnostic::file("config.toml", format!("base_url gives no valid issue address: {e}")))?;
    let keep = media_classes(&inlined);
    let mut pass = EmailPass { absolute: Absolute { base: &base, keep_fragments: false }, keep };
    Ok(rewrite_document(&inlined, &mut pass))
}

/// The class names the document's `<style>` rules select.
fn media_classes(html: &str) -> BTreeSet<String> {
    let doc = Html::parse_document(html);
    let style = Selector::parse("style").expect("a selector");
    let mut classes = BTreeSet::new();
    for el in doc.select(&style) {
        let css: String = el.text().collect();
        let mut rest = css.as_str();
        while let Some(i) = rest.find('.') {
            rest = &rest[i + 1..];
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                classes.insert(name);
            }
        }
    }
    classes
}

struct EmailPass<'a> {
    absolute: Absolute<'a>,
    keep: BTreeSet<String>,
}

impl Rewrite for EmailPass<'_> {
    fn element(&mut self, el: ElementRef<'_>) -> Emit {
        match el.value().name() {
            "script" | "link" | "base" | "iframe" | "object" | "embed" | "noscript" => return Emit::drop(),
            "form" => return Emit::unwrap(),
            "input" | "button" | "select" | "textarea" => return self.absolute.element(el),
            _ => {}
        }
        let mut e = self.absolute.element(el);
        if el.value().name() == "img" {
            fit_column(&mut e);
        }
        e.remove_attr("id");
        if let Some(class) = e.remove_attr("class") {
            let kept: Vec<&str> = class.split_whitespace().filter(|c| self.keep.contains(*c)).collect();
            if !kept.is_empty() {
                e.set_attr("class", kept.join(" "));
            }
        }
        e
    }
}

/// An image wider than the column made [`COLUMN_INNER`] wide, its height scaled to match.
fn fit_column(e: &mut Emit) {
    let size = |name: &str| e.attr(name).and_then(|v| v.trim().parse::<u32>().ok());
    if let (Some(w), Some(h)) = (size("width"), size("height")) {
        if w > COLUMN_INNER {
            e.set_attr("width", COLUMN_INNER.to_string());
            e.set_attr("height", crate::site::images::scaled_height(w, h, COLUMN_INNER).to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlines_and_keeps_only_media_rules() {
        let html = "<!DOCTYPE html><html><head><style>p{color:#111}.x{margin:0}\
                    @media (prefers-color-scheme: dark){.x{color:#eee !important}}</style>\
                    <link rel=\"stylesheet\" href=\"/s.css\"></head>\
                    <body><p class=\"x y\" id=\"a\"><a href=\"/e/\">e</a><a href=\"#n\">n</a></p><script>1</script></body></html>";
        let out = finish(html, "https://e.org/2025-11/").unwrap();
        assert!(out.contains("<p style=\"color:#111;margin:0\" class=\"x\">"), "{out}");
        assert!(out.contains("href=\"https://e.org/e/\""), "{out}");
        assert!(out.contains("href=\"https://e.org/2025-11/#n\""), "{out}");
        assert!(out.contains("@media (prefers-color-scheme: dark)"), "{out}");
        assert!(!out.contains("<script") && !out.contains("<link") && !out.contains("id=\""), "{out}");
        assert_eq!(out.matches("<style").count(), 1, "{out}");
    }

    #[test]
    fn images_fit_the_column() {
        let html = "<html><body><img src=\"/a.png\" width=\"960\" height=\"512\" alt=\"a\"><img src=\"/b.png\" width=\"300\" height=\"200\" alt=\"b\"></body></html>";
        let out = finish(html, "https://e.org/2025-11/").unwrap();
        assert!(out.contains("<img alt=\"a\" height=\"311\" src=\"https://e.org/a.png\" width=\"584\">"), "{out}");
        assert!(out.contains("<img alt=\"b\" height=\"200\" src=\"https://e.org/b.png\" width=\"300\">"), "{out}");
    }
}
