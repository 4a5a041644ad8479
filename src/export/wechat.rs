//! Export stage: the WeChat edition — HTML for pasting into the official-account editor, which
//! keeps only inline styles and drops outside links. The template's CSS is inlined (no
//! `<style>`, `class` or `id` left); every link to another site becomes its text and a numbered
//! `<sup>[n]</sup>` with the URLs listed as plain text at the end; list items wrap their content
//! in `<section>`; code keeps its lines with `<br>` and `&nbsp;`; tables scroll in a wrapper;
//! pure black, which the editor strips, becomes a near-black.

use scraper::ElementRef;
use serde::Serialize;

use super::context::EditionPage;
use super::html::{Emit, Rewrite, escape_text, rewrite_document};
use super::refs::{Reference, Refs};
use crate::error::Diagnostic;
use crate::load::theme::Theme;
use crate::render::context::to_context;

/// The WeChat editor's limit, in characters of text.
pub const LIMIT: usize = 20_000;

/// The attribute of the template's element holding the article: the references go at its end.
pub const ARTICLE: &str = "data-wechat-article";

/// Where the list of references goes, replaced by `export/wechat_references.html`.
const REFERENCES_HERE: &str = "\u{1}digest-references\u{1}";

/// The text colour that replaces pure black.
pub const NEAR_BLACK: &str = "#3f3f3f";

/// The finished page.
pub struct Article {
    pub html: String,
    /// Characters of text in the article (whitespace runs counted as one).
    pub characters: usize,
}

/// The context of `export/wechat_references.html`.
#[derive(Serialize)]
struct ReferencesContext<'a> {
    lang: &'a str,
    t: &'a tera::Value,
    refs: Vec<Reference>,
}

/// Inlines the template's CSS, then rewrites the page for the WeChat editor.
pub fn finish(rendered: &str, theme: &Theme, ctx: &EditionPage<'_>) -> Result<Article, Diagnostic> {
    let inliner = css_inline::CSSInliner::options()
        .inline_style_tags(true)
        .keep_style_tags(false)
        .keep_at_rules(false)
        .keep_link_tags(false)
        .load_remote_stylesheets(false)
        .minify_css(true)
        .resolve_css_variables(true)
        .build();
    let inlined = inliner
        .inline(rendered)
        .map_err(|e| Diagnostic::file("templates/export/wechat.html", format!("cannot inline the CSS: {e}")))?;
    let mut pass = WechatPass::default();
    let html = rewrite_document(&inlined, &mut pass);
    let refs = ReferencesContext { lang: ctx.lang.lang, t: ctx.lang.t, refs: pass.refs.all() };
    let list = if refs.refs.is_empty() {
        String::new()
    } else {
        let rendered = theme.render("export/wechat_references.html", &to_context(&refs)?)?;
        // The partial's own styles are inline already; this pass only applies the same rules.
        rewrite_document_fragment(&rendered)
    };
    Ok(Article { html: html.replacen(REFERENCES_HERE, &list, 1), characters: pass.characters })
}

fn rewrite_document_fragment(html: &str) -> String {
    let mut pass = WechatPass { in_article: 1, ..WechatPass::default() };
    super::html::rewrite_fragment(html, &mut pass)
}

#[derive(Default)]
struct WechatPass {
    refs: Refs,
    /// Depth inside the article element (0: outside).
    in_article: usize,
    characters: usize,
    last_space: bool,
}

impl WechatPass {
    fn count(&mut self, text: &str) {
        if self.in_article == 0 {
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                if !self.last_space {
                    self.characters += 1;
                }
                self.last_space = true;
            } else {
                self.characters += 1;
                self.last_space = false;
            }
        }
    }
}

impl Rewrite for WechatPass {
    fn element(&mut self, el: ElementRef<'_>) -> Emit {
        let name = el.value().name();
        if matches!(name, "script" | "style" | "link" | "noscript" | "iframe" | "form" | "object" | "embed") {
            return Emit::drop();
        }
        let mut e = Emit::keep(el);
        e.remove_attr("class");
        e.remove_attr("id");
        if let Some(style) = e.remove_attr("style") {
            e.set_attr("style", no_pure_black(&style));
        }
        if el.value().attr(ARTICLE).is_some() {
            self.in_article = 1;
            e.close_inner = REFERENCES_HERE.to_string();
        }
        match name {
            "a" => {
                let href = e.remove_attr("href").unwrap_or_default();
                e.remove_attr("rel");
                e.remove_attr("target");
                if is_wechat(&href) {
                    e.set_attr("href", href);
                } else {
                    e.tag = Some("span".into());
                    if !href.is_empty() && !href.starts_with('#') {
                        let n = self.refs.number(&href);
                        let color = declaration(e.attr("style").unwrap_or_default(), "color")
                            .unwrap_or_else(|| "#576b95".to_string());
                        e.after = format!(
                            "<sup style=\"font-size:75%;line-height:0;vertical-align:super;color:{color}\">[{n}]</sup>"
                        );
                    }
                }
            }
            "li" => {
                e.open_inner = "<section style=\"margin:0;padding:0\">".into();
                e.close_inner = "</section>".into();
            }
            "table" => {
                e.before = "<section style=\"max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch\">".into();
                e.after = "</section>".into();
            }
            "input" => {
                let mut mark = Emit::drop();
                mark.before = if el.value().attr("checked").is_some() { "☑ " } else { "☐ " }.into();
                return mark;
            }
            _ => {}
        }
        e
    }

    fn text(&mut self, text: &str, in_pre: bool, out: &mut String) {
        self.count(text);
        if !in_pre {
            escape_text(out, text);
            return;
        }
        // Code keeps its lines and indentation: the editor collapses white space.
        let text = text.strip_suffix('\n').unwrap_or(text);
        for c in text.chars() {
            match c {
                '\n' => out.push_str("<br>"),
                ' ' => out.push_str("&nbsp;"),
                '\t' => out.push_str("&nbsp;&nbsp;&nbsp;&nbsp;"),
                c => escape_text(out, c.encode_utf8(&mut [0; 4])),
            }
        }
    }
}

/// Whether a link may stay a link in a WeChat article: one to `mp.weixin.qq.com`.
pub fn is_wechat(href: &str) -> bool {
    url::Url::parse(href).ok().and_then(|u| u.host_str().map(|h| h == "mp.weixin.qq.com")).unwrap_or(false)
}

/// The value of a declaration in a `style` attribute.
fn declaration(style: &str, property: &str) -> Option<String> {
    style.split(';').filter_map(|d| d.split_once(':')).find_map(|(k, v)| {
        (k.trim().eq_ignore_ascii_case(property)).then(|| v.trim().trim_end_matches("!important").trim().to_string())
    })
}

/// A `style` attribute with every pure-black `color` replaced by [`NEAR_BLACK`].
pub fn no_pure_black(style: &str) -> String {
    let declarations: Vec<String> = style
        .split(';')
        .filter(|d| !d.trim().is_empty())
        .map(|d| match d.split_once(':') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("color") && is_black(v) => {
                format!("{}:{NEAR_BLACK}", k.trim())
            }
            _ => d.trim().to_string(),
        })
        .collect();
    declarations.join(";")
}

/// Whether a CSS colour value is pure black.
pub fn is_black(value: &str) -> bool {
    let v: String = value.trim().trim_end_matches("!important").chars().filter(|c| !c.is_whitespace()).collect();
    let v = v.to_ascii_lowercase();
    matches!(v.as_str(), "#000" | "#000000" | "#000f" | "#000000ff" | "black" | "rgb(0,0,0)" | "rgba(0,0,0,1)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_becomes_near_black() {
        assert_eq!(no_pure_black("color: #000;margin:0"), "color:#3f3f3f;margin:0");
        assert_eq!(no_pure_black("background:#000;color:black !important"), "background:#000;color:#3f3f3f");
        assert!(is_black(" rgb(0, 0, 0) "));
        assert!(!is_black("#0000ff"));
    }

    #[test]
    fn links_become_references_and_code_keeps_lines() {
        let mut pass = WechatPass { in_article: 1, ..WechatPass::default() };
        let out = super::super::html::rewrite_fragment(
            "<p><a href=\"https://a.org/\" style=\"color:#123\">A</a> <a href=\"https://mp.weixin.qq.com/s/x\">W</a> \
             <a href=\"#x\">in</a> <a href=\"https://a.org/\">again</a></p><pre><code>a\n  b\n</code></pre>\
             <ul><li>i</li></ul><table><tr><td>c</td></tr></table>",
            &mut pass,
        );
        assert!(out.contains("<span style=\"color:#123\">A</span><sup"), "{out}");
        assert!(out.contains(">[1]</sup>"), "{out}");
        assert!(out.contains("<a href=\"https://mp.weixin.qq.com/s/x\">W</a>"), "{out}");
        assert!(out.contains("<span>in</span> <span>again</span><sup"), "{out}");
        assert_eq!(pass.refs.len(), 1);
        assert!(out.contains("a<br>&nbsp;&nbsp;b</code>"), "{out}");
        assert!(out.contains("<li><section style=\"margin:0;padding:0\">i</section></li>"), "{out}");
        assert!(out.contains("<section style=\"max-width:100%;overflow-x:auto"), "{out}");
    }
}
