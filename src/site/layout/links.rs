//! The map of the site: where the links a text or a page writes lead, resolved by one rule.

use std::borrow::Cow;

use url::Url;

use super::{Address, entry_anchor};
use crate::site::config::Config;

impl Config {
    /// Where a relative link (`../releases/x/#upgrade-notes`, `diagram.png`) written in a text of
    /// language `lang`, whose file lies in the folder of `dir`, leads: root-relative, with the
    /// base path and `.`/`..` resolved. A page is the page in `lang` (every page exists in every
    /// language); a file (a last segment with a `.`: an image, a PDF) is the one published file.
    /// A `#fragment` on an entry's page is the heading as the editor reads it, so it gets the
    /// entry's id prefix ([`entry_anchor`]) unless it already has it. A link to a content file
    /// (`../news/x.md`, `x.en.md`, `../_index.md`), as editors write them for other Markdown
    /// tools, is the page made from it: in the language its name gives, else in `lang`.
    pub fn relative_link(&self, lang: &str, dir: Address, link: &str) -> String {
        let (before, fragment) = match link.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (link, None),
        };
        let (path, query) = match before.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (before, None),
        };
        let mut segments: Vec<&str> = Vec::new();
        let base = dir.path();
        let joined = base.split('/').chain(path.split('/'));
        // `base` ends with `/`: its last segment is empty and is dropped like any empty one;
        // the link's own last segment says whether the target is a folder.
        let parts: Vec<&str> = joined.collect();
        let last = parts.len() - 1;
        let mut folder = false;
        for (i, part) in parts.into_iter().enumerate() {
            match part {
                "" | "." => folder = i == last,
                ".." => {
                    segments.pop();
                    folder = i == last;
                }
                p => {
                    segments.push(p);
                    folder = false;
                }
            }
        }
        let mut lang = lang;
        if let Some(name) = segments.last().filter(|_| !folder).and_then(|s| s.strip_suffix(".md")) {
            let (stem, written_in) = match name.rsplit_once('.') {
                Some((stem, code)) if self.languages.iter().any(|l| l.code == code) => (stem, Some(code)),
                _ => (name, None),
            };
            lang = written_in.unwrap_or(lang);
            segments.pop();
            if stem != crate::site::naming::INDEX {
                segments.push(stem);
            }
            folder = true;
        }
        let is_file = !folder && segments.last().is_some_and(|s| s.contains('.'));
        let mut out = String::with_capacity(self.base_path.len() + link.len() + base.len() + 8);
        out.push_str(&self.base_path);
        if !is_file && lang != self.default_language() {
            out.push('/');
            out.push_str(lang);
        }
        for s in &segments {
            out.push('/');
            out.push_str(s);
        }
        if folder || segments.is_empty() {
            out.push('/');
        }
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = fragment {
            out.push('#');
            if let (false, [_, topic, slug]) = (is_file || f.is_empty(), segments.as_slice()) {
                if self.topics.iter().any(|t| t.key == *topic) {
                    let slug = percent_encoding::percent_decode_str(slug).decode_utf8_lossy();
                    let anchor = entry_anchor(topic, &slug);
                    let decoded = percent_encoding::percent_decode_str(f).decode_utf8_lossy();
                    if !decoded.strip_prefix(anchor.as_str()).is_some_and(|r| r.starts_with('-')) {
                        out.push_str(&anchor);
                        out.push('-');
                    }
                }
            }
            out.push_str(f);
        }
        out
    }
}

/// The absolute form of link `value` written on the page at `page` (its absolute URL), whose
/// site is at `origin` (scheme, host and port): the one rule for every output read away from
/// the site (feeds, editions).
///
/// In-page `#anchors` point at the page; root-relative, relative and scheme-relative links are
/// resolved against it; a link that names its scheme (`https:`, `mailto:`) is kept as written.
pub fn absolute_link<'v>(origin: &str, page: &Url, value: &'v str) -> Cow<'v, str> {
    let v = value.trim();
    match v.as_bytes().first() {
        // What resolving gives, without parsing: nearly every link of a feed is one of these.
        Some(b'/') if v.as_bytes().get(1) != Some(&b'/') && is_plain_path(v) => return Cow::Owned(concat(origin, v)),
        // As written: an anchor is the page's own, already in its form.
        Some(b'#') => return Cow::Owned(concat(&page[..url::Position::AfterQuery], v)),
        None => return Cow::Borrowed(value),
        _ if has_scheme(v) => return Cow::Borrowed(value),
        _ => {}
    }
    page.join(v).map_or(Cow::Borrowed(value), |u| Cow::Owned(u.into()))
}

fn concat(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// Whether a root-relative link resolves to itself: no dot segment, and no character that
/// resolving would encode.
fn is_plain_path(v: &str) -> bool {
    let plain = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'%' | b'?' | b'=' | b'&' | b';' | b':' | b'@')
            || matches!(b, b'!' | b'$' | b'(' | b')' | b'*' | b'+' | b',' | b'#')
    };
    v.as_bytes().iter().all(plain) && !v.contains("/.")
}

/// Whether a link names its scheme (`https:`, `mailto:`): letters, digits, `+`, `-` or `.` up
/// to a colon, before any `/`, `?` or `#`.
pub fn has_scheme(v: &str) -> bool {
    let end = v.find([':', '/', '?', '#']);
    end.is_some_and(|i| {
        i > 0
            && v.as_bytes()[i] == b':'
            && v.as_bytes()[0].is_ascii_alphabetic()
            && v[..i].bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::config;
    use super::*;

    #[test]
    fn links_made_absolute() {
        let page = Url::parse("https://e.org/sub/2025-11/").unwrap();
        let abs = |v: &str| absolute_link("https://e.org", &page, v).into_owned();
        assert_eq!(abs("/sub/x/"), "https://e.org/sub/x/");
        assert_eq!(abs("#n"), "https://e.org/sub/2025-11/#n");
        assert_eq!(abs("#云"), "https://e.org/sub/2025-11/#云");
        assert_eq!(abs("news/a/"), "https://e.org/sub/2025-11/news/a/");
        assert_eq!(abs("/sub/2025-11/news/../releases/k/"), "https://e.org/sub/2025-11/releases/k/");
        assert_eq!(abs("/sub/tags/云/"), "https://e.org/sub/tags/%E4%BA%91/");
        assert_eq!(abs("//cdn.org/i.png"), "https://cdn.org/i.png");
        assert_eq!(abs("https://Other.org"), "https://Other.org");
        assert_eq!(abs("mailto:a@b.org"), "mailto:a@b.org");
        assert_eq!(abs(""), "");
        assert!(has_scheme("https://x") && has_scheme("mailto:x") && !has_scheme("/a:b") && !has_scheme("1a:b"));
    }

    #[test]
    fn relative_links_stay_in_their_language() {
        let c = config();
        let dir = Address::IssueTopic { issue: "2025-11", topic: "news" };
        let l = |lang: &str, link: &str| c.relative_link(lang, dir, link);
        assert_eq!(l("en", "../releases/k/"), "/sub/en/2025-11/releases/k/");
        assert_eq!(l("zh", "../releases/k/"), "/sub/2025-11/releases/k/");
        assert_eq!(l("en", "./x/"), "/sub/en/2025-11/news/x/");
        assert_eq!(l("en", "../../2025-10/"), "/sub/en/2025-10/");
        assert_eq!(l("en", "../../../../"), "/sub/en/");
        assert_eq!(l("en", ".."), "/sub/en/2025-11/");
        assert_eq!(l("en", "x"), "/sub/en/2025-11/news/x");
        // Files are published once, for every language.
        assert_eq!(l("en", "diagram.png"), "/sub/2025-11/news/diagram.png");
        assert_eq!(l("en", "../releases/./a.pdf?v=2#page=3"), "/sub/2025-11/releases/a.pdf?v=2#page=3");
        // Headings of another entry, as the editor reads them.
        assert_eq!(l("en", "../releases/k/#upgrade-notes"), "/sub/en/2025-11/releases/k/#releases-k-upgrade-notes");
        assert_eq!(l("zh", "../releases/k/#升级注意事项"), "/sub/2025-11/releases/k/#releases-k-升级注意事项");
        assert_eq!(l("zh", "../releases/k/#releases-k-notes"), "/sub/2025-11/releases/k/#releases-k-notes");
        assert_eq!(l("zh", "../other/k/#notes"), "/sub/2025-11/other/k/#notes", "not a topic");
        assert_eq!(l("zh", "../releases/#notes"), "/sub/2025-11/releases/#notes", "not an entry");
        assert_eq!(l("zh", "../releases/k/#"), "/sub/2025-11/releases/k/#");
        // Content files, as other Markdown tools link them: the page made from each.
        assert_eq!(l("en", "../releases/k.md"), "/sub/en/2025-11/releases/k/");
        assert_eq!(l("en", "../releases/k.md#notes"), "/sub/en/2025-11/releases/k/#releases-k-notes");
        assert_eq!(l("en", "../releases/k.zh.md"), "/sub/2025-11/releases/k/");
        assert_eq!(l("zh", "k.en.md"), "/sub/en/2025-11/news/k/");
        assert_eq!(l("zh", "../_index.md"), "/sub/2025-11/");
        assert_eq!(l("en", "../_index.en.md"), "/sub/en/2025-11/");
        assert_eq!(l("zh", "notes.fr.md"), "/sub/2025-11/news/notes.fr/", "not a language: a slug");
    }
}
