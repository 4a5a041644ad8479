//! Render stage: links made absolute in rendered HTML, for outputs read away from the site
//! (feeds), where neither the site's root nor the page is known.

use url::Url;

use crate::site::layout::absolute_link;

/// Makes every `href` and `src` attribute of `html` absolute by [`absolute_link`], for the page
/// at `page` of the site at `origin`.
///
/// One pass over the text: finds each `="` and looks back for the attribute name, so the work
/// stays linear in the text.
pub fn absolutize(html: &str, origin: &str, page: &Url) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    let mut from = 0;
    let finder = memchr::memmem::Finder::new("=\"");
    let bytes = html.as_bytes();
    while let Some(i) = finder.find(&bytes[from..]).map(|i| from + i) {
        let start = i + 2;
        from = start;
        if !(html[..i].ends_with("href") || html[..i].ends_with("src")) {
            continue;
        }
        let Some(len) = memchr::memchr(b'"', &bytes[start..]) else { break };
        let value = &html[start..start + len];
        if let std::borrow::Cow::Owned(absolute) = absolute_link(origin, page, value) {
            out.push_str(&html[copied..start]);
            out.push_str(&absolute);
            copied = start + len;
        }
        from = start + len;
    }
    out.push_str(&html[copied..]);
    out
}

/// [`absolutize`] for the page at `permalink`; `html` as it is if that is no URL (a permalink
/// always is one: the base URL was validated).
pub fn absolutize_at(html: &str, origin: &str, permalink: &str) -> String {
    match Url::parse(permalink) {
        Ok(page) => absolutize(html, origin, &page),
        Err(_) => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abs(html: &str) -> String {
        absolutize(html, "https://e.org", &Url::parse("https://e.org/2025-11/").unwrap())
    }

    #[test]
    fn absolutize_links() {
        let h = abs("<a href=\"/a/\">x</a><img src=\"/b.png\"><a href=\"https://c.org/\">");
        assert_eq!(h, "<a href=\"https://e.org/a/\">x</a><img src=\"https://e.org/b.png\"><a href=\"https://c.org/\">");
        let h = abs("<p data=\"/x\">src=\"/\"</p><a href=\"/\"><a href=\"//x.org/\">");
        assert_eq!(
            h,
            "<p data=\"/x\">src=\"https://e.org/\"</p><a href=\"https://e.org/\"><a href=\"https://x.org/\">"
        );
        assert_eq!(abs(""), "");
        assert_eq!(abs("href=\"/\""), "href=\"https://e.org/\"");
        // An attribute left open is left as it is.
        assert_eq!(abs("href=\"/"), "href=\"/");
        assert_eq!(abs("href=\""), "href=\"");
    }

    #[test]
    fn anchors_and_relative_links_resolve_against_the_page() {
        let h = abs("<a href=\"#releases\">r</a><a id=\"#x\" href=\"https://x.org/#y\"><a href=\"news/../a/\">");
        assert_eq!(
            h,
            "<a href=\"https://e.org/2025-11/#releases\">r</a><a id=\"#x\" href=\"https://x.org/#y\">\
             <a href=\"https://e.org/2025-11/a/\">"
        );
    }
}
