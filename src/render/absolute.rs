//! Render stage: links made absolute, for outputs read away from the site (feeds, and any
//! edition that leaves the website), where neither the site's root nor the page is known.

/// Makes root-relative `href` and `src` attributes absolute against `origin`, and in-page
/// `#anchor` links absolute against `page` (the absolute address of the page the HTML stands
/// for), for feeds and e-mail.
///
/// One pass over the text: finds each `="` and looks back for the attribute name (searching for
/// each attribute pattern separately rescanned the rest of the text at every match: quadratic).
pub fn absolutize(html: &str, origin: &str, page: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    let mut from = 0;
    let finder = memchr::memmem::Finder::new("=\"");
    let bytes = html.as_bytes();
    while let Some(i) = finder.find(&bytes[from..]).map(|i| from + i) {
        let value = i + 2;
        from = value;
        let prefix = match bytes.get(value) {
            Some(b'/') if bytes.get(value + 1) != Some(&b'/') => origin,
            Some(b'#') => page,
            _ => continue,
        };
        if html[..i].ends_with("href") || html[..i].ends_with("src") {
            out.push_str(&html[copied..value]);
            out.push_str(prefix);
            copied = value;
        }
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://e.org/2025-11/";

    #[test]
    fn absolutize_links() {
        let h = absolutize("<a href=\"/a/\">x</a><img src=\"/b.png\"><a href=\"//c\">", "https://e.org", PAGE);
        assert_eq!(h, "<a href=\"https://e.org/a/\">x</a><img src=\"https://e.org/b.png\"><a href=\"//c\">");
        let h = absolutize("<p data=\"/x\">src=\"/\"</p><a href=\"/\"><a href=\"//x\">", "https://e.org", PAGE);
        assert_eq!(h, "<p data=\"/x\">src=\"https://e.org/\"</p><a href=\"https://e.org/\"><a href=\"//x\">");
        assert_eq!(absolutize("", "https://e.org", PAGE), "");
        assert_eq!(absolutize("href=\"/", "o", PAGE), "href=\"o/");
        assert_eq!(absolutize("href=\"", "o", PAGE), "href=\"");
    }

    #[test]
    fn anchors_point_at_the_page() {
        let h = absolutize("<a href=\"#releases\">r</a><a id=\"#x\" href=\"https://x.org/#y\">", "https://e.org", PAGE);
        assert_eq!(h, "<a href=\"https://e.org/2025-11/#releases\">r</a><a id=\"#x\" href=\"https://x.org/#y\">");
    }
}
