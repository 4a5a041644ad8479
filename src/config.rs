//! Load stage: `config.toml`, with defaults for topics and validated URLs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Diagnostics};
use crate::frontmatter::toml_error;

/// The site's configuration, validated and with defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute URL of the site, without a trailing slash (`https://example.org/sub`).
    pub base_url: String,
    /// The path part of `base_url`, without a trailing slash (`/sub`, or empty).
    pub base_path: String,
    /// Languages, the default first, then the others in alphabetical order.
    pub languages: Vec<Language>,
    pub topics: Vec<Topic>,
    pub sources: Vec<Source>,
    pub theme: Option<String>,
    /// How many items the feeds carry, newest first: issues in the language feeds, entries in
    /// the topic feeds. `None`: every one.
    pub feed_limit: Option<usize>,
    /// Pass raw HTML in Markdown through; by default it is shown as text.
    pub allow_html: bool,
    /// Where the configuration was read from (for diagnostics).
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Language {
    pub code: String,
    pub title: String,
    pub description: String,
    /// Overrides of the theme's interface text, by key.
    pub ui: BTreeMap<String, String>,
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
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    pub url: String,
    pub topic: String,
    /// Language of the feed's items; the default language when absent.
    pub lang: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Keep only items whose title contains one of these words (case-insensitive).
    #[serde(default)]
    pub include: Vec<String>,
    /// Drop items whose title contains one of these words (case-insensitive).
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: String,
    default_language: String,
    theme: Option<String>,
    feed_limit: Option<usize>,
    languages: BTreeMap<String, RawLanguage>,
    #[serde(default)]
    topics: Vec<RawTopic>,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    markdown: RawMarkdown,
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
    #[serde(default)]
    ui: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    key: String,
    #[serde(default)]
    emoji: String,
    #[serde(default)]
    name: BTreeMap<String, String>,
}

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
    /// Reads `config.toml` from the site root.
    pub fn load(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join("config.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::io(&path, &e)
                .with_hint("a site is a folder with a config.toml; create one with `digest init DIR`")
        })?;
        Self::parse(&path, &text)
    }

    /// Parses configuration text; `path` is used in diagnostics only.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostics> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, 0, &e))?;
        let at =
            |needle: &str| -> (usize, usize) { text.find(needle).map_or((1, 1), |i| crate::error::line_col(text, i)) };
        let mut diags = Diagnostics::new();

        let (base_url, base_path) = match url::Url::parse(&raw.base_url) {
            Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {
                let full = raw.base_url.trim_end_matches('/').to_string();
                let base_path = u.path().trim_end_matches('/').to_string();
                (full, base_path)
            }
            _ => {
                let (l, c) = at("base_url");
                diags.push(
                    Diagnostic::error(path, l, c, format!("`base_url` is not an http(s) URL: {:?}", raw.base_url))
                        .with_hint("write the absolute address of the site, e.g. \"https://digest.example.org\""),
                );
                (String::new(), String::new())
            }
        };

        if raw.feed_limit == Some(0) {
            let (l, c) = at("feed_limit");
            diags.push(
                Diagnostic::error(path, l, c, "`feed_limit` is 0: the feeds would be empty").with_hint(
                    "give the number of newest items each feed carries, e.g. 20, or remove the line for all",
                ),
            );
        }

        if !raw.languages.contains_key(&raw.default_language) {
            let (l, c) = at("default_language");
            diags.push(
                Diagnostic::error(
                    path,
                    l,
                    c,
                    format!(
                        "default_language {:?} has no [languages.{}] table",
                        raw.default_language, raw.default_language
                    ),
                )
                .with_hint(format!("add [languages.{}] with a title", raw.default_language)),
            );
        }
        for code in raw.languages.keys() {
            if !is_language_code(code) {
                let (l, c) = at(&format!("languages.{code}"));
                diags.push(
                    Diagnostic::error(path, l, c, format!("{code:?} is not a language code"))
                        .with_hint("use a lowercase code such as \"zh\", \"en\" or \"pt-br\""),
                );
            }
        }

        let mut languages: Vec<Language> = raw
            .languages
            .into_iter()
            .map(|(code, l)| Language { code, title: l.title, description: l.description, ui: l.ui })
            .collect();
        languages.sort_by_key(|l| (l.code != raw.default_language, l.code.clone()));

        let topics = if raw.topics.is_empty() {
            default_topics()
        } else {
            let mut seen = std::collections::BTreeSet::new();
            for t in &raw.topics {
                if !crate::slug::is_safe_segment(&t.key) || !seen.insert(t.key.clone()) {
                    let (l, c) = at(&format!("\"{}\"", t.key));
                    diags.push(
                        Diagnostic::error(path, l, c, format!("topic key {:?} is invalid or repeated", t.key))
                            .with_hint("topic keys are unique folder names such as \"releases\""),
                    );
                }
            }
            raw.topics.into_iter().map(|t| Topic { key: t.key, emoji: t.emoji, names: t.name }).collect()
        };

        let mut names = std::collections::BTreeSet::new();
        for s in &raw.sources {
            if !names.insert(s.name.as_str()) {
                let (l, c) = at(&format!("\"{}\"", s.name));
                diags.push(
                    Diagnostic::error(path, l, c, format!("two sources are named {:?}", s.name))
                        .with_hint("source names must be unique: fetch remembers what it saw per name"),
                );
            }
            if !topics.iter().any(|t| t.key == s.topic) {
                let (l, c) = at(&format!("\"{}\"", s.topic));
                diags.push(
                    Diagnostic::error(path, l, c, format!("source {:?} names unknown topic {:?}", s.name, s.topic))
                        .with_hint(topic_hint(&topics)),
                );
            }
        }

        diags.into_result(Config {
            base_url,
            base_path,
            languages,
            topics,
            sources: raw.sources,
            theme: raw.theme.filter(|t| t != "default"),
            feed_limit: raw.feed_limit,
            allow_html: raw.markdown.allow_html,
            path: path.to_path_buf(),
        })
    }

    /// Replaces the site address (for `--base-url` and `serve`).
    pub fn set_base_url(&mut self, base_url: &str) -> Result<(), String> {
        let u = url::Url::parse(base_url).map_err(|e| format!("invalid --base-url {base_url:?}: {e}"))?;
        if u.scheme() != "http" && u.scheme() != "https" {
            return Err(format!("--base-url must be an http(s) URL, not {base_url:?}"));
        }
        self.base_url = base_url.trim_end_matches('/').to_string();
        self.base_path = u.path().trim_end_matches('/').to_string();
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

    /// The URL path prefix of a language: empty for the default, `/en` otherwise.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.default_language() { String::new() } else { format!("/{lang}") }
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
        &self.base_url[..self.base_url.len() - self.base_path.len()]
    }
}

/// Lists the configured topic keys, for hints.
pub fn topic_hint(topics: &[Topic]) -> String {
    let keys: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
    format!("topics are: {}", keys.join(", "))
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
    fn source_names_are_unique() {
        let src = "[[sources]]\nname = \"a\"\nurl = \"https://x.org/feed\"\ntopic = \"news\"\n";
        let err = parse(&format!("{MINIMAL}{src}{src}")).unwrap_err();
        assert!(err.0[0].message.contains("two sources are named \"a\""), "{}", err);
    }

    #[test]
    fn missing_default_language() {
        let err = parse(&MINIMAL.replace("default_language = \"zh\"", "default_language = \"fr\"")).unwrap_err();
        assert!(err.0[0].message.contains("fr"));
        assert_eq!(err.0[0].line, 3);
    }
}
