//! Load stage: one content file read, its front matter checked and its Markdown rendered.

use std::path::Path;

use chrono::NaiveDate;

use super::frontmatter::{self, EntryFront, IssueFront, IssueTranslationFront, Link, Split, TranslationFront};
use super::markdown;
use super::walk::FoundFile;
use crate::error::{Diagnostic, line_col};
use crate::site::config::Config;
use crate::site::layout::{self, Address};
use crate::site::naming::{INDEX, file_name};
use crate::site::text::{clean, clean_text};
use crate::site::{EntryText, FurtherReading, IssueText};

pub(crate) enum Parsed {
    Issue(Box<ParsedIssue>),
    Entry(Box<ParsedEntry>),
}

pub(crate) struct ParsedIssue {
    /// Present in the main file only.
    pub(crate) main: Option<IssueMain>,
    pub(crate) text: IssueText,
}

pub(crate) struct IssueMain {
    pub(crate) date: Option<NaiveDate>,
    pub(crate) number: Option<u32>,
    pub(crate) editors: Vec<String>,
    pub(crate) draft: bool,
    pub(crate) cover: Option<crate::site::Cover>,
}

pub(crate) struct ParsedEntry {
    /// Present in the main file only.
    pub(crate) main: Option<EntryMain>,
    pub(crate) text: EntryText,
}

pub(crate) struct EntryMain {
    pub(crate) source: Option<String>,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) weight: i64,
    pub(crate) tags: Vec<String>,
    pub(crate) draft: bool,
    pub(crate) via: Option<String>,
}

/// Whether `f` is the main file of its group: the default language's, or else the first
/// language's (in config order) that has one.
fn is_main(root: &Path, config: &Config, f: &FoundFile) -> bool {
    if f.lang == config.default_language() {
        return true;
    }
    let dir = root.join(f.path.parent().unwrap_or(Path::new("")));
    for l in &config.languages {
        if dir.join(file_name(config, &f.slug, &l.code)).is_file() {
            return l.code == f.lang;
        }
    }
    true
}

/// A file being parsed: its text, split, and what its Markdown needs.
struct Source<'a> {
    config: &'a Config,
    path: &'a Path,
    text: &'a str,
    split: Split<'a>,
    /// The site folder of the file (its issue's or its topic's page), for relative links.
    dir: Address<'a>,
    /// The language of the file, which its relative links resolve in.
    lang: &'a str,
}

impl Source<'_> {
    /// The body of the file rendered (`note` false), or the `editor_note` field (true).
    fn markdown(&self, text: &str, id_prefix: &str, note: bool) -> Result<crate::site::Rendered, Diagnostic> {
        let resolve = |link: &str| self.config.relative_link(self.lang, self.dir, link);
        let opts = markdown::Options {
            id_prefix,
            base_path: &self.config.base_path,
            relative: Some(&resolve),
            allow_html: self.config.allow_html,
        };
        markdown::render(&clean(text), &opts).map_err(|deep| {
            let at = match note {
                // The note is a TOML string: point at its key.
                false => self.text.len() - self.split.body.len() + deep.offset,
                true => self.split.front.find("editor_note").map_or(0, |i| i + self.split.front_offset),
            };
            let (l, c) = line_col(self.text, at);
            let what = if note { "the editor's note" } else { "the Markdown" };
            Diagnostic::error(
                self.path,
                l,
                c,
                format!("{what} nests more than {} elements (quotes, lists, emphasis…) here", markdown::MAX_NESTING),
            )
            .with_hint("flatten the nesting: no page needs more than a few levels of quotes or lists")
        })
    }

    fn front<T: serde::de::DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        frontmatter::parse(self.path, self.text, &self.split)
    }

    fn date(&self, value: Option<&toml::Spanned<toml::Value>>) -> Result<Option<NaiveDate>, Diagnostic> {
        value.map(|d| frontmatter::date(self.path, self.text, &self.split, d)).transpose()
    }

    /// The error for a translation setting a field it inherits from `main`.
    fn inherited_error(&self, field: &str, span: std::ops::Range<usize>, main: &str) -> Diagnostic {
        // The span covers the value; point at the start of its line, where the key is.
        let start = self.text[..self.split.front_offset + span.start].rfind('\n').map_or(0, |i| i + 1);
        let (l, c) = line_col(self.text, start);
        Diagnostic::error(self.path, l, c, format!("a translation cannot set `{field}`; it is inherited from {main}"))
            .with_hint(format!("remove `{field}` here and set it in {main}"))
    }

    fn http_url(&self, url: &toml::Spanned<String>) -> Result<String, Diagnostic> {
        let value = clean_text(url.get_ref().trim());
        match url::Url::parse(&value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(value),
            _ => {
                let (l, c) = line_col(self.text, self.split.front_offset + url.span().start);
                Err(Diagnostic::error(self.path, l, c, format!("{value:?} is not an http(s) URL"))
                    .with_hint("links must be absolute, e.g. \"https://kubernetes.io/blog/\""))
            }
        }
    }
}

/// Reads and parses one content file.
pub(crate) fn parse_file(root: &Path, config: &Config, f: &FoundFile) -> Result<Parsed, Diagnostic> {
    let raw = crate::site::limits::read_source(&root.join(&f.path), &f.path)?;
    let text = String::from_utf8(raw).map_err(|e| {
        let (l, c) = line_col(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
        Diagnostic::error(&f.path, l, c, "the file is not valid UTF-8").with_hint("save it as UTF-8")
    })?;
    let split = frontmatter::split(&f.path, &text)?;
    // The folder relative links are written from: the page of the issue or of the entry's topic.
    let dir = match f.topic {
        Some(t) => Address::IssueTopic { issue: &f.issue, topic: &config.topics[t].key },
        None => Address::Issue(&f.issue),
    };
    let src = Source { config, path: &f.path, text: &text, split, dir, lang: &f.lang };
    let main = is_main(root, config, f);
    match f.topic {
        None => parse_issue(&src, main).map(|p| Parsed::Issue(Box::new(p))),
        Some(t) => parse_entry(&src, main, &config.topics[t].key, &f.slug).map(|p| Parsed::Entry(Box::new(p))),
    }
}

fn parse_issue(src: &Source, main: bool) -> Result<ParsedIssue, Diagnostic> {
    let text = |title: &str, summary: Option<&str>| -> Result<IssueText, Diagnostic> {
        Ok(IssueText {
            title: clean_text(title),
            summary: summary.map(clean_text),
            intro: src.markdown(src.split.body, "", false)?,
            path: src.path.to_path_buf(),
        })
    };
    if main {
        let fm: IssueFront = src.front()?;
        let date = src.date(fm.date.as_ref())?;
        let cover = fm.cover.map(|c| {
            let (line, column) = line_col(src.text, src.split.front_offset + c.span().start);
            crate::site::Cover { written: c.into_inner(), line, column }
        });
        let main = IssueMain { date, number: fm.number, editors: fm.editors, draft: fm.draft, cover };
        return Ok(ParsedIssue { main: Some(main), text: text(&fm.title, fm.summary.as_deref())? });
    }
    let fm: IssueTranslationFront = src.front()?;
    if let Some((field, span)) = fm.inherited_fields().into_iter().next() {
        return Err(src.inherited_error(field, span, &format!("{INDEX}.md")));
    }
    Ok(ParsedIssue { main: None, text: text(&fm.title, fm.summary.as_deref())? })
}

/// The language-specific fields, from a main file or a translation.
struct EntryTexts {
    title: String,
    original_title: Option<String>,
    editor_note: Option<String>,
    further_reading: Vec<Link>,
}

fn parse_entry(src: &Source, main: bool, topic: &str, slug: &str) -> Result<ParsedEntry, Diagnostic> {
    let (main_fields, texts) = if main {
        let fm: EntryFront = src.front()?;
        let date = src.date(fm.date.as_ref())?;
        let source = fm.source.as_ref().map(|s| src.http_url(s)).transpose()?;
        let main = EntryMain { source, date, weight: fm.weight, tags: fm.tags, draft: fm.draft, via: fm.via };
        let texts = EntryTexts {
            title: fm.title,
            original_title: fm.original_title,
            editor_note: fm.editor_note,
            further_reading: fm.further_reading,
        };
        (Some(main), texts)
    } else {
        let fm: TranslationFront = src.front()?;
        if let Some((field, span)) = fm.inherited_fields().into_iter().next() {
            return Err(src.inherited_error(field, span, &format!("{slug}.md")));
        }
        let texts = EntryTexts {
            title: fm.title,
            original_title: fm.original_title,
            editor_note: fm.editor_note,
            further_reading: fm.further_reading,
        };
        (None, texts)
    };
    let further_reading = texts
        .further_reading
        .iter()
        .map(|l| Ok(FurtherReading { title: clean_text(&l.title), url: src.http_url(&l.url)?, lang: None }))
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    if texts.title.trim().is_empty() {
        let (l, c) = line_col(src.text, src.split.front_offset);
        return Err(
            Diagnostic::error(src.path, l, c, "the title is empty").with_hint("write the entry's headline in `title`")
        );
    }
    // Heading ids start with the entry's anchor: an issue page shows many entries' headings.
    let prefix = format!("{}-", layout::entry_anchor(topic, slug));
    let editor_note = texts
        .editor_note
        .as_deref()
        .map(|n| src.markdown(n, &format!("{prefix}note-"), true).map(|r| r.html))
        .transpose()?;
    Ok(ParsedEntry {
        main: main_fields,
        text: EntryText {
            title: clean_text(&texts.title),
            original_title: texts.original_title.as_deref().map(clean_text),
            editor_note,
            further_reading,
            body: src.markdown(src.split.body, &prefix, false)?,
            path: src.path.to_path_buf(),
        },
    })
}
