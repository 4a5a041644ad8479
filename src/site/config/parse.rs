//! `config.toml` read and validated into a [`Config`]: every problem reported at its line and
//! column, all of them at once.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Config, DEFAULT_FEED_LIMIT, Language, Source, TYPOGRAPHY_RULES, Topic, default_topics, unknown_topic_hint,
};
use crate::error::{Diagnostic, Diagnostics, line_col, toml_error};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: Spanned<String>,
    default_language: Spanned<String>,
    theme: Option<Spanned<String>>,
    #[serde(default)]
    default_theme_source: bool,
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
        let theme_at = raw.theme.as_ref().map_or((1, 1), |t| line_col(text, t.span().start));
        let theme = raw.theme.and_then(|t| p.theme(t));
        p.diags.into_result(Config {
            base_url: base.full,
            base_path: base.path,
            origin: base.origin,
            languages: languages.into(),
            topics: topics.into(),
            sources,
            theme,
            theme_at,
            default_theme_source: raw.default_theme_source,
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
}

fn is_language_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 12
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && !code.starts_with('-')
}
