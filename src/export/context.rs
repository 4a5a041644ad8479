//! Export stage: the typed context every edition's template receives (`templates/export/…`),
//! built from the site's shared views so that entries, fallbacks, numbering and order are the
//! website's. `docs/templates.md` documents every field.
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
use crate::render::view::{IssueSummary, LangViews, TopicRef, entry_view};
use crate::site::{FurtherReading, Site};

/// The context of an edition's template.
#[derive(Serialize)]
pub struct EditionPage<'a> {
    /// The edition's language code.
    pub lang: &'a str,
    /// The interface text of the language, by key.
    pub t: &'a Value,
    /// `email`, `text`, `wechat` or `markdown`.
    pub format: &'static str,
    /// Whether entries carry their whole text (`body`), not only their summary.
    pub full: bool,
    pub site: SiteLinks,
    /// The issue; `url` and `permalink` are both its absolute address.
    pub issue: IssueSummary,
    /// The hidden preview line of the email: the issue's summary (or the start of the
    /// introduction).
    pub preheader: String,
    /// The introduction, in the edition's format.
    pub intro: String,
    /// Topics in config order, empty ones left out.
    pub groups: Vec<Group>,
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

/// The site's addresses an edition links to, all absolute.
#[derive(Serialize)]
pub struct SiteLinks {
    pub title: String,
    pub description: String,
    pub home_url: String,
    pub archive_url: String,
    pub rss_url: String,
    pub atom_url: String,
}

/// One topic of the issue with its entries.
#[derive(Serialize)]
pub struct Group {
    /// Its `url` and `feed_url` are absolute.
    pub topic: TopicRef,
    pub entries: Vec<ExportEntry>,
}

/// One entry, as the site shows it in the edition's language (or, untranslated, in its own).
#[derive(Serialize)]
pub struct ExportEntry {
    pub slug: String,
    pub anchor: String,
    /// The entry page, absolute.
    pub url: String,
    /// The language the text is written in.
    pub lang: String,
    /// Whether the text is in the edition's language; if not it is shown in `lang`, marked.
    pub translated: bool,
    pub title: String,
    pub original_title: Option<String>,
    pub source: Option<String>,
    /// The source's host name (`kubernetes.io`).
    pub source_host: Option<String>,
    pub date: Option<String>,
    pub date_display: Option<String>,
    /// 1-based position within its topic.
    pub number: usize,
    pub draft: bool,
    /// The first paragraph (or up to `<!-- more -->`), in the edition's format.
    pub summary: String,
    /// The whole text, in the edition's format; empty unless `full`.
    pub body: String,
    pub editor_note: Option<String>,
    pub further_reading: Vec<ReadingLink>,
    pub tags: Vec<TagLink>,
    /// `text` only: the numbers of the entry page and of the source.
    pub url_ref: Option<usize>,
    pub source_ref: Option<usize>,
    /// `text` only: the references first used by this entry, listed under it.
    pub refs: Vec<Reference>,
}

#[derive(Serialize)]
pub struct ReadingLink {
    pub title: String,
    pub url: String,
    /// `text` only: its reference number.
    #[serde(rename = "ref")]
    pub number: Option<usize>,
}

#[derive(Serialize)]
pub struct TagLink {
    pub name: String,
    /// The tag page, absolute.
    pub url: String,
}

/// Converts content HTML into the edition's format, numbering links for `text`.
struct Convert<'b> {
    format: Format,
    base: &'b Url,
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
}

/// Builds the context of issue `i` in language `l`.
pub fn build<'a>(
    site: &Site,
    lv: &'a LangViews,
    i: usize,
    format: Format,
    full: bool,
) -> Result<EditionPage<'a>, Diagnostic> {
    let c = &site.config;
    let lang = lv.lang.as_str();
    let issue = &site.issues[i];
    let mut summary = lv.issue_summaries[i].clone();
    summary.url = summary.permalink.clone();
    let base = Url::parse(&summary.permalink)
        .map_err(|e| Diagnostic::file(&c.path, format!("base_url gives no valid address for the issue: {e}")))?;
    let mut conv = Convert { format, base: &base, refs: Refs::default() };

    let web_ref = conv.number(&summary.permalink);
    let (text, _) = issue.text(lang);
    let intro = conv.content(&text.intro.html)?;
    let preheader = summary.summary.clone().unwrap_or_else(|| super::html::fragment_text(&text.intro.summary_html));
    let before_entries = conv.refs.len();
    let mut listed = before_entries;

    let mut groups = Vec::new();
    for (t, ids) in issue.topics_with_entries() {
        let mut topic = lv.topics[t].clone();
        topic.url = c.permalink(lang, &format!("/topics/{}/", topic.key));
        topic.feed_url = c.permalink(lang, &format!("/topics/{}/rss.xml", topic.key));
        let mut entries = Vec::new();
        for &e in ids {
            let entry = &site.entries[e];
            let v = entry_view(site, lv, entry);
            let url_ref = conv.number(&v.permalink);
            let source_ref = v.source.and_then(|s| conv.number(s));
            let summary_html = conv.content(v.summary)?;
            let body = if full { conv.content(v.body)? } else { String::new() };
            let editor_note = v.editor_note.map(|n| conv.content(n)).transpose()?;
            let further_reading = v
                .further_reading
                .iter()
                .map(|FurtherReading { title, url }| {
                    let url = base.join(url).map_or_else(|_| url.clone(), String::from);
                    // Listed (and so numbered) with the whole text only.
                    let number = if full { conv.number(&url) } else { None };
                    ReadingLink { title: title.clone(), number, url }
                })
                .collect();
            let tags = entry
                .tags
                .iter()
                .map(|&t| TagLink {
                    name: site.tags[t].name.clone(),
                    url: c
                        .permalink(lang, &format!("/tags/{}/", crate::site::slug::encode_segment(&site.tags[t].slug))),
                })
                .collect();
            let refs = conv.refs.since(listed);
            listed = conv.refs.len();
            entries.push(ExportEntry {
                slug: v.slug.to_string(),
                anchor: v.anchor,
                url: v.permalink,
                lang: v.lang.to_string(),
                translated: v.translated,
                title: v.title.to_string(),
                original_title: v.original_title.map(str::to_string),
                source: v.source.map(str::to_string),
                source_host: v
                    .source
                    .and_then(|s| Url::parse(s).ok()?.host_str().map(|h| h.trim_start_matches("www.").to_string())),
                date: v.date,
                date_display: v.date_display,
                number: v.number,
                draft: v.draft,
                summary: summary_html,
                body,
                editor_note,
                further_reading,
                tags,
                url_ref,
                source_ref,
                refs,
            });
        }
        groups.push(Group { topic, entries });
    }

    let site_links = SiteLinks {
        title: c.languages[site_index(site, lang)].title.clone(),
        description: c.languages[site_index(site, lang)].description.clone(),
        home_url: c.permalink(lang, "/"),
        archive_url: c.permalink(lang, "/archive/"),
        rss_url: c.permalink(lang, "/rss.xml"),
        atom_url: c.permalink(lang, "/atom.xml"),
    };
    let after_entries = conv.refs.len();
    let rss_ref = conv.number(&site_links.rss_url);
    let atom_ref = conv.number(&site_links.atom_url);
    let archive_ref = conv.number(&site_links.archive_url);
    let home_ref = conv.number(&site_links.home_url);
    // Listed at the end: the issue page and the introduction's links (numbered before the
    // first entry), and the feeds (after the last).
    let refs = conv.refs.all().into_iter().filter(|r| r.number <= before_entries || r.number > after_entries).collect();
    Ok(EditionPage {
        lang,
        t: &lv.t,
        format: format.name(),
        full,
        site: site_links,
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

fn site_index(site: &Site, lang: &str) -> usize {
    site.config.languages.iter().position(|l| l.code == lang).unwrap_or(0)
}
