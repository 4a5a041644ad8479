//! Render stage: root-relative links made absolute, for outputs read away from the site
//! (feeds, and any edition that leaves the website).

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
