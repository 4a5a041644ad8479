//! Fetch stage: turning a feed item into a draft entry file of an issue.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::error::Diagnostic;
use crate::site::config::{Config, Source};
use crate::site::text::clean_text;

/// The first line of every fetched body: the text is the source's, not the editor's.
pub const EXCERPT_MARK: &str = "> Excerpt from the source; rewrite it in your own words.";

/// Slugs are cut to about this many characters, at a word boundary.
const MAX_SLUG_CHARS: usize = 60;
/// And to this many bytes: 60 characters of four bytes, with `.md` and the temporary file's
/// name around them, went past the 255 bytes a file name may have.
const MAX_SLUG_BYTES: usize = 150;

/// What `fetch` keeps of a feed entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Plain text on one line; may be empty.
    pub title: String,
    /// The canonical link (see [`crate::links::canonical::canonical`]), when the entry has an http(s) one.
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub categories: Vec<String>,
    /// The summary (or, without one, the content) as safe Markdown.
    pub excerpt: String,
}

impl Item {
    /// `format` decides how plain-text summaries are read: XML feeds (RSS 0.9x/1.0 above all)
    /// often put escaped HTML in fields marked plain, while a JSON Feed's plain text is plain.
    pub fn from_entry(entry: &feed_rs::model::Entry, format: &feed_rs::model::FeedType) -> Item {
        let xml = *format != feed_rs::model::FeedType::JSON;
        let body = |text: &str, media: &dyn std::fmt::Display, base: Option<&str>| {
            if is_html(media) || (xml && ammonia::is_html(text)) {
                crate::fetch::excerpt::from_html(text, base)
            } else {
                crate::fetch::excerpt::from_text(text, base)
            }
        };
        let raw_link = entry
            .links
            .iter()
            .filter(|l| l.target.is_none() && l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .find_map(|l| crate::links::canonical::canonical(&l.href))
            // RSS items sometimes carry their address only as a permalink <guid>.
            .or_else(|| crate::links::canonical::canonical(&entry.id));
        let title = entry.title.as_ref().map(|t| plain_title(&t.content, is_html(&t.content_type))).unwrap_or_default();
        let base = raw_link.as_deref();
        let excerpt = match (&entry.summary, &entry.content) {
            (Some(s), _) if !s.content.trim().is_empty() => body(&s.content, &s.content_type, base),
            (_, Some(c)) => c.body.as_deref().map(|b| body(b, &c.content_type, base)).unwrap_or_default(),
            _ => String::new(),
        };
        let categories = entry
            .categories
            .iter()
            .map(|c| one_line(c.label.as_deref().unwrap_or(&c.term)))
            .filter(|c| !crate::site::slug::slugify(c).is_empty())
            .collect();
        Item { title, link: raw_link, published: entry.published.or(entry.updated), categories, excerpt }
    }
}

/// `text/html` and `application/xhtml+xml`; feed-rs marks plain-text fields `text/plain`.
fn is_html(media: &(impl std::fmt::Display + ?Sized)) -> bool {
    let media = media.to_string();
    media.ends_with("/html") || media.contains("xhtml")
}

/// A title as plain text on one line: tags of an HTML title removed, entities decoded.
fn plain_title(text: &str, html: bool) -> String {
    if !html {
        return one_line(text);
    }
    let stripped = ammonia::Builder::empty().clean(text).to_string();
    // ammonia serialises text with these five entities only.
    let decoded = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    one_line(&decoded)
}

/// Control characters removed, runs of whitespace (newlines included) made one space.
fn one_line(text: &str) -> String {
    clean_text(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The front matter of a fetched draft, in the order editors read it.
#[derive(Debug, Serialize)]
struct DraftFront<'a> {
    title: &'a str,
    original_title: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<toml::value::Datetime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    via: &'a str,
    draft: bool,
}

/// The whole text of the draft file for `item` (which must have a link).
pub fn render(item: &Item, source: &Source) -> Result<String, String> {
    let link = item.link.as_deref().ok_or("the item has no link")?;
    let title = if item.title.is_empty() { link } else { item.title.as_str() };
    let mut tags: Vec<String> = Vec::new();
    let mut slugs = HashSet::new();
    for tag in source.tags.iter().map(|t| one_line(t)).chain(item.categories.iter().cloned()) {
        let slug = crate::site::slug::slugify(&tag);
        if !slug.is_empty() && slugs.insert(slug) {
            tags.push(tag);
        }
    }
    let front = DraftFront {
        title,
        original_title: title,
        source: link,
        date: item.published.and_then(|d| toml_date(d.date_naive())),
        tags,
        via: &source.name,
        draft: true,
    };
    let toml = toml::to_string(&front).map_err(|e| format!("cannot write the front matter: {e}"))?;
    let mut text = format!("+++\n{toml}+++\n{EXCERPT_MARK}\n");
    if !item.excerpt.is_empty() {
        text.push('\n');
        text.push_str(&item.excerpt);
        text.push('\n');
    }
    // Whatever the feed held, the file must load; check before it reaches the site.
    let path = Path::new("draft.md");
    let split = crate::load::frontmatter::split(path, &text).map_err(|d| d.message)?;
    crate::load::frontmatter::parse::<crate::load::frontmatter::EntryFront>(path, &text, &split)
        .map_err(|d| d.message)?;
    Ok(text)
}

/// A TOML date; `None` for years TOML cannot write (before 0 or after 9999), which a hostile
/// or broken feed may claim: the draft is then written without a date.
fn toml_date(d: NaiveDate) -> Option<toml::value::Datetime> {
    let year = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let date = toml::value::Date { year, month: d.month() as u8, day: d.day() as u8 };
    Some(toml::value::Datetime { date: Some(date), time: None, offset: None })
}

/// A file name for `item`, not yet taken in the issue: from the title, else from the link.
pub fn slug(item: &Item, taken: &HashSet<String>) -> String {
    let from_link = || {
        let link = item.link.as_deref().and_then(|l| url::Url::parse(l).ok());
        let segment = link.as_ref().and_then(|u| u.path_segments()?.rev().find(|s| !s.is_empty()).map(str::to_string));
        crate::site::slug::slugify(&segment.unwrap_or_default())
    };
    let mut base = shorten(&crate::site::slug::slugify(&item.title));
    if base.is_empty() {
        base = shorten(&from_link());
    }
    if base.is_empty() {
        base = "item".into();
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

/// Cuts a slug at a `-` near [`MAX_SLUG_CHARS`] and trims characters a file name should not start or end with.
fn shorten(slug: &str) -> String {
    let mut out = String::new();
    for word in slug.split('-') {
        let len = out.chars().count() + word.chars().count();
        if !out.is_empty() && len >= MAX_SLUG_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().take(MAX_SLUG_CHARS));
    }
    if out.len() > MAX_SLUG_BYTES {
        let cut = (0..=MAX_SLUG_BYTES).rev().find(|i| out.is_char_boundary(*i)).unwrap_or(0);
        out.truncate(cut);
    }
    out.trim_matches(|c| c == '-' || c == '_').to_string()
}

/// Entry slugs already used in an issue folder, in any topic and language.
pub fn taken_slugs(issue_dir: &Path) -> HashSet<String> {
    let mut taken = HashSet::new();
    for topic in std::fs::read_dir(issue_dir).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(topic.path()).into_iter().flatten().flatten() {
            let name = file.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".md") {
                taken.insert(stem.split('.').next().unwrap_or(stem).to_string());
            }
        }
    }
    taken
}

/// Link keys (see [`crate::links::canonical::key`]) of every `source` in `content/`: all issues,
/// drafts and languages. Files that do not parse are skipped here; `build` reports them.
pub fn known_sources(root: &Path) -> HashSet<String> {
    #[derive(serde::Deserialize)]
    struct SourceOnly {
        source: Option<toml::Value>,
    }
    let mut known = HashSet::new();
    for file in walkdir::WalkDir::new(root.join("content")).into_iter().flatten() {
        if !file.file_type().is_file() || file.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file.path()) else { continue };
        let Ok(split) = crate::load::frontmatter::split(file.path(), &text) else { continue };
        let Ok(front) = toml::from_str::<SourceOnly>(split.front) else { continue };
        if let Some(key) = front.source.as_ref().and_then(toml::Value::as_str).and_then(crate::links::canonical::key) {
            known.insert(key);
        }
    }
    known
}

/// The issue's `_index.md`, for an issue that `fetch` creates.
#[derive(Debug, Serialize)]
struct IssueFront {
    title: String,
    date: toml::value::Datetime,
    draft: bool,
}

/// Creates `content/<month>/_index.md` as a draft when the issue has no index file yet.
/// Returns whether it was created.
pub fn ensure_issue(root: &Path, config: &Config, month: &str) -> Result<bool, Diagnostic> {
    let dir = root.join("content").join(month);
    let rel = Path::new("content").join(month).join("_index.md");
    let has_index = std::fs::read_dir(&dir).into_iter().flatten().flatten().any(|f| {
        let name = f.file_name().to_string_lossy().to_string();
        name == "_index.md" || (name.starts_with("_index.") && name.ends_with(".md"))
    });
    if has_index {
        return Ok(false);
    }
    let (y, m) = crate::site::month::parse_issue_key(month)
        .ok_or_else(|| Diagnostic::file(&rel, format!("{month:?} is not a month (YYYY-MM)")))?;
    let last_day = crate::site::month::last_day_of_month(y, m)
        .ok_or_else(|| Diagnostic::file(&rel, format!("{month:?} is out of range")))?;
    let lang = &config.languages[crate::site::LangId::DEFAULT];
    let front = IssueFront {
        title: crate::site::i18n::issue_title(config, &lang.code, y, m),
        date: toml_date(last_day).ok_or_else(|| Diagnostic::file(&rel, format!("{month:?} is out of range")))?,
        draft: true,
    };
    let toml = toml::to_string(&front).map_err(|e| Diagnostic::file(&rel, format!("cannot write: {e}")))?;
    crate::site::sources::check_in_content(root, &rel)?;
    std::fs::create_dir_all(&dir).map_err(|e| Diagnostic::io(&rel, &e))?;
    crate::write::write_new(&root.join(&rel), &format!("+++\n{toml}+++\n")).map_err(|e| Diagnostic::io(&rel, &e))?;
    Ok(true)
}

/// `content/<month>/<topic>/<slug>.md`, relative to the site root.
pub fn entry_path(month: &str, topic: &str, slug: &str) -> PathBuf {
    Path::new("content").join(month).join(topic).join(format!("{slug}.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            name: "k8s \"blog\"".into(),
            url: "https://k8s.io/feed.xml".into(),
            topic: "news".into(),
            tags: vec!["kubernetes".into(), "Kubernetes".into()],
            include: vec![],
            exclude: vec![],
            line: 1,
        }
    }

    fn item(title: &str) -> Item {
        Item {
            title: title.into(),
            link: Some("https://k8s.io/blog/x/".into()),
            published: DateTime::parse_from_rfc3339("2025-11-06T10:00:00+08:00").ok().map(|d| d.to_utc()),
            categories: vec!["Gateway API".into(), "kubernetes".into()],
            excerpt: "Text.".into(),
        }
    }

    #[test]
    fn hostile_titles_round_trip_through_toml() {
        for title in
            ["a \"quoted\" title", "\"\"\" triple", "]]> cdata", "+++", "back\\slash", "<script>x</script>", "'''"]
        {
            let text = render(&item(title), &source()).unwrap();
            let split = crate::load::frontmatter::split(Path::new("a.md"), &text).unwrap();
            let front: crate::load::frontmatter::EntryFront =
                crate::load::frontmatter::parse(Path::new("a.md"), &text, &split).unwrap();
            assert_eq!(front.title, title);
            assert_eq!(front.original_title.as_deref(), Some(title));
            assert!(front.draft);
            assert_eq!(front.via.as_deref(), Some("k8s \"blog\""));
            assert_eq!(front.tags, ["kubernetes", "Gateway API"]);
            assert!(split.body.starts_with(EXCERPT_MARK), "{text}");
        }
    }

    #[test]
    fn impossible_years_leave_the_date_out() {
        for at in ["+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"] {
            let mut i = item("x");
            i.published = DateTime::parse_from_rfc3339(at).ok().map(|d| d.to_utc()).or_else(|| {
                let y = if at.starts_with('+') { 10000 } else { -1 };
                NaiveDate::from_ymd_opt(y, 1, 1).map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc())
            });
            assert!(i.published.is_some());
            let text = render(&i, &source()).unwrap();
            assert!(!text.contains("\ndate = "), "{text}");
        }
    }

    #[test]
    fn date_is_the_utc_day() {
        let text = render(&item("x"), &source()).unwrap();
        assert!(text.contains("\ndate = 2025-11-06\n"), "{text}");
    }

    #[test]
    fn html_titles_become_text() {
        assert_eq!(plain_title("<b>Bold</b> &amp; <script>x</script>more\n  lines", true), "Bold & more lines");
        assert_eq!(plain_title("a <b> b\u{1}", false), "a <b> b");
    }

    #[test]
    fn slugs_are_safe_short_and_unique() {
        let taken = HashSet::from(["gateway-api-1-4".to_string()]);
        assert_eq!(slug(&item("Gateway API 1.4"), &taken), "gateway-api-1-4-2");
        assert_eq!(slug(&item("网关 API"), &taken), "网关-api");
        assert_eq!(slug(&item("!!!"), &taken), "x");
        assert_eq!(slug(&item("_index"), &taken), "index");
        let long = slug(&item(&"word ".repeat(40)), &taken);
        assert!(long.chars().count() <= MAX_SLUG_CHARS && crate::site::slug::is_safe_segment(&long), "{long}");
        // Letters of four bytes (CJK extension B): cut by bytes too.
        let wide = slug(&item(&"𠀀".repeat(70)), &taken);
        assert_eq!(wide, "𠀀".repeat(MAX_SLUG_BYTES / 4));
        let mut no_link = item("");
        no_link.link = None;
        assert_eq!(slug(&no_link, &taken), "item");
    }
}
