//! Load stage: splitting `+++` front matter from Markdown and parsing it into typed structs.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::error::{Diagnostic, line_col, toml_error};

/// A file split into its front matter and body, with byte offsets into the whole text.
#[derive(Debug)]
pub struct Split<'a> {
    pub front: &'a str,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    pub body: &'a str,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
}

/// Splits `+++`-delimited TOML front matter from the body.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "+++" {
        return Err(Diagnostic::error(path, 1, 1, "the file does not start with front matter")
            .with_hint("put a line `+++`, the TOML fields, and another line `+++` before the Markdown"));
    }
    let front_offset = start + first_line_end;
    let mut offset = front_offset;
    for line in text[front_offset..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body_offset = offset + line.len();
            return Ok(Split {
                front: &text[front_offset..offset],
                front_offset,
                body: &text[body_offset..],
                body_line: line_col(text, body_offset).0,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(path, 1, 1, "the front matter opened here is never closed")
        .with_hint("add a line `+++` after the last front matter field"))
}

/// Parses front matter into `T`, locating errors in the whole file.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str, split: &Split) -> Result<T, Diagnostic> {
    toml::from_str(split.front).map_err(|e| toml_error(path, text, split.front_offset, &e))
}

/// A further-reading link of an entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: Spanned<String>,
}

/// The front matter of an entry's main file (the default language, or its only language).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFront {
    pub title: String,
    pub original_title: Option<String>,
    pub source: Option<Spanned<String>>,
    pub date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub tags: Vec<String>,
    pub editor_note: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub further_reading: Vec<Link>,
    /// The `[[sources]]` feed a fetched draft came from.
    pub via: Option<String>,
}

/// The front matter of an entry's translation. The inherited fields are read only to
/// report them precisely: a translation may not set them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationFront {
    pub title: String,
    pub original_title: Option<String>,
    pub editor_note: Option<String>,
    #[serde(default)]
    pub further_reading: Vec<Link>,
    source: Option<Spanned<toml::Value>>,
    date: Option<Spanned<toml::Value>>,
    weight: Option<Spanned<toml::Value>>,
    tags: Option<Spanned<toml::Value>>,
    draft: Option<Spanned<toml::Value>>,
    via: Option<Spanned<toml::Value>>,
}

impl TranslationFront {
    /// The inherited fields this translation sets, with their byte spans in the front matter.
    pub fn inherited_fields(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        [
            ("source", &self.source),
            ("date", &self.date),
            ("weight", &self.weight),
            ("tags", &self.tags),
            ("draft", &self.draft),
            ("via", &self.via),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.span())))
        .collect()
    }
}

/// The front matter of an issue's `_index.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueFront {
    pub title: String,
    pub date: Option<Spanned<toml::Value>>,
    pub number: Option<u32>,
    pub summary: Option<String>,
    #[serde(default)]
    pub editors: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    /// The issue's picture for social cards (`og:image`), a file of the issue's folder.
    pub cover: Option<Spanned<String>>,
}

/// The front matter of an issue's translation, `_index.<lang>.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueTranslationFront {
    pub title: String,
    pub summary: Option<String>,
    date: Option<Spanned<toml::Value>>,
    number: Option<Spanned<toml::Value>>,
    editors: Option<Spanned<toml::Value>>,
    draft: Option<Spanned<toml::Value>>,
}

impl IssueTranslationFront {
    pub fn inherited_fields(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        [("date", &self.date), ("number", &self.number), ("editors", &self.editors), ("draft", &self.draft)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.span())))
            .collect()
    }
}

/// Reads a date field: a TOML date (`2025-11-06`), a date-time, or a string holding a date.
pub fn date(path: &Path, text: &str, split: &Split, value: &Spanned<toml::Value>) -> Result<NaiveDate, Diagnostic> {
    let (line, column) = line_col(text, split.front_offset + value.span().start);
    let invalid = |what: String| {
        Diagnostic::error(path, line, column, what).with_hint("write the date as YYYY-MM-DD, e.g. date = 2025-11-06")
    };
    let (y, m, d) = match value.get_ref() {
        toml::Value::Datetime(dt) => match dt.date {
            Some(d) => (i32::from(d.year), u32::from(d.month), u32::from(d.day)),
            None => return Err(invalid(format!("`{dt}` has no date"))),
        },
        toml::Value::String(s) => {
            return NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| invalid(format!("{s:?} is not a date")));
        }
        other => return Err(invalid(format!("expected a date, found {}", other.type_str()))),
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| invalid(format!("{y:04}-{m:02}-{d:02} is not a real date")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_reports_body_line() {
        let text = "+++\ntitle = \"x\"\n+++\nbody\n";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unclosed_front_matter() {
        let e = split(Path::new("a.md"), "+++\ntitle = \"x\"\nbody\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn unknown_field_suggests_the_near_one() {
        let text = "+++\ntitle = \"x\"\ntagz = [\"a\"]\n+++\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let e = parse::<EntryFront>(Path::new("a.md"), text, &s).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert_eq!(e.hint.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn impossible_date() {
        let text = "+++\ntitle = \"x\"\ndate = 2025-02-30\n+++\n";
        let s = split(Path::new("a.md"), text).unwrap();
        let result = parse::<EntryFront>(Path::new("a.md"), text, &s)
            .and_then(|f| date(Path::new("a.md"), text, &s, f.date.as_ref().unwrap()));
        let e = result.unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }
}
