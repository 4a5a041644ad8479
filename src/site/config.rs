//! The data model's configuration: `config.toml`, validated, with defaults for topics.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use toml::Spanned;

use crate::error::{Diagnostic, Diagnostics, line_col};
use crate::load::frontmatter::toml_error;

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
    pub languages: Vec<Language>,
    pub topics: Vec<Topic>,
    pub sources: Vec<Source>,
    pub theme: Option<String>,
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: Spanned<String>,
    default_language: Spanned<String>,
    theme: Option<Spanned<String>>,
    feed_limit: Option<Spanned<usize>>,
    languages: BTreeMap<Spanned<String>, RawLanguage>,
    #[serde(default)]
    topics: Vec<RawTopic>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    check: RawCheck,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(default)]
    typography: RawTypography,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTypography {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    #[serde(default)]
    allow_html: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    title: String,
    #[serde(default)]
    description: String,
    author: Option<String>,
    #[serde(default)]
    ui: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    key: Spanned<String>,
    #[serde(default)]
    emoji: String,
    #[serde(default)]
    name: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    url: String,
    topic: Spanned<String>,
    /// The language of the feed's items: accepted for the editor's reference (docs/fetch.md);
    /// drafts are main files in any case.
    #[allow(dead_code)]
    lang: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

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
    "fullwidth-bracket",
];

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

/// Parsing state: the text (to turn spans into lines) and the problems found so far.
struct Parsing<'a> {
    path: &'a Path,
    text: &'a str,
    diags: Diagnostics,
}

impl Parsing<'_> {
    fn error(&mut self, span: std::ops::Range<usize>, message: String, hint: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.diags.push(Diagnostic::error(self.path, line, column, message).with_hint(hint));
    }

    fn line(&self, span: std::ops::Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// `base_url`, checked and encoded.
    fn base_url(&mut self, raw: &Spanned<String>) -> BaseUrl {
        match BaseUrl::parse(raw.get_ref()) {
            Ok(parts) => parts,
            Err(message) => {
                self.error(
                    raw.span(),
                    format!("`base_url` {message}: {:?}", raw.get_ref()),
                    "write the absolute address of the site, e.g. \"https://digest.example.org\"",
                );
                BaseUrl::default()
            }
        }
    }

    /// `theme`: a plain folder name under `themes/` (never a path), `None` for the built-in one.
    fn theme(&mut self, raw: Spanned<String>) -> Option<String> {
        let name = raw.get_ref();
        if !crate::site::slug::is_safe_segment(name) {
            self.error(
                raw.span(),
                format!("theme {name:?} is not a folder name"),
                "name a folder of themes/ with letters, digits and hyphens, e.g. theme = \"links\"",
            );
            return None;
        }
        (name != "default").then(|| raw.into_inner())
    }

    /// The languages, the default first, then the others in alphabetical order.
    fn languages(&mut self, raw: BTreeMap<Spanned<String>, RawLanguage>, default: &Spanned<String>) -> Vec<Language> {
        if !raw.keys().any(|k| k.get_ref() == default.get_ref()) {
            let d = default.get_ref();
            self.error(
                default.span(),
                format!("default_language {d:?} has no [languages.{d}] table"),
                format!("add [languages.{d}] with a title"),
            );
        }
        let mut languages = Vec::new();
        for (code, l) in raw {
            if !is_language_code(code.get_ref()) {
                let message = format!("{:?} is not a language code", code.get_ref());
                self.error(code.span(), message, "use a lowercase code such as \"zh\", \"en\" or \"pt-br\"");
            }
            let at = line_col(self.text, code.span().start);
            let code = code.into_inner();
            languages.push(Language {
                code,
                title: l.title,
                description: l.description,
                author: l.author,
                ui: l.ui,
                at,
            });
        }
        languages.sort_by_key(|l| (&l.code != default.get_ref(), l.code.clone()));
        languages
    }

    fn topics(&mut self, raw: Vec<RawTopic>) -> Vec<Topic> {
        if raw.is_empty() {
            return default_topics();
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &raw {
            let key = t.key.get_ref();
            if !crate::site::slug::is_safe_segment(key) || !seen.insert(key.clone()) {
                let message = format!("topic key {key:?} is invalid or repeated");
                self.error(t.key.span(), message, "topic keys are unique folder names such as \"releases\"");
            }
        }
        raw.into_iter().map(|t| Topic { key: t.key.into_inner(), emoji: t.emoji, names: t.name }).collect()
    }

    fn sources(&mut self, raw: Vec<RawSource>, topics: &[Topic]) -> Vec<Source> {
        let mut names = std::collections::BTreeSet::new();
        let mut sources = Vec::new();
        for s in raw {
            let line = self.line(s.name.span());
            if !names.insert(s.name.get_ref().clone()) {
                let message = format!("two sources are named {:?}", s.name.get_ref());
                self.error(s.name.span(), message, "source names must be unique: fetch remembers what it saw per name");
            }
            if !topics.iter().any(|t| &t.key == s.topic.get_ref()) {
                let message = format!("source {:?} names unknown topic {:?}", s.name.get_ref(), s.topic.get_ref());
                self.error(s.topic.span(), message, unknown_topic_hint(topics, s.topic.get_ref()));
            }
            sources.push(Source {
                name: s.name.into_inner(),
                url: s.url,
                topic: s.topic.into_inner(),
                tags: s.tags,
                include: s.include,
                exclude: s.exclude,
                line,
            });
        }
        sources
    }

    /// The typography rules turned off, each a known name.
    fn typography_disabled(&mut self, raw: Vec<Spanned<String>>) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for name in raw {
            let written = name.get_ref();
            if TYPOGRAPHY_RULES.contains(&written.as_str()) {
                out.insert(written.clone());
                continue;
            }
            let close = TYPOGRAPHY_RULES
                .iter()
                .map(|r| (strsim::jaro_winkler(written, r), *r))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(score, _)| *score > 0.8);
            let rules = TYPOGRAPHY_RULES.join(", ");
            let hint = match close {
                Some((_, r)) => format!("did you mean `{r}`? rules are: {rules}"),
                None => format!("rules are: {rules}"),
            };
            self.error(name.span(), format!("unknown typography rule {written:?}"), hint);
        }
        out
    }
}

/// A site address, split and encoded once.
#[derive(Default)]
struct BaseUrl {
    full: String,
    path: String,
    origin: String,
}

impl BaseUrl {
    /// Checks a site address: http(s), a host, no query, fragment or credentials, no `.` or
    /// `..` segment (which a browser would resolve elsewhere). The host is written in ASCII
    /// (punycode) and the path percent-encoded, as every link will carry them.
    fn parse(written: &str) -> Result<BaseUrl, &'static str> {
        let u = url::Url::parse(written.trim()).map_err(|_| "is not an http(s) URL")?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
            return Err("is not an http(s) URL");
        }
        if u.query().is_some() || u.fragment().is_some() {
            return Err("has a query or a fragment, which no page address can follow");
        }
        if !u.username().is_empty() || u.password().is_some() {
            return Err("holds a user name or password");
        }
        // Read the path as the URL parser does, which resolves the dot segments before we could see
        // them in `u`: tabs and newlines dropped anywhere, `\` for `/`, slashes after the scheme
        // optional (`https:e.org/..`), and `%2e` in any case. The fuzz target `frontmatter_config`
        // caught `%2E%2e`; `\..\` and `https:host/../` slipped through the same way.
        let seen: String = written.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        let after_scheme = seen.split_once(':').map_or("", |(_, rest)| rest).trim_start_matches(['/', '\\']);
        let raw_path = after_scheme.find(['/', '\\']).map_or("", |i| &after_scheme[i..]);
        let dots = |seg: &str| matches!(seg.to_ascii_lowercase().replace("%2e", ".").as_str(), "." | "..");
        if raw_path.split(['/', '\\']).any(dots) {
            return Err("has a `.` or `..` segment in its path");
        }
        let origin = u.origin().ascii_serialization();
        let path = u.path().trim_end_matches('/').to_string();
        Ok(BaseUrl { full: format!("{origin}{path}"), path, origin })
    }
}

impl Config {
    /// Reads `config.toml` from the site root.
    pub fn load(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join("config.toml");
        let bytes =
            crate::site::limits::read_source(&path, &path).map_err(|d| match d.message.starts_with("cannot") {
                true => d.with_hint("a site is a folder with a config.toml; create one with `digest init DIR`"),
                false => d,
            })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (l, c) = line_col(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
            Diagnostic::error(&path, l, c, "the file is not valid UTF-8").with_hint("save it as UTF-8")
        })?;
        Self::parse(&path, &text)
    }

    /// Parses configuration text; `path` is used in diagnostics only.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostics> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, 0, &e))?;
        let mut p = Parsing { path, text, diags: Diagnostics::new() };
        let base = p.base_url(&raw.base_url);
        let languages = p.languages(raw.languages, &raw.default_language);
        let topics = p.topics(raw.topics);
        let sources = p.sources(raw.sources, &topics);
        let typography_disabled = p.typography_disabled(raw.check.typography.disable);
        let theme = raw.theme.and_then(|t| p.theme(t));
        p.diags.into_result(Config {
            base_url: base.full,
            base_path: base.path,
            origin: base.origin,
            languages,
            topics,
            sources,
            theme,
            feed_limit: match raw.feed_limit.map(Spanned::into_inner) {
                None => Some(DEFAULT_FEED_LIMIT),
                Some(0) => None,
                Some(n) => Some(n),
            },
            allow_html: raw.markdown.allow_html,
            typography_disabled,
            path: path.to_path_buf(),
        })
    }

    /// Replaces the site address (for `--base-url` and `serve`).
    pub fn set_base_url(&mut self, base_url: &str) -> Result<(), String> {
        let base = BaseUrl::parse(base_url).map_err(|m| format!("--base-url {m}: {base_url:?}"))?;
        self.base_url = base.full;
        self.base_path = base.path;
        self.origin = base.origin;
        Ok(())
    }

    pub fn default_language(&self) -> &str {
        &self.languages[0].code
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    pub fn topic_index(&self, key: &str) -> Option<usize> {
        self.topics.iter().position(|t| t.key == key)
    }

    /// Root-relative link to a site path (`path` starts with `/`), including the base path.
    pub fn href(&self, lang: &str, path: &str) -> String {
        self.join(&self.base_path, lang, path)
    }

    /// Absolute URL of a site path (`path` starts with `/`).
    pub fn permalink(&self, lang: &str, path: &str) -> String {
        self.join(&self.base_url, lang, path)
    }

    /// `start` + language prefix + `path`, without `format!`: every page asks for dozens.
    fn join(&self, start: &str, lang: &str, path: &str) -> String {
        let mut s = String::with_capacity(start.len() + lang.len() + 1 + path.len());
        s.push_str(start);
        if lang != self.default_language() {
            s.push('/');
            s.push_str(lang);
        }
        s.push_str(path);
        s
    }

    /// The scheme, host and port of `base_url`, for making root-relative links absolute.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The Atom author of an issue without editors, in language `lang`.
    pub fn author(&self, lang: &str) -> &str {
        let language = self.language(lang).unwrap_or(&self.languages[0]);
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

fn is_language_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 12
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && !code.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.topics[0].name("en"), "Releases");
        assert_eq!(c.languages[0].code, "zh");
        assert_eq!(c.href("en", "/2025-11/"), "/sub/digest/en/2025-11/");
        assert_eq!(c.permalink("zh", "/"), "https://example.org/sub/digest/");
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
        assert_eq!(c.permalink("en", "/x/"), "https://example.org/%E4%BA%91%E5%8E%9F%E7%94%9F/a%20b/en/x/");
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
