//! The data model's configuration: `config.toml`, validated ([`parse`]), with defaults for topics.

mod parse;

use super::ids::{IdVec, LangId, TopicId};

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The site's configuration, validated and with defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute URL of the site, without a trailing slash (`https://example.org/sub`), encoded
    /// once here (punycode host, percent-encoded path) so every page, feed and sitemap writes
    /// the same bytes.
    pub base_url: String,
    /// The path part of `base_url`, without a trailing slash (`/sub`, or empty).
    pub base_path: String,
    /// The scheme, host and port of `base_url` (`https://example.org`).
    pub origin: String,
    /// Languages, the default first, then the others in alphabetical order.
    pub languages: IdVec<LangId, Language>,
    pub topics: IdVec<TopicId, Topic>,
    pub sources: Vec<Source>,
    /// The theme `theme = "…"` names (`None`: the built-in default): one of [`BUILT_IN_THEMES`]
    /// or a folder of the site's `themes/`.
    pub theme: Option<String>,
    /// The line and column of the `theme` value in `config.toml` (1:1 without one), for
    /// diagnostics.
    pub theme_at: (usize, usize),
    /// `default_theme_source = true`: the site's `templates/` and `static/` are the source of the
    /// built-in default theme (the digest repository itself), read in its place under the
    /// selected theme rather than as overrides above it.
    pub default_theme_source: bool,
    /// How many issues the feeds carry, newest first: the issues of the language feeds, and the
    /// entries of those issues in the topic feeds. `None`: every one (`feed_limit = 0`).
    pub feed_limit: Option<usize>,
    /// Pass raw HTML in Markdown through; by default it is shown as text.
    pub allow_html: bool,
    /// The typography rules `digest check` leaves out (`[check.typography] disable`).
    pub typography_disabled: std::collections::BTreeSet<String>,
    /// Where the configuration was read from (for diagnostics).
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    pub title: String,
    pub description: String,
    /// The Atom author of issues that name no editors; the title when not set.
    pub author: Option<String>,
    /// Overrides of the theme's interface text, by key.
    pub ui: BTreeMap<String, String>,
    /// The line and column of `config.toml` that names it (`[languages.en]`), for diagnostics.
    pub at: (usize, usize),
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub key: String,
    pub emoji: String,
    /// The topic's name in each language; languages without one use the key.
    pub names: BTreeMap<String, String>,
}

impl Topic {
    pub fn name(&self, lang: &str) -> &str {
        self.names.get(lang).map_or(self.key.as_str(), String::as_str)
    }
}

/// An upstream feed for `digest fetch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub name: String,
    pub url: String,
    pub topic: String,
    pub tags: Vec<String>,
    /// Keep only items whose title contains one of these words (case-insensitive).
    pub include: Vec<String>,
    /// Drop items whose title contains one of these words (case-insensitive).
    pub exclude: Vec<String>,
    /// The line of `config.toml` that names it, for diagnostics.
    pub line: usize,
}

// The file as written: every value whose mistakes are reported keeps its span.
/// The Chinese typography rules of `digest check`, by the names `[check.typography] disable`
/// takes: those of autocorrect (the Chinese copywriting guidelines), then the project's own.
pub const TYPOGRAPHY_RULES: &[&str] = &[
    "space-word",
    "space-punctuation",
    "space-bracket",
    "space-dash",
    "space-backticks",
    "fullwidth",
    "halfwidth-word",
    "halfwidth-punctuation",
    "no-space-fullwidth",
    "no-space-fullwidth-quote",
    "fullwidth-after-latin",
    "fullwidth-after-chinese",
    "fullwidth-bracket",
];

/// The themes compiled into the binary, by the names `theme = "…"` takes.
pub const BUILT_IN_THEMES: &[&str] = &["default", "links"];

/// How many issues the feeds carry without `feed_limit`: a year of a monthly newsletter.
pub const DEFAULT_FEED_LIMIT: usize = 12;

/// The six topics of the newsletter, used when `config.toml` has no `[[topics]]`.
pub fn default_topics() -> Vec<Topic> {
    let t = |key: &str, emoji: &str, zh: &str, en: &str| Topic {
        key: key.into(),
        emoji: emoji.into(),
        names: BTreeMap::from([("zh".into(), zh.into()), ("en".into(), en.into())]),
    };
    vec![
        t("releases", "🆕", "产品新功能/新版本", "Releases"),
        t("news", "📰", "新闻与访谈", "News and interviews"),
        t("discussions", "💬", "讨论与分享", "Discussions"),
        t("reports", "📄", "报告查看与分析", "Reports"),
        t("products", "💁", "产品/方案介绍", "Products and solutions"),
        t("memes", "🤔", "有意思的事与 Meme", "Fun and memes"),
    ]
}

impl Config {
    pub fn default_language(&self) -> &str {
        &self.languages[LangId::DEFAULT].code
    }

    /// The configured language `code`, if it is one.
    pub fn language(&self, code: &str) -> Option<&Language> {
        self.language_index(code).map(|l| &self.languages[l])
    }

    /// Where language `code` is in [`Config::languages`] (0 is the default), if configured.
    pub fn language_index(&self, code: &str) -> Option<LangId> {
        self.languages.iter().position(|l| l.code == code).map(LangId)
    }

    pub fn topic_index(&self, key: &str) -> Option<TopicId> {
        self.topics.iter().position(|t| t.key == key).map(TopicId)
    }

    /// The scheme, host and port of `base_url`, for making root-relative links absolute.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The Atom author of an issue without editors, in language `lang`.
    pub fn author(&self, lang: &str) -> &str {
        let language = self.language(lang).unwrap_or(&self.languages[LangId::DEFAULT]);
        language.author.as_deref().unwrap_or(&language.title)
    }
}

/// Lists the configured topic keys, for hints.
pub fn topic_hint(topics: &[Topic]) -> String {
    let keys: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
    format!("topics are: {}", keys.join(", "))
}

/// The hint for an unknown topic: the key probably meant, if one is close, and every key.
pub fn unknown_topic_hint(topics: &[Topic], written: &str) -> String {
    let close = topics
        .iter()
        .map(|t| (strsim::jaro_winkler(written, &t.key), &t.key))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8);
    match close {
        Some((_, key)) => format!("did you mean `{key}`? {}", topic_hint(topics)),
        None => topic_hint(topics),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::error::Diagnostics;
    use crate::site::layout::Address;

    fn parse(text: &str) -> Result<Config, Diagnostics> {
        Config::parse(Path::new("config.toml"), text)
    }

    const MINIMAL: &str = r#"
base_url = "https://example.org/sub/digest/"
default_language = "zh"
[languages.zh]
title = "月报"
[languages.en]
title = "Monthly"
"#;

    #[test]
    fn defaults_and_base_path() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.base_url, "https://example.org/sub/digest");
        assert_eq!(c.base_path, "/sub/digest");
        assert_eq!(c.origin(), "https://example.org");
        assert_eq!(c.topics.len(), 6);
        assert_eq!(c.topics[TopicId(0)].name("en"), "Releases");
        assert_eq!(c.languages[LangId(0)].code, "zh");
        assert_eq!(c.href("en", Address::Issue("2025-11")), "/sub/digest/en/2025-11/");
        assert_eq!(c.permalink("zh", Address::Home), "https://example.org/sub/digest/");
    }

    #[test]
    fn unknown_key_is_located() {
        let err = parse(&format!("{MINIMAL}\ntitel = \"x\"\n")).unwrap_err();
        let d = &err.0[0];
        assert_eq!(d.line, 9, "{d}");
        assert!(d.message.contains("titel"), "{d}");
    }

    #[test]
    fn source_names_are_unique_and_located() {
        let src = "[[sources]]\nname = \"a\"\nurl = \"https://x.org/feed\"\ntopic = \"news\"\n";
        let c = parse(&format!("{MINIMAL}{src}")).unwrap();
        assert_eq!(c.sources[0].line, 9);
        let err = parse(&format!("{MINIMAL}{src}{src}")).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].message, "two sources are named \"a\"");
        assert_eq!((err.0[0].line, err.0[0].column), (13, 8), "{err}");
    }

    #[test]
    fn unknown_source_topic_suggests_the_near_one() {
        let src = "[[sources]]\nname = \"a\"\nurl = \"https://x.org/feed\"\ntopic = \"new\"\n";
        let err = parse(&format!("{MINIMAL}{src}")).unwrap_err();
        assert_eq!(err.0[0].message, "source \"a\" names unknown topic \"new\"");
        assert_eq!((err.0[0].line, err.0[0].column), (11, 9));
        assert!(err.0[0].hint.as_deref().unwrap().starts_with("did you mean `news`? topics are: releases, news"));
    }

    #[test]
    fn missing_default_language() {
        let err = parse(&MINIMAL.replace("default_language = \"zh\"", "default_language = \"fr\"")).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        let d = &err.0[0];
        assert_eq!(d.message, "default_language \"fr\" has no [languages.fr] table");
        assert_eq!((d.line, d.column), (3, 20));
        assert_eq!(d.hint.as_deref(), Some("add [languages.fr] with a title"));
    }

    #[test]
    fn base_urls_are_encoded_once() {
        let c = parse(&MINIMAL.replace("https://example.org/sub/digest/", "https://Example.org/云原生/a b/")).unwrap();
        assert_eq!(c.base_url, "https://example.org/%E4%BA%91%E5%8E%9F%E7%94%9F/a%20b");
        assert_eq!(c.base_path, "/%E4%BA%91%E5%8E%9F%E7%94%9F/a%20b");
        assert_eq!(c.origin(), "https://example.org");
        assert_eq!(
            c.permalink("en", Address::Issue("x")),
            "https://example.org/%E4%BA%91%E5%8E%9F%E7%94%9F/a%20b/en/x/"
        );
        let c = parse(&MINIMAL.replace("https://example.org/sub/digest/", "https://例子.cn:8443")).unwrap();
        assert_eq!((c.base_url.as_str(), c.base_path.as_str()), ("https://xn--fsqu00a.cn:8443", ""));
        for bad in [
            "https://e.org/a/../b",
            "https://e.org/./b",
            "https://e.org/%2e%2e/b",
            "https://e.org/?q=1",
            "https://e.org/#x",
            "https://u:p@e.org/",
            "e.org/x",
            "mailto:a@e.org",
            "https://",
        ] {
            let err = parse(&MINIMAL.replace("https://example.org/sub/digest/", bad)).unwrap_err();
            assert!(err.0[0].message.starts_with("`base_url` "), "{bad}: {err}");
            assert_eq!((err.0[0].line, err.0[0].column), (2, 12), "{bad}");
        }
    }

    #[test]
    fn a_theme_is_a_folder_name_not_a_path() {
        assert_eq!(parse(&format!("theme = \"links\"\n{MINIMAL}")).unwrap().theme.as_deref(), Some("links"));
        assert_eq!(parse(&format!("theme = \"default\"\n{MINIMAL}")).unwrap().theme, None);
        for bad in ["../../x", "a/b", "", ".", "/etc", "x\\\\y"] {
            let err = parse(&format!("theme = \"{bad}\"\n{MINIMAL}")).unwrap_err();
            assert_eq!(
                err.0[0].message,
                format!("theme {:?} is not a folder name", bad.replace("\\\\", "\\")),
                "{bad}"
            );
            assert_eq!((err.0[0].line, err.0[0].column), (1, 9), "{bad}");
        }
    }

    #[test]
    fn feed_limit_defaults_to_a_year_and_zero_means_all() {
        assert_eq!(parse(MINIMAL).unwrap().feed_limit, Some(12));
        let with = |n: &str| parse(&format!("feed_limit = {n}\n{MINIMAL}")).unwrap().feed_limit;
        assert_eq!(with("0"), None);
        assert_eq!(with("3"), Some(3));
    }

    #[test]
    fn typography_rules_are_turned_off_by_name() {
        let c = parse(&format!("{MINIMAL}[check.typography]\ndisable = [\"space-dash\", \"fullwidth-bracket\"]\n"))
            .unwrap();
        let off: Vec<&str> = c.typography_disabled.iter().map(String::as_str).collect();
        assert_eq!(off, ["fullwidth-bracket", "space-dash"]);
        assert!(parse(MINIMAL).unwrap().typography_disabled.is_empty());
        let err = parse(&format!("{MINIMAL}[check.typography]\ndisable = [\"space-dahs\"]\n")).unwrap_err();
        assert_eq!(err.0[0].message, "unknown typography rule \"space-dahs\"");
        assert_eq!((err.0[0].line, err.0[0].column), (9, 12), "{err}");
        assert!(err.0[0].hint.as_deref().unwrap().starts_with("did you mean `space-dash`?"));
        let err = parse(&format!("{MINIMAL}[check.typography]\nenable = []\n")).unwrap_err();
        assert!(err.0[0].message.contains("unknown field `enable`"), "{err}");
    }

    #[test]
    fn bad_values_are_located_by_their_spans() {
        let err = parse(&MINIMAL.replace("https://example.org/sub/digest/", "ftp://x")).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (2, 12), "{err}");
        assert_eq!(err.0[0].message, "`base_url` is not an http(s) URL: \"ftp://x\"");
        let err = parse(&format!("{}\n[languages.EN]\ntitle = \"x\"\n", MINIMAL)).unwrap_err();
        assert_eq!(err.0[0].message, "\"EN\" is not a language code");
        assert_eq!(err.0[0].line, 9, "{err}");
    }
}
