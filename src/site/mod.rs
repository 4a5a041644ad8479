//! The data model every stage shares: the loaded [`Site`] (issues and entries stored once,
//! every index built at load) and the rules about it: configuration, names, months, slugs,
//! text and interface strings.

pub mod config;
pub mod i18n;
pub mod ids;
pub mod images;
pub mod layout;
pub mod limits;
pub mod month;
pub mod naming;
pub mod parts;
pub mod slug;
pub mod sources;
pub mod text;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::error::Diagnostic;
use config::Config;

pub use ids::{EntryId, IdVec, IssueId, LangId, TagId, TopicId};

/// Everything `build` publishes, immutable after load.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub root: PathBuf,
    /// Newest first.
    pub issues: IdVec<IssueId, Issue>,
    pub entries: IdVec<EntryId, Entry>,
    /// Sorted by slug.
    pub tags: IdVec<TagId, Tag>,
    /// Files to publish as they are: theme-independent assets found beside entries.
    pub assets: Vec<Asset>,
    /// Findings that do not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// The drafts a load without drafts left out.
    pub drafts_left_out: DraftsLeftOut,
    /// The images of the site and their variants, filled by the image stage ([`crate::images`]
    /// is run by each command between load and render); empty, images are shown as written.
    pub pictures: images::Pictures,
}

/// How many draft issues, and draft entries of the other issues, a load left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DraftsLeftOut {
    pub issues: usize,
    pub entries: usize,
}

#[derive(Debug)]
pub struct Issue {
    /// The folder name, `YYYY-MM`; also the URL segment.
    pub key: String,
    pub date: NaiveDate,
    pub number: Option<u32>,
    pub editors: Vec<String>,
    pub draft: bool,
    /// The picture of its social card, from `cover = "…"`; else its first image's.
    pub cover: Option<Cover>,
    /// The language of `_index.md` (or of the only `_index.<lang>.md`).
    pub primary: String,
    pub texts: BTreeMap<String, IssueText>,
    /// Entries per configured topic, in display order.
    pub topics: IdVec<TopicId, Vec<EntryId>>,
}

#[derive(Debug)]
pub struct IssueText {
    pub title: String,
    pub summary: Option<String>,
    pub intro: Rendered,
    /// Path of the file, relative to the site root.
    pub path: PathBuf,
}

#[derive(Debug)]
pub struct Entry {
    pub issue: IssueId,
    pub topic: TopicId,
    pub slug: String,
    pub source: Option<String>,
    pub date: Option<NaiveDate>,
    pub weight: i64,
    pub tags: Vec<TagId>,
    pub draft: bool,
    pub via: Option<String>,
    /// The language of the main file, which holds every field.
    pub primary: String,
    /// Boxed: a map node holds room for eleven values, and most entries have one or two
    /// languages (`docs/performance.md`, "Build memory").
    pub texts: BTreeMap<String, Box<EntryText>>,
    /// 1-based position within its issue's topic.
    pub number: usize,
}

#[derive(Debug)]
pub struct EntryText {
    pub title: String,
    pub original_title: Option<String>,
    pub editor_note: Option<String>,
    pub further_reading: Vec<FurtherReading>,
    pub body: Rendered,
    /// Path of the file, relative to the site root.
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FurtherReading {
    pub title: String,
    pub url: String,
    /// The language of the title when it is not the text's: a translation without further
    /// reading of its own shows its main file's list.
    pub lang: Option<String>,
}

#[derive(Debug)]
pub struct Tag {
    pub slug: String,
    /// The spelling first seen in the content.
    pub name: String,
    /// Newest issue first, in issue order within it.
    pub entries: Vec<EntryId>,
}

/// A Markdown text rendered to HTML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// The part up to a `<!-- more -->` line, or else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text on one line.
    pub summary_text: String,
    pub toc: Vec<Heading>,
    /// The relative links of the text, as published (root-relative, in the text's language) and
    /// as written (`../releases/k/`), so that `check` reports a link where the editor wrote it.
    pub relative_links: Vec<(String, String)>,
    /// Each image of the text, in order.
    pub images: Vec<ImageRef>,
}

/// An issue's `cover = "…"`: the file as written, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub written: String,
    pub line: usize,
    pub column: usize,
}

/// An image a text shows (`![alt](src)`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageRef {
    /// Its HTML as rendered in the text (`<img src alt>`), which the image stage's markup replaces.
    pub html: String,
    /// Where it leads: root-relative with the base path for a local image, else as written.
    pub src: String,
    /// Its link as written in the file.
    pub written: String,
    pub alt: String,
}

/// A heading, for tables of contents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A file copied to the output unchanged, such as an image beside an entry.
#[derive(Debug)]
pub struct Asset {
    /// Output path relative to the site's output folder, with `/` separators.
    pub output: String,
    /// Path relative to the site root.
    pub path: PathBuf,
}

impl Entry {
    /// The text of this entry in `lang`, or its main text when it is not translated.
    pub fn text(&self, lang: &str) -> (&EntryText, &str) {
        match self.texts.get_key_value(lang) {
            Some((l, t)) => (t.as_ref(), l.as_str()),
            None => (self.texts[&self.primary].as_ref(), self.primary.as_str()),
        }
    }

    /// An id unique within an issue page, used for anchors.
    pub fn anchor(&self, site: &Site) -> String {
        layout::entry_anchor(&site.config.topics[self.topic].key, &self.slug)
    }
}

impl Issue {
    pub fn text(&self, lang: &str) -> (&IssueText, &str) {
        match self.texts.get_key_value(lang) {
            Some((l, t)) => (t, l.as_str()),
            None => (&self.texts[&self.primary], self.primary.as_str()),
        }
    }

    pub fn entry_count(&self) -> usize {
        self.topics.iter().map(Vec::len).sum()
    }

    /// The topics (index and entries, in config order) that have entries in this issue: the
    /// ones its pages show and that get a page of their own.
    pub fn topics_with_entries(&self) -> impl Iterator<Item = (TopicId, &[EntryId])> {
        self.topics.iter_enumerated().filter(|(_, ids)| !ids.is_empty()).map(|(t, ids)| (t, ids.as_slice()))
    }
}

/// Every entry of `issues` in reading order: newest issue first, topics in config order, each
/// topic's entries in display order. Tag pages list their entries in this order.
pub fn reading_order(issues: &[Issue]) -> impl Iterator<Item = EntryId> + '_ {
    issues.iter().flat_map(|i| i.topics.iter().flatten().copied())
}

impl Site {
    /// Entries of a topic across all issues, newest issue first.
    pub fn topic_entries(&self, topic: TopicId) -> impl Iterator<Item = EntryId> + '_ {
        self.issues.iter().flat_map(move |i| i.topics[topic].iter().copied())
    }
}
