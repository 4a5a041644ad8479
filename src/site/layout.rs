//! The map of the site: every address it publishes, as a URL and as an output file, written once.
//!
//! An [`Address`] names one page or file of the site independently of language. Its
//! [`path`](Address::path) is the encoded URL path below the base path and the language prefix
//! (`/tags/%E7%BD%91%E5%85%B3/`), its [`file`](Address::file) the output file below the language
//! folder (`tags/网关/index.html`). [`Config::href`], [`Config::permalink`] and
//! [`Config::output`] add the language and the base path. Every stage that writes, links to,
//! serves or checks an address goes through here (`DESIGN.md`'s URL table); [`served_file`] and
//! [`url_of_output`] are the one mapping between a URL path and an output file.

use super::config::Config;
use super::slug::push_encoded;
use super::{Entry, Issue, Site, TopicId};

mod links;
pub use links::{absolute_link, has_scheme};

/// The folder of the search index (pagefind's bundle), shared by every language.
pub const SEARCH_BUNDLE: &str = "pagefind";

/// The file of a pagefind bundle that lists its languages.
pub const BUNDLE_ENTRY: &str = "pagefind-entry.json";

/// The file of the search bundle that lists every language's segments (`docs/templates.md#search`).
pub const BUNDLE_SEGMENTS: &str = "segments.json";

/// A segment's folder below the search bundle, with its trailing slash: a language's newest
/// segment is its folder (`zh/`, with pagefind's browser files), an older one is below it
/// (`zh/2024/`).
pub fn segment_folder(lang: &str, period: Option<&str>) -> String {
    match period {
        None => format!("{lang}/"),
        Some(period) => format!("{lang}/{period}/"),
    }
}

/// The output file of `name` in the search bundle (`pagefind/pagefind.js`).
pub fn bundle_file(name: &str) -> String {
    format!("{SEARCH_BUNDLE}/{name}")
}

/// Whether output file `file` is in the search bundle.
pub fn in_search_bundle(file: &str) -> bool {
    file.strip_prefix(SEARCH_BUNDLE).is_some_and(|rest| rest.starts_with('/'))
}

/// The id of an entry on the pages that show several (`releases-helm-4` on its issue's page),
/// and the start of its headings' ids, so that they stay unique there.
pub fn entry_anchor(topic: &str, slug: &str) -> String {
    format!("{topic}-{slug}")
}

/// One page or file of the site, in no language yet.
///
/// Keys (issues, topics) are used as they are: the configuration and the folder names keep them
/// to URL-safe characters. Slugs (entries, tags) may hold any letter, and are percent-encoded in
/// URLs but written as they are in file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address<'a> {
    Home,
    Archive,
    /// The list of every tag.
    Tags,
    /// A tag's page, by slug: its newest entries ([`crate::site::parts`]).
    Tag(&'a str),
    /// A full page of a tag's entries, by slug and the key of the page's oldest issue.
    TagPart {
        tag: &'a str,
        from: &'a str,
    },
    /// A topic's page across the archive, by key: its newest entries.
    Topic(&'a str),
    /// A full page of a topic's entries, by key and the key of the page's oldest issue.
    TopicPart {
        topic: &'a str,
        from: &'a str,
    },
    /// A topic's RSS feed, by key.
    TopicFeed(&'a str),
    /// An issue, by key (`2025-11`).
    Issue(&'a str),
    /// One topic of one issue.
    IssueTopic {
        issue: &'a str,
        topic: &'a str,
    },
    /// An entry: its issue's key, its topic's key and its slug.
    Entry {
        issue: &'a str,
        topic: &'a str,
        slug: &'a str,
    },
    Search,
    NotFound,
    /// The language's RSS feed of issues.
    Rss,
    /// The language's Atom feed of issues.
    Atom,
    /// `sitemap.xml`: the sitemap, or the index of its parts. Shared by every language.
    Sitemap,
    /// A numbered part of a sitemap too large for one file (`sitemap-1.xml`, from 1).
    SitemapPart(usize),
    Robots,
    /// A file of the theme's static folder (`style.css`), by its path there.
    Static(&'a str),
    /// The search index's folder.
    SearchBundle,
}

impl<'a> Address<'a> {
    /// The page of an entry.
    pub fn entry(site: &'a Site, e: &'a Entry) -> Address<'a> {
        let (issue, topic) = (&site.issues[e.issue].key, &site.config.topics[e.topic].key);
        Address::Entry { issue, topic, slug: &e.slug }
    }

    /// The page of topic `t` of an issue.
    pub fn issue_topic(site: &'a Site, issue: &'a Issue, t: TopicId) -> Address<'a> {
        Address::IssueTopic { issue: &issue.key, topic: &site.config.topics[t].key }
    }

    /// Whether one file serves every language (the sitemap, robots.txt, the theme's files and
    /// the search bundle), rather than one per language.
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            Address::Sitemap | Address::SitemapPart(_) | Address::Robots | Address::Static(_) | Address::SearchBundle
        )
    }

    /// The encoded URL path below the base path and the language prefix, from its leading `/`.
    pub fn path(self) -> String {
        let mut out = String::with_capacity(48);
        self.push_path(&mut out);
        out
    }

    /// [`Address::path`], appended to `out`: links are made by the million on a large archive.
    pub fn push_path(self, out: &mut String) {
        self.push(out, push_encoded);
        if self.is_folder() {
            out.push('/');
        }
    }

    /// The output file below the language's folder, with `/` separators (`2025-11/index.html`);
    /// for [`Address::SearchBundle`], the folder (`pagefind/`).
    pub fn file(self) -> String {
        let mut out = String::with_capacity(48);
        self.push(&mut out, |out, slug| out.push_str(slug));
        if self.is_folder() {
            out.push('/');
            if self != Address::SearchBundle {
                out.push_str("index.html");
            }
        }
        out.remove(0);
        out
    }

    /// Whether the address is a folder (its URL ends with `/`, its file is `index.html` there).
    fn is_folder(self) -> bool {
        !matches!(
            self,
            Address::TopicFeed(_)
                | Address::NotFound
                | Address::Rss
                | Address::Atom
                | Address::Sitemap
                | Address::SitemapPart(_)
                | Address::Robots
                | Address::Static(_)
        )
    }

    /// Writes the address from its leading `/`, without a folder's trailing `/`, with `slug`
    /// writing each slug (encoded for URLs, as it is for files).
    fn push(self, out: &mut String, slug: impl Fn(&mut String, &str)) {
        let segments = |out: &mut String, parts: &[&str]| {
            for part in parts {
                out.push('/');
                out.push_str(part);
            }
        };
        match self {
            Address::Home => {}
            Address::Archive => out.push_str("/archive"),
            Address::Tags => out.push_str("/tags"),
            Address::Tag(s) => {
                out.push_str("/tags/");
                slug(out, s);
            }
            Address::Topic(key) => segments(out, &["topics", key]),
            Address::TopicPart { topic, from } => segments(out, &["topics", topic, from]),
            Address::TagPart { tag, from } => {
                out.push_str("/tags/");
                slug(out, tag);
                segments(out, &[from]);
            }
            Address::TopicFeed(key) => segments(out, &["topics", key, "rss.xml"]),
            Address::Issue(key) => segments(out, &[key]),
            Address::IssueTopic { issue, topic } => segments(out, &[issue, topic]),
            Address::Entry { issue, topic, slug: s } => {
                segments(out, &[issue, topic]);
                out.push('/');
                slug(out, s);
            }
            Address::Search => out.push_str("/search"),
            Address::NotFound => out.push_str("/404.html"),
            Address::Rss => out.push_str("/rss.xml"),
            Address::Atom => out.push_str("/atom.xml"),
            Address::Sitemap => out.push_str("/sitemap.xml"),
            Address::SitemapPart(n) => {
                out.push_str("/sitemap-");
                out.push_str(&n.to_string());
                out.push_str(".xml");
            }
            Address::Robots => out.push_str("/robots.txt"),
            Address::Static(name) => segments(out, &[name]),
            Address::SearchBundle => segments(out, &[SEARCH_BUNDLE]),
        }
    }
}

impl Config {
    /// The root-relative link to `address` in language `lang`, with the base path
    /// (`/sub/en/2025-11/`).
    pub fn href(&self, lang: &str, address: Address) -> String {
        self.join(&self.base_path, lang, address)
    }

    /// The absolute URL of `address` in language `lang` (`https://example.org/sub/en/2025-11/`).
    pub fn permalink(&self, lang: &str, address: Address) -> String {
        self.join(&self.base_url, lang, address)
    }

    /// The output file of `address` in language `lang`, relative to the output folder
    /// (`en/2025-11/index.html`).
    pub fn output(&self, lang: &str, address: Address) -> String {
        let file = address.file();
        match self.lang_prefix(lang, address) {
            Some(lang) => format!("{lang}/{file}"),
            None => file,
        }
    }

    /// The root-relative link to output file `file` (`en/2025-11/index.html` →
    /// `/sub/en/2025-11/`), for messages about a page known by its file.
    pub fn href_of_file(&self, file: &str) -> String {
        format!("{}{}", self.base_path, url_of_output(file))
    }

    /// The URL of output file `file` (an image variant), root-relative with the base path or,
    /// `absolute`, with the base URL; each segment percent-encoded.
    pub fn file_url(&self, file: &str, absolute: bool) -> String {
        let mut s = String::from(if absolute { &self.base_url } else { &self.base_path });
        for segment in file.split('/') {
            s.push('/');
            push_encoded(&mut s, segment);
        }
        s
    }

    /// The language of output file `file`: its language folder's, else the default language's
    /// (shared files included).
    pub fn lang_of_output<'f>(&'f self, file: &'f str) -> &'f str {
        let first = file.split('/').next().unwrap_or_default();
        match self.languages.iter().skip(1).find(|l| l.code == first) {
            Some(l) => &l.code,
            None => self.default_language(),
        }
    }

    /// The language folder `address` lives in, in language `lang`: none for the default
    /// language and for files every language shares.
    fn lang_prefix<'l>(&self, lang: &'l str, address: Address) -> Option<&'l str> {
        (!address.is_shared() && lang != self.default_language()).then_some(lang)
    }

    /// `start` + language prefix + the address's path, in one buffer: every page asks for dozens.
    fn join(&self, start: &str, lang: &str, address: Address) -> String {
        let mut s = String::with_capacity(start.len() + lang.len() + 64);
        s.push_str(start);
        if let Some(lang) = self.lang_prefix(lang, address) {
            s.push('/');
            s.push_str(lang);
        }
        address.push_path(&mut s);
        s
    }
}

/// What a URL path below the base path (percent-decoded) is served from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// An output file (`2025-11/index.html`).
    File(String),
    /// The `index.html` of a folder asked for without its trailing `/` (`/2025-11`): a server
    /// redirects to the folder, a link checker accepts it.
    Folder(String),
}

/// The output a decoded URL path is served from, if any: `/` → `index.html`, `/a/` →
/// `a/index.html`, `/a` → `a`, else `a/index.html` as a [`Served::Folder`]. `exists` says
/// whether an output file exists.
pub fn served_file(path: &str, exists: impl Fn(&str) -> bool) -> Option<Served> {
    let p = path.trim_start_matches('/');
    // Concatenated by hand: millions of links on a large archive, and `format!` showed.
    let index = |p: &str, sep: &str| {
        let mut key = String::with_capacity(p.len() + 11);
        key.push_str(p);
        key.push_str(sep);
        key.push_str("index.html");
        exists(&key).then_some(key)
    };
    if p.is_empty() || p.ends_with('/') {
        return index(p, "").map(Served::File);
    }
    if exists(p) { Some(Served::File(p.to_string())) } else { index(p, "/").map(Served::Folder) }
}

/// The URL path below the base path of output file `file`: `2025-11/index.html` is at
/// `/2025-11/`, `rss.xml` at `/rss.xml`. Not encoded: for messages and reloads.
pub fn url_of_output(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{file}"),
    }
}

/// The output file of a file found beside the content (an image beside an entry), given its
/// path relative to the site root: published at the same place below `content/`.
pub fn asset_file(rel: &std::path::Path) -> String {
    let inside = rel.strip_prefix("content").unwrap_or(rel);
    inside.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The output file of a variant of the image at output file `original`: the original's own file
/// for the largest variant in its format (so a link to the original still works, and never
/// serves a multi-megabyte file), `name.960w.webp` for the others, `name.960w-mail.jpg` for one
/// made for mail clients only.
pub fn variant_file(original: &str, width: u32, extension: &str, kind: VariantKind) -> String {
    let (stem, own) = original.rsplit_once('.').unwrap_or((original, ""));
    match kind {
        VariantKind::Largest if own.eq_ignore_ascii_case(extension) => original.to_string(),
        VariantKind::Mail => format!("{stem}.{width}w-mail.{extension}"),
        _ => format!("{stem}.{width}w.{extension}"),
    }
}

/// Which variant of an image [`variant_file`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantKind {
    /// The widest of the page's variants.
    Largest,
    /// Another of the page's variants.
    Other,
    /// One made for feeds and editions only.
    Mail,
}

/// The output file an image link written in a text leads to (`/sub/2025-11/a%20b.png` →
/// `2025-11/a b.png`), for a root-relative `src` of the site at `base_path`.
pub fn file_of_src(base_path: &str, src: &str) -> Option<String> {
    let path = src.strip_prefix(base_path)?.strip_prefix('/')?;
    let path = path.split(['?', '#']).next()?;
    Some(percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    pub(super) fn config() -> Config {
        let text = r#"
base_url = "https://example.org/sub"
default_language = "zh"
[languages.zh]
title = "月报"
[languages.en]
title = "Digest"
"#;
        Config::parse(Path::new("config.toml"), text).expect("parses")
    }

    fn every_address() -> Vec<Address<'static>> {
        vec![
            Address::Home,
            Address::Archive,
            Address::Tags,
            Address::Tag("云原生 a/b"),
            Address::TagPart { tag: "云原生", from: "2025-03" },
            Address::Topic("news"),
            Address::TopicPart { topic: "news", from: "2025-03" },
            Address::TopicFeed("news"),
            Address::Issue("2025-11"),
            Address::IssueTopic { issue: "2025-11", topic: "releases" },
            Address::Entry { issue: "2025-11", topic: "releases", slug: "网关-1-4" },
            Address::Search,
            Address::NotFound,
            Address::Rss,
            Address::Atom,
            Address::Sitemap,
            Address::SitemapPart(2),
            Address::Robots,
            Address::Static("style.css"),
            Address::SearchBundle,
        ]
    }

    #[test]
    fn the_published_layout() {
        let rows: Vec<(String, String)> = every_address().into_iter().map(|a| (a.path(), a.file())).collect();
        let expected = [
            ("/", "index.html"),
            ("/archive/", "archive/index.html"),
            ("/tags/", "tags/index.html"),
            ("/tags/%E4%BA%91%E5%8E%9F%E7%94%9F%20a%2Fb/", "tags/云原生 a/b/index.html"),
            ("/tags/%E4%BA%91%E5%8E%9F%E7%94%9F/2025-03/", "tags/云原生/2025-03/index.html"),
            ("/topics/news/", "topics/news/index.html"),
            ("/topics/news/2025-03/", "topics/news/2025-03/index.html"),
            ("/topics/news/rss.xml", "topics/news/rss.xml"),
            ("/2025-11/", "2025-11/index.html"),
            ("/2025-11/releases/", "2025-11/releases/index.html"),
            ("/2025-11/releases/%E7%BD%91%E5%85%B3-1-4/", "2025-11/releases/网关-1-4/index.html"),
            ("/search/", "search/index.html"),
            ("/404.html", "404.html"),
            ("/rss.xml", "rss.xml"),
            ("/atom.xml", "atom.xml"),
            ("/sitemap.xml", "sitemap.xml"),
            ("/sitemap-2.xml", "sitemap-2.xml"),
            ("/robots.txt", "robots.txt"),
            ("/style.css", "style.css"),
            ("/pagefind/", "pagefind/"),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(p, f)| (p.to_string(), f.to_string())).collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn languages_and_base_path() {
        let c = config();
        let entry = Address::Entry { issue: "2025-11", topic: "news", slug: "x" };
        assert_eq!(c.href("zh", entry), "/sub/2025-11/news/x/");
        assert_eq!(c.href("en", entry), "/sub/en/2025-11/news/x/");
        assert_eq!(c.permalink("en", Address::Home), "https://example.org/sub/en/");
        assert_eq!(c.output("en", entry), "en/2025-11/news/x/index.html");
        assert_eq!(c.output("zh", Address::Rss), "rss.xml");
        // Shared files are the same in every language.
        assert_eq!(c.href("en", Address::Static("style.css")), "/sub/style.css");
        assert_eq!(c.permalink("en", Address::SitemapPart(1)), "https://example.org/sub/sitemap-1.xml");
        assert_eq!(c.output("en", Address::Robots), "robots.txt");
    }

    #[test]
    fn every_address_is_served_from_its_file() {
        let c = config();
        for lang in ["zh", "en"] {
            for a in every_address().into_iter().filter(|a| *a != Address::SearchBundle) {
                let file = c.output(lang, a);
                let href = c.href(lang, a);
                let below_base = href.strip_prefix("/sub").expect("below the base path");
                let decoded = percent_encoding::percent_decode_str(below_base).decode_utf8().unwrap();
                assert_eq!(served_file(&decoded, |f| f == file), Some(Served::File(file.clone())), "{a:?}");
                assert_eq!(url_of_output(&file), decoded, "{a:?}");
            }
        }
    }

    #[test]
    fn folders_without_their_slash() {
        let exists = |f: &str| ["index.html", "a/index.html", "a/b.xml"].contains(&f);
        assert_eq!(served_file("/", exists), Some(Served::File("index.html".into())));
        assert_eq!(served_file("/a", exists), Some(Served::Folder("a/index.html".into())));
        assert_eq!(served_file("/a/b.xml", exists), Some(Served::File("a/b.xml".into())));
        assert_eq!(served_file("/a/c/", exists), None);
        assert_eq!(served_file("/c", exists), None);
    }
}
