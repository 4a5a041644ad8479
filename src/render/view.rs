//! Render stage: the typed views templates receive, each built once per language and shared.
//!
//! Every entry and issue is turned into a template value once per language; pages then
//! share those values (cheap reference-counted clones) instead of serialising again.
//! `docs/templates.md` documents every field.

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use std::borrow::Cow;

use super::picture::{markup, picture_of, with_pictures};
use crate::site::i18n;
use crate::site::layout::Address;
use crate::site::{Entry, EntryId, IdVec, Issue, IssueId, LangId, Site, TagId, TopicId};
use crate::site::{Heading, ImageRef};

/// A link to one language's version of a page.
#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub lang: String,
    /// The language's name in itself ("中文", "English").
    pub name: String,
    pub url: String,
    pub permalink: String,
    /// Whether this is the page being rendered.
    pub current: bool,
    /// Whether the page is written in this language: an entry or issue without a translation
    /// shows another language's text there.
    pub translated: bool,
}

/// A `<link rel="alternate" hreflang>` of a page: a language (or `x-default`) and its page.
#[derive(Debug, Clone, Serialize)]
pub struct HrefLang {
    pub lang: String,
    pub permalink: String,
}

/// A feed a page advertises.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLink {
    /// `rss` or `atom`.
    pub kind: String,
    pub mime: String,
    pub url: String,
    pub title: String,
}

/// What every page knows about itself (`page` in templates).
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// `home`, `issue`, `issue_topic`, `entry`, `archive`, `topic`, `tag`, `tags`, `search` or
    /// `not_found`.
    pub kind: &'static str,
    /// The text of `<title>`.
    pub title: String,
    pub description: String,
    pub url: String,
    pub permalink: String,
    /// The address search engines should index for this page: its permalink, or for a page
    /// showing an untranslated text, the page in the text's language.
    pub canonical: String,
    /// The page in every language, the current one included (the language switcher).
    pub alternates: Vec<Alternate>,
    /// The hreflang alternates to declare: the languages the page is written in, and
    /// `x-default`; none on a page showing an untranslated text.
    pub hreflang: Vec<HrefLang>,
    pub feeds: Vec<FeedLink>,
    /// `website` or `article`, for OpenGraph.
    pub og_type: &'static str,
    /// The picture of the page's social card (`og:image`): an entry's first image, an issue's
    /// cover or else its first image.
    pub image: Option<super::picture::Card>,
}

/// The site as seen from one language (`site` in templates).
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub lang: String,
    pub default_language: String,
    pub base_url: String,
    pub home_url: String,
    pub archive_url: String,
    pub tags_url: String,
    /// The search page of the language.
    pub search_url: String,
    pub stylesheet_url: String,
    /// The print stylesheet (`print.css`), linked with `media="print"`.
    pub print_stylesheet_url: String,
    pub favicon_url: String,
    pub rss_url: String,
    pub atom_url: String,
    pub topics: Vec<TopicRef>,
}

/// A topic, as linked from pages.
#[derive(Debug, Clone, Serialize)]
pub struct TopicRef {
    pub key: String,
    pub emoji: String,
    pub name: String,
    pub url: String,
    pub feed_url: String,
}

/// A tag, as linked from entries.
#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub count: usize,
}

/// An issue without its content: for lists, breadcrumbs and feeds.
#[derive(Debug, Clone, Serialize)]
pub struct IssueSummary {
    pub key: String,
    pub title: String,
    pub summary: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub date_display: String,
    /// `2025 年 11 月` or `November 2025`.
    pub month_display: String,
    pub number: Option<u32>,
    /// `第 12 期` or `Issue 12`, when the issue has a number.
    pub number_display: Option<String>,
    pub editors: Vec<String>,
    pub url: String,
    pub permalink: String,
    /// The language the title and introduction are written in.
    pub lang: String,
    /// Whether the text is in the page's language.
    pub translated: bool,
    pub entry_count: usize,
    pub draft: bool,
}

/// What an entry is in one page language, without its text: shared by the site's pages
/// ([`EntryView`]) and the export editions, which give the text in their own format.
#[derive(Debug, Clone, Serialize)]
pub struct EntryMeta<'a> {
    pub slug: &'a str,
    /// An id unique on the issue page, for `#anchors`.
    pub anchor: String,
    /// Its page, as the views link ([`Links`]).
    pub url: String,
    pub permalink: String,
    /// The language the text is written in.
    pub lang: &'a str,
    /// Whether the text is in the page's language; if not, it is shown in `lang`.
    pub translated: bool,
    pub title: &'a str,
    pub original_title: Option<&'a str>,
    pub source: Option<&'a str>,
    pub date: Option<String>,
    pub date_display: Option<String>,
    /// 1-based position within its issue's topic.
    pub number: usize,
    pub draft: bool,
    pub via: Option<&'a str>,
}

/// One entry in one page language (`entry`, and the items of `issue.topics[].entries`).
///
/// Borrowed from the [`Site`] and the language's other views: it only exists long enough to be
/// serialised into the template value pages share, so no text is copied twice.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView<'a> {
    #[serde(flatten)]
    pub meta: EntryMeta<'a>,
    /// [`TagRef`]s: like `topic` and `issue`, the values every entry shares (reference-counted,
    /// not copies: a tenth of the memory of a big build).
    pub tags: Vec<&'a Value>,
    /// HTML.
    pub editor_note: Option<&'a str>,
    pub further_reading: &'a [crate::site::FurtherReading],
    /// HTML, each image shown as its picture ([`super::picture`]).
    pub body: Cow<'a, str>,
    /// HTML: the first paragraph, or up to `<!-- more -->` (with the picture it introduces).
    pub summary: Cow<'a, str>,
    pub summary_text: &'a str,
    /// HTML: each image of the body, in order, as in `body`.
    pub images: Vec<Cow<'a, str>>,
    pub toc: &'a [Heading],
    /// A [`TopicRef`].
    pub topic: &'a Value,
    /// An [`IssueSummary`].
    pub issue: &'a Value,
}

/// How the views link to the site's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Root-relative, with the base path (`/sub/en/2025-11/`): the site's own pages.
    Relative,
    /// Absolute (`https://example.org/sub/en/2025-11/`): editions, read away from the site.
    Absolute,
}

/// All shared views of a site, built once before rendering.
pub struct Views {
    /// Per language (in config order).
    pub langs: IdVec<LangId, LangViews>,
}

pub struct LangViews {
    pub lang: String,
    pub links: Links,
    /// The [`SiteView`], and its value.
    pub site_view: SiteView,
    pub site: Value,
    pub t: Value,
    pub strings: std::collections::BTreeMap<String, String>,
    /// Per issue.
    pub issue_summaries: IdVec<IssueId, IssueSummary>,
    pub issue_summary_values: IdVec<IssueId, Value>,
    /// Per entry: the serialised [`EntryView`], for the entries the pages being rendered show
    /// (all of them in `serve`; a batch's in a build, see [`super::batch`]).
    entry_values: IdVec<EntryId, Option<Value>>,
    /// Per tag.
    pub tags: IdVec<TagId, TagRef>,
    pub tag_values: IdVec<TagId, Value>,
    /// Per topic.
    pub topics: IdVec<TopicId, TopicRef>,
    pub topic_values: IdVec<TopicId, Value>,
}

impl Views {
    /// Builds every language's views with every entry's value (for `serve`, which keeps them).
    pub fn build(site: &Site) -> Views {
        let mut views = Views::without_entries(site);
        let all: Vec<EntryId> = EntryId::all(site.entries.len()).collect();
        for lv in &mut views.langs {
            lv.fill_entries(site, &all);
        }
        views
    }

    /// Builds every language's views but no entry's value: a build adds those a batch at a time.
    pub fn without_entries(site: &Site) -> Views {
        let languages = site.config.languages.par_iter();
        let langs: Vec<LangViews> = languages.map(|lang| LangViews::build(site, &lang.code, Links::Relative)).collect();
        let langs = langs.into();
        Views { langs }
    }

    pub fn lang(&self, l: LangId) -> &LangViews {
        &self.langs[l]
    }
}

impl LangViews {
    /// The views of one language, linking as `links` says, without its entries' values
    /// ([`LangViews::fill_entries`]).
    pub fn build(site: &Site, lang: &str, links: Links) -> LangViews {
        let c = &site.config;
        let link = |address| link(c, links, lang, address);
        let language = c.language(lang).expect("configured language");
        let strings = i18n::strings(lang, &language.ui);
        let topics: IdVec<TopicId, TopicRef> = c.topics.ids().map(|t| topic_ref(site, links, lang, t)).collect();
        let tags: IdVec<TagId, TagRef> = site
            .tags
            .iter()
            .map(|t| TagRef {
                name: t.name.clone(),
                slug: t.slug.clone(),
                url: link(Address::Tag(&t.slug)),
                count: t.entries.len(),
            })
            .collect();
        let site_view = SiteView {
            title: language.title.clone(),
            description: language.description.clone(),
            lang: lang.to_string(),
            default_language: c.default_language().to_string(),
            base_url: c.base_url.clone(),
            home_url: link(Address::Home),
            archive_url: link(Address::Archive),
            tags_url: link(Address::Tags),
            search_url: link(Address::Search),
            stylesheet_url: link(Address::Static("style.css")),
            print_stylesheet_url: link(Address::Static("print.css")),
            favicon_url: link(Address::Static("favicon.svg")),
            rss_url: link(Address::Rss),
            atom_url: link(Address::Atom),
            topics: topics.to_vec(),
        };
        let issue_summaries: IdVec<IssueId, IssueSummary> =
            site.issues.iter().map(|i| issue_summary(site, links, lang, i)).collect();
        LangViews {
            lang: lang.to_string(),
            links,
            site: Value::from_serializable(&site_view),
            site_view,
            t: Value::from_serializable(&strings),
            strings,
            issue_summary_values: issue_summaries.iter().map(Value::from_serializable).collect(),
            issue_summaries,
            entry_values: vec![None; site.entries.len()].into(),
            tag_values: tags.iter().map(Value::from_serializable).collect(),
            tags,
            topic_values: topics.iter().map(Value::from_serializable).collect(),
            topics,
        }
    }

    /// The value of entry `e`, built by [`LangViews::fill_entries`].
    ///
    /// # Panics
    /// When it was not built: the page being rendered is missing from its batch's needs
    /// ([`super::deps::entries_shown`]), a bug.
    pub fn entry(&self, e: EntryId) -> &Value {
        self.entry_values[e].as_ref().unwrap_or_else(|| panic!("entry {e:?}'s value was not built for this page"))
    }

    /// Builds the values of entries `ids`, in parallel.
    pub fn fill_entries(&mut self, site: &Site, ids: &[EntryId]) {
        let values: Vec<Value> = ids.par_iter().map(|&e| self.entry_value(site, &site.entries[e])).collect();
        for (&e, value) in ids.iter().zip(values) {
            self.entry_values[e] = Some(value);
        }
    }

    /// Puts the freshly built value of entry `e` in place; whether it changed.
    pub fn replace_entry(&mut self, site: &Site, e: EntryId) -> bool {
        let value = self.entry_value(site, &site.entries[e]);
        let slot = &mut self.entry_values[e];
        let changed = slot.as_ref() != Some(&value);
        *slot = Some(value);
        changed
    }

    /// Frees every entry's value, on every core (tens of thousands of maps).
    pub fn clear_entries(&mut self) {
        self.entry_values.par_iter_mut().for_each(|v| *v = None);
    }

    /// The template value of an entry.
    pub fn entry_value(&self, site: &Site, e: &Entry) -> Value {
        Value::from_serializable(&entry_view(site, self, e))
    }
}

/// The link to `address` in language `lang`, as `links` says.
pub fn link(c: &crate::site::config::Config, links: Links, lang: &str, address: Address) -> String {
    match links {
        Links::Relative => c.href(lang, address),
        Links::Absolute => c.permalink(lang, address),
    }
}

fn topic_ref(site: &Site, links: Links, lang: &str, t: TopicId) -> TopicRef {
    let topic = &site.config.topics[t];
    TopicRef {
        key: topic.key.clone(),
        emoji: topic.emoji.clone(),
        name: topic.name(lang).to_string(),
        url: link(&site.config, links, lang, Address::Topic(&topic.key)),
        feed_url: link(&site.config, links, lang, Address::TopicFeed(&topic.key)),
    }
}

pub fn issue_summary(site: &Site, links: Links, lang: &str, issue: &Issue) -> IssueSummary {
    let (text, text_lang) = issue.text(lang);
    let (y, m) = crate::site::month::parse_issue_key(&issue.key).unwrap_or((1970, 1));
    IssueSummary {
        key: issue.key.clone(),
        title: text.title.clone(),
        summary: text.summary.clone(),
        date: issue.date.to_string(),
        date_display: i18n::long_date(lang, issue.date),
        month_display: i18n::month(lang, y, m),
        number: issue.number,
        number_display: issue.number.map(|n| i18n::issue_number(lang, n)),
        editors: issue.editors.clone(),
        url: link(&site.config, links, lang, Address::Issue(&issue.key)),
        permalink: site.config.permalink(lang, Address::Issue(&issue.key)),
        lang: text_lang.to_string(),
        translated: text_lang == lang,
        entry_count: issue.entry_count(),
        draft: issue.draft,
    }
}

/// What entry `e` is in the language of `lv`, borrowing from the site.
pub fn entry_meta<'a>(site: &'a Site, lv: &LangViews, e: &'a Entry) -> EntryMeta<'a> {
    let lang = lv.lang.as_str();
    let (text, text_lang) = e.text(lang);
    let address = Address::entry(site, e);
    EntryMeta {
        slug: &e.slug,
        anchor: e.anchor(site),
        url: link(&site.config, lv.links, lang, address),
        permalink: site.config.permalink(lang, address),
        lang: text_lang,
        translated: text_lang == lang,
        title: &text.title,
        original_title: text.original_title.as_deref(),
        source: e.source.as_deref(),
        date: e.date.map(|d| d.to_string()),
        date_display: e.date.map(|d| i18n::long_date(lang, d)),
        number: e.number,
        draft: e.draft,
        via: e.via.as_deref(),
    }
}

/// The markup of an image of a text: its picture's, or as written when it is not processed.
fn image_markup<'a>(site: &Site, image: &'a ImageRef, links: Links) -> Cow<'a, str> {
    match picture_of(&site.config, &site.pictures, image) {
        Some(p) => Cow::Owned(markup(&site.config, p, &image.alt, links)),
        None => Cow::Borrowed(&image.html),
    }
}

/// The view of entry `e` in the language of `lv`, borrowing from the site and the language's
/// views.
pub fn entry_view<'a>(site: &'a Site, lv: &'a LangViews, e: &'a Entry) -> EntryView<'a> {
    let (text, _) = e.text(&lv.lang);
    EntryView {
        meta: entry_meta(site, lv, e),
        tags: e.tags.iter().map(|&t| &lv.tag_values[t]).collect(),
        editor_note: text.editor_note.as_deref(),
        further_reading: &text.further_reading,
        body: with_pictures(&text.body.html, &text.body.images, &site.config, &site.pictures, lv.links),
        summary: with_pictures(&text.body.summary_html, &text.body.images, &site.config, &site.pictures, lv.links),
        summary_text: &text.body.summary_text,
        images: text.body.images.iter().map(|i| image_markup(site, i, lv.links)).collect(),
        toc: &text.body.toc,
        topic: &lv.topic_values[e.topic],
        issue: &lv.issue_summary_values[e.issue],
    }
}
