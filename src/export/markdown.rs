//! Export stage: the Markdown edition, the whole issue as one document for GitHub Discussions,
//! forums and mailing lists: content HTML turned back into Markdown (`htmd`), links absolute.

use crate::error::Diagnostic;

/// An HTML fragment (links already absolute) as Markdown.
pub fn from_html(html: &str) -> Result<String, Diagnostic> {
    if html.trim().is_empty() {
        return Ok(String::new());
    }
    let converter = htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            heading_style: htmd::options::HeadingStyle::Atx,
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            code_block_style: htmd::options::CodeBlockStyle::Fenced,
            br_style: htmd::options::BrStyle::Backslash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Default::default()
        })
        .build();
    // Entries are headings of level 3: the headings of their text go below them.
    let html = super::html::rewrite_fragment(html, &mut Demote);
    let md = converter
        .convert(&html)
        .map_err(|e| Diagnostic::file("content", format!("cannot turn an entry into Markdown: {e}")))?;
    Ok(md.trim().to_string())
}

/// Moves every heading two levels down (`h2` → `h4`), to sit under the entry's `###`.
struct Demote;

impl super::html::Rewrite for Demote {
    fn element(&mut self, el: scraper::ElementRef<'_>) -> super::html::Emit {
        let mut e = super::html::Emit::keep(el);
        let name = el.value().name();
        if let Some(level) = name.strip_prefix('h').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=6).contains(n)) {
            e.tag = Some(format!("h{}", (level + 2).min(6)));
        }
        e
    }
}

/// Tidies the rendered template: trailing spaces go (but inside code fences), runs of blank
/// lines become one.
pub fn finish(rendered: &str) -> String {
    let mut out = super::tidy(rendered, true);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_back_to_markdown() {
        let md =
            from_html("<p>A <a href=\"https://a.org/\">link</a> and <strong>bold</strong>.</p><ul><li>x</li></ul>")
                .unwrap();
        assert_eq!(md, "A [link](https://a.org/) and **bold**.\n\n- x");
    }
}
