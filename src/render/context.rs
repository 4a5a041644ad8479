//! Render stage: the typed context of every template, one struct per page kind.
//!
//! Fields holding a [`Value`] are the views shared by every page of a language ([`super::view`]):
//! Tera serialises them by reference count, not by copying. `docs/templates.md` documents
//! every field.

use serde::Serialize;
use tera::{Context, Value};

use super::view::{LangViews, PageMeta, TagRef, TopicRef};
use crate::error::Diagnostic;

/// What every template of a language receives, the site's pages and the export editions alike.
#[derive(Serialize)]
pub struct LangContext<'a> {
    /// The language's code.
    pub lang: &'a str,
    /// The [`super::view::SiteView`] of the language.
    pub site: &'a Value,
    /// The interface text of the language, by key.
    pub t: &'a Value,
}

impl<'a> LangContext<'a> {
    pub fn of(lv: &'a LangViews) -> LangContext<'a> {
        LangContext { lang: &lv.lang, site: &lv.site, t: &lv.t }
    }
}

/// What every page's template receives.
#[derive(Serialize)]
pub struct Base<'a> {
    #[serde(flatten)]
    pub lang: LangContext<'a>,
    pub page: PageMeta,
}

/// One topic of an issue, with its entries in order (empty topics are left out).
#[derive(Serialize)]
pub struct TopicGroup<'a> {
    /// A [`TopicRef`].
    pub topic: &'a Value,
    /// The page of this topic in this issue (`/2025-11/releases/`), root-relative.
    pub url: String,
    /// [`super::view::EntryView`]s.
    pub entries: Vec<&'a Value>,
}

/// A topic of an issue as a link, for the navigation of issue topic pages.
#[derive(Serialize)]
pub struct IssueTopicLink<'a> {
    /// A [`TopicRef`].
    pub topic: &'a Value,
    /// The page of this topic in this issue.
    pub url: String,
    /// Its number of entries.
    pub count: usize,
    /// Whether it is the page being rendered.
    pub current: bool,
}

/// One issue with its entries of a topic, on topic pages.
#[derive(Serialize)]
pub struct IssueGroup<'a> {
    /// An [`super::view::IssueSummary`].
    pub issue: &'a Value,
    pub entries: Vec<&'a Value>,
}

/// One year of the archive.
#[derive(Serialize)]
pub struct Year<'a> {
    pub year: &'a str,
    pub issues: Vec<&'a Value>,
}

/// `issue.html` and `feed_issue.html`: an issue with every entry.
#[derive(Serialize)]
pub struct IssuePage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    /// The issue's [`super::view::IssueSummary`]; absent on a home page without issues.
    pub issue: Option<&'a Value>,
    /// The introduction, HTML.
    pub intro: std::borrow::Cow<'a, str>,
    pub groups: Vec<TopicGroup<'a>>,
    /// The next newer and older issues' summaries.
    pub newer: Option<&'a Value>,
    pub older: Option<&'a Value>,
}

/// `issue_topic.html`: the entries of one topic of one issue (`/2025-11/releases/`).
#[derive(Serialize)]
pub struct IssueTopicPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    /// The issue's [`super::view::IssueSummary`].
    pub issue: &'a Value,
    pub topic: &'a TopicRef,
    /// The topic's entries in the issue, in reading order.
    pub entries: Vec<&'a Value>,
    /// Every topic of the issue with entries, in config order, this one included.
    pub topics: Vec<IssueTopicLink<'a>>,
}

/// `index.html`: the latest issue, as on its own page, and every issue.
#[derive(Serialize)]
pub struct HomePage<'a> {
    #[serde(flatten)]
    pub latest: IssuePage<'a>,
    pub issues: &'a [Value],
}

/// `entry.html`.
#[derive(Serialize)]
pub struct EntryPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    /// The [`super::view::EntryView`].
    pub entry: &'a Value,
    /// The neighbours in the issue's reading order.
    pub previous: Option<&'a Value>,
    pub next: Option<&'a Value>,
}

/// `archive.html`.
#[derive(Serialize)]
pub struct ArchivePage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    /// Newest first.
    pub years: Vec<Year<'a>>,
}

/// `topic.html`, for the newest page of a topic and for each full one.
#[derive(Serialize)]
pub struct TopicPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    pub topic: &'a TopicRef,
    /// The issues of this page with entries in the topic, newest first.
    pub groups: Vec<IssueGroup<'a>>,
    #[serde(flatten)]
    pub pages: ListNav,
}

/// `tag.html`, for the newest page of a tag and for each full one.
#[derive(Serialize)]
pub struct TagPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    pub tag: &'a TagRef,
    /// The entries of this page: newest issue first, in reading order within an issue.
    pub entries: Vec<&'a Value>,
    #[serde(flatten)]
    pub pages: ListNav,
}

/// The pages of a topic or a tag, for moving between them ([`crate::site::parts`]).
#[derive(Serialize)]
pub struct ListNav {
    /// On the list's own address: every page, the newest (shown there) first and current.
    /// Empty on a page's own address, and for a list of one page.
    pub list_pages: Vec<ListPageLink>,
    /// The page before this one in the list (newer entries), and the one after (older).
    pub newer: Option<ListPageLink>,
    pub older: Option<ListPageLink>,
    /// On a page's own address: the list's address, where every page is listed.
    pub all_pages: Option<String>,
}

/// A page of a topic or a tag.
#[derive(Debug, Clone, Serialize)]
pub struct ListPageLink {
    pub url: String,
    /// Its issues' months, oldest – newest (`2024-03 – 2024-07`).
    pub label: String,
    pub current: bool,
}

/// `tags.html`.
#[derive(Serialize)]
pub struct TagsPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    pub tags: &'a [TagRef],
}

/// `search.html`: the search form, its filters and where the search code lives.
#[derive(Serialize)]
pub struct SearchPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
    /// Every issue's [`super::view::IssueSummary`], newest first, for the issue filter.
    pub issues: &'a [Value],
    /// The folder of pagefind's files (`/pagefind/`, below the base path), ending in `/`.
    pub bundle_url: String,
    /// The theme's search script (`static/search.js`).
    pub script_url: String,
}

/// `404.html`.
#[derive(Serialize)]
pub struct NotFoundPage<'a> {
    #[serde(flatten)]
    pub base: Base<'a>,
}

/// A typed context as Tera's [`Context`].
pub fn to_context(ctx: &impl Serialize) -> Result<Context, Diagnostic> {
    Context::from_serialize(ctx)
        .map_err(|e| Diagnostic::file("templates", format!("cannot build a template context: {e}")))
}
