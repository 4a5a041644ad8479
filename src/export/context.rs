//! Export stage: the typed context every edition's template receives (`templates/export/…`),
//! built from the site's shared views, linking absolutely ([`Links::Absolute`]), so that
//! entries, fallbacks, numbering, order and addresses are the website's. `docs/templates.md` documents every field.
//!
//! Content fields (`intro`, `summary`, `body`, `editor_note`) come in the edition's own format:
//! HTML for `email` and `wechat`, Markdown for `markdown`, plain text for `text`, every link in
//! them absolute (but in-page `#anchors` in `wechat`, which are dropped there).

use serde::Serialize;
use tera::Value;
use url::Url;

use super::Format;
use super::html::absolute_fragment;
use super::refs::{Reference, Refs};
use crate::error::Diagnostic;
use crate::render::context::LangContext;
use crate::render::picture::with_pictures;
use crate::render::view::{EntryMeta, IssueSummary, LangViews, Links, entry_meta};
use crate::site::layout::absolute_link;
use crate::site::{EntryId, FurtherReading, IssueId, Site};

/// The context of an edition's template.
#[derive(Serialize)]
pub struct EditionPage<'a> {
    /// The edition's language, its interface text, and the site as the pages see it
    /// (`SiteView`), every address absolute.
    #[serde(flatten)]
    pub lang: LangContext<'a>,
    /// `email`, `text`, `wechat` or `markdown`.
    pub format: &'static str,
    /// Whether entries carry their whole text (`body`), not only their summary.
    pub full: bool,
    /// The issue; `url` and `permalink` are both its absolute address.
    pub issue: IssueSummary,
    /// The hidden preview line of the email: the issue's summary (or the start of the
    /// introduction).
    pub preheader: String,
    /// The introduction, in the edition's format.
    pub intro: String,
    /// Topics in config order, empty ones left out.
    pub groups: Vec<Group<'a>>,
    /// `text` only: the number of the issue page, and of the feeds.
    pub web_ref: Option<usize>,
    pub rss_ref: Option<usize>,
    pub atom_ref: Option<usize>,
    /// `text` only: the numbers of the archive and of the home page.
    pub archive_ref: Option<usize>,
    pub home_ref: Option<usize>,
    /// `text` only: the references listed at the end (those not listed under an entry).
    pub refs: Vec<Reference>,
}

/// One entry, as the site shows it in the edition's language (or, untranslated, in its own):
/// what the pages know of it ([`EntryMeta`], `url` absolute), and its text in the edition's
/// format.
#[derive(Serialize)]
pub struct ExportEntry<'a> {
    #[serde(flatten)]
    pub meta: EntryMeta<'a>,
    /// The source's host name (`kubernetes.io`).
    pub source_host: Option<String>,
    /// The first paragraph (or up to `<!-- more -->`), in the edition's format.
    pub summary: String,
    /// The whole text, in the edition's format; empty unless `full`.
    pub body: String,
    pub editor_note: Option<String>,
    pub further_reading: Vec<ReadingLink>,
    /// `TagRef`s, their `url` absolute.
    pub tags: Vec<&'a Value>,
    /// `text` only: the numbers of the entry page and of the source.
    pub url_ref: Option<usize>,
    pub source_ref: Option<usize>,
    /// `text` only: the references first used by this entry, listed under it.
    pub refs: Vec<Reference>,
}

/// One topic of the issue with its entries.
#[derive(Serialize)]
pub struct Group<'a> {
    /// A `TopicRef`, its `url` and `feed_url` absolute.
    pub topic: &'a Value,
    pub entries: Vec<ExportEntry<'a>>,
}

#[derive(Serialize)]
pub struct ReadingLink {
    pub title: String,
    /// The language of the title when it is not the edition's ([`FurtherReading::lang`]).
    pub lang: Option<String>,
    pub url: String,
    /// `text` only: its reference number.
    #[serde(rename = "ref")]
    pub number: Option<usize>,
}

/// Converts content HTML into the edition's format, numbering links for `text`.
struct Convert<'b> {
    format: Format,
    base: &'b Url,
    full: bool,
    refs: Refs,
}

impl Convert<'_> {
    fn content(&mut self, html: &str) -> Result<String, Diagnostic> {
        match self.format {
            Format::Email => Ok(absolute_fragment(html, self.base, false)),
            Format::Wechat => Ok(absolute_fragment(html, self.base, true)),
            Format::Markdown => super::markdown::from_html(&absolute_fragment(html, self.base, false)),
            Format::Text => Ok(super::text::from_html(&absolute_fragment(html, self.base, false), &mut self.refs)),
        }
    }

    fn number(&mut self, url: &str) -> Option<usize> {
        (self.format == Format::Text).then(|| self.refs.number(url))
    }

    /// Entry `e` in the edition, its references numbered after those before it.
    fn entry<'a>(&mut self, site: &'a Site, lv: &'a LangViews, e: EntryId) -> Result<ExportEntry<'a>, Diagnostic> {
        let entry = &site.entries[e];
        let (text, _) = entry.text(&lv.lang);
        let meta = entry_meta(site, lv, entry);
        let listed = self.refs.len();
        let url_ref = self.number(&meta.url);
        let source_ref = meta.source.and_then(|s| self.number(s));
        let (c, pictures, images) = (&site.config, &site.pictures, &text.body.images);
        let summary = self.content(&with_pictures(&text.body.summary_html, images, c, pictures, Links::Absolute))?;
        let body = match self.full {
            true => self.content(&with_pictures(&text.body.html, images, c, pictures, Links::Absolute))?,
            false => String::new(),
        };
        let editor_note = text.editor_note.as_deref().map(|n| self.content(n)).transpose()?;
        let further_reading = text
            .further_reading
            .iter()
            .map(|FurtherReading { title, url, lang }| {
                let url = absolute_link(&self.base[..url::Position::BeforePath], self.base, url).into_owned();
                // Listed (and so numbered) with the whole text only.
                let number = if self.full { self.number(&url) } else { None };
                ReadingLink { title: title.clone(), lang: lang.clone(), number, url }
            })
            .collect();
        let source_host =
            meta.source.and_then(|s| Url::parse(s).ok()?.host_str().map(|h| h.trim_start_matches("www.").to_string()));
        Ok(ExportEntry {
            meta,
            source_host,
            summary,
            body,
            editor_note,
            further_reading,
            tags: entry.tags.iter().map(|&t| &lv.tag_values[t]).collect(),
            url_ref,
            source_ref,
            refs: self.refs.since(listed),
        })
    }
}

/// Builds the context of issue `i` in the language of `lv`, whose views link absolutely.
pub fn build<'a>(
    site: &'a Site,
    lv: &'a LangViews,
    i: IssueId,
    format: Format,
    full: bool,
) -> Result<EditionPage<'a>, Diagnostic> {
    debug_assert_eq!(lv.links, Links::Absolute, "an edition links absolutely");
    let issue = &site.issues[i];
    let summary = lv.issue_summaries[i].clone();
    let base = Url::parse(&summary.permalink).map_err(|e| {
        Diagnostic::file(&site.config.path, format!("base_url gives no valid address for the issue: {e}"))
    })?;
    let mut conv = Convert { format, base: &base, full, refs: Refs::default() };

    let web_ref = conv.number(&summary.permalink);
    let (text, _) = issue.text(&lv.lang);
    let pictures = &site.pictures;
    let intro =
        conv.content(&with_pictures(&text.intro.html, &text.intro.images, &site.config, pictures, Links::Absolute))?;
    let preheader = summary.summary.clone().unwrap_or_else(|| super::html::fragment_text(&text.intro.summary_html));
    let before_entries = conv.refs.len();
    let mut groups = Vec::new();
    for (t, ids) in issue.topics_with_entries() {
        let entries = ids.iter().map(|&e| conv.entry(site, lv, e)).collect::<Result<_, _>>()?;
        groups.push(Group { topic: &lv.topic_values[t], entries });
    }
    let after_entries = conv.refs.len();
    let links = &lv.site_view;
    let rss_ref = conv.number(&links.rss_url);
    let atom_ref = conv.number(&links.atom_url);
    let archive_ref = conv.number(&links.archive_url);
    let home_ref = conv.number(&links.home_url);
    // Listed at the end: the issue page and the introduction's links (numbered before the
    // first entry), and the feeds (after the last).
    let refs = conv.refs.all().into_iter().filter(|r| r.number <= before_entries || r.number > after_entries).collect();
    Ok(EditionPage {
        lang: LangContext::of(lv),
        format: format.name(),
        full,
        issue: summary,
        preheader,
        intro,
        groups,
        web_ref,
        rss_ref,
        atom_ref,
        archive_ref,
        home_ref,
        refs,
    })
}
