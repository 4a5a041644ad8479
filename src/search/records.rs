//! The records of the search index, made from the site's data rather than from its rendered
//! pages: a page's navigation changes whenever the archive grows, a record only when its text
//! does, so records are what a segment's cache key is made of (`docs/templates.md#search`).
//!
//! Each text is indexed once, in its own language's index: an entry's Chinese text in the
//! Chinese index, its English text in the English one. A page that shows a text of another
//! language (a fallback: the Chinese page of an untranslated English entry) is not indexed
//! again; the record of the text it shows says which languages show it (filter `shown_in`)
//! and how their pages name it (`url_<lang>`, `issue_<lang>`, `topic_<lang>` as metadata;
//! `topic_<lang>`, `issue_<lang>` as filters), so that their search pages find it through this
//! index, stemmed in its own language, and link it at their own address.
//!
//! A record is a small HTML document that pagefind parses: the element it indexes
//! (`data-pagefind-body`) holds what the entry page's article shows of the text (title, the
//! source's own title, the text, the editor's note, further reading) in the same markup, so
//! that headings weigh as they do on the page, without the page's navigation, labels or tags.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::site::i18n;
use crate::site::layout::Address;
use crate::site::month::parse_issue_key;
use crate::site::{Entry, Issue, LangId, Site};

/// One record: the URL of the page that shows it in its own language, and the document
/// pagefind indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub url: String,
    pub html: String,
}

/// The year of an issue.
pub fn year(issue: &Issue) -> i32 {
    parse_issue_key(&issue.key).map_or(1970, |(y, _)| y)
}

/// The years a segment holds: a language's newest year, or a run of the years before it
/// (`docs/performance.md`: one segment a year made a query load too many bytes, one for all
/// the years before the newest held too much memory while it was indexed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub first: i32,
    pub last: i32,
}

impl Period {
    pub fn contains(&self, year: i32) -> bool {
        (self.first..=self.last).contains(&year)
    }

    /// `2025`, or `2016-2020`.
    pub fn name(&self) -> String {
        match self.first == self.last {
            true => self.first.to_string(),
            false => format!("{}-{}", self.first, self.last),
        }
    }
}

/// How much, at most, the years of one older period hold: bytes of the texts' HTML, and
/// records. Indexing a segment holds about 60 times its text, and some 30 KB a record however
/// short (`docs/performance.md`), so both bound a build's memory.
pub const PERIOD_TEXT: usize = 6 << 20;
pub const PERIOD_RECORDS: usize = 10_000;

/// The periods of language `l`'s texts, newest first: the newest year with a text, then the
/// years before it, cut from the oldest on into runs within [`PERIOD_TEXT`] and
/// [`PERIOD_RECORDS`] (a year past them is a run of its own). Years are only ever added after
/// the newest, so a run, once followed by another, keeps its years: only the newest year and
/// the last run change.
pub fn periods(site: &Site, l: LangId) -> Vec<Period> {
    let code = site.config.languages[l].code.as_str();
    let mut sizes: BTreeMap<i32, (usize, usize)> = BTreeMap::new();
    for issue in site.issues.iter() {
        let intro = issue.texts.get(code).map_or(0, |t| t.intro.html.len());
        let entries: Vec<_> = issue.topics.iter().flatten().filter_map(|&e| site.entries[e].texts.get(code)).collect();
        let text: usize = intro + entries.iter().map(|t| t.body.html.len() + t.title.len() + 1).sum::<usize>();
        if text > 0 {
            let year = sizes.entry(year(issue)).or_default();
            year.0 += text;
            year.1 += entries.len() + usize::from(intro > 0);
        }
    }
    let Some((&newest, _)) = sizes.last_key_value() else { return Vec::new() };
    let mut runs: Vec<(Period, usize, usize)> = Vec::new();
    for (&y, &(text, records)) in sizes.range(..newest) {
        match runs.last_mut() {
            Some((period, t, r)) if *t + text <= PERIOD_TEXT && *r + records <= PERIOD_RECORDS => {
                period.last = y;
                *t += text;
                *r += records;
            }
            _ => runs.push((Period { first: y, last: y }, text, records)),
        }
    }
    let older = runs.into_iter().rev().map(|(p, ..)| p);
    std::iter::once(Period { first: newest, last: newest }).chain(older).collect()
}

/// Hands `each` the records of language `l` from the issues of `period`, in a fixed order (issue
/// after issue, newest first, each followed by its entries in reading order), with the other
/// languages whose pages show the record's text.
pub fn each_record(site: &Site, l: LangId, period: Period, mut each: impl FnMut(Record, &[LangId])) {
    let code = site.config.languages[l].code.as_str();
    let shown_by = |text_lang: &dyn Fn(&str) -> String| -> Vec<LangId> {
        let langs = site.config.languages.iter_enumerated();
        langs.filter(|(o, other)| *o != l && text_lang(&other.code) == code).map(|(o, _)| o).collect()
    };
    for issue in site.issues.iter().filter(|i| period.contains(year(i))) {
        if let Some(text) = issue.texts.get(code).filter(|t| !t.intro.html.is_empty()) {
            let others = shown_by(&|other| issue.text(other).1.to_string());
            let html = issue_html(site, issue, code, &text.intro.html, &others);
            each(Record { url: site.config.href(code, Address::Issue(&issue.key)), html }, &others);
        }
        for &e in issue.topics.iter().flatten() {
            let entry = &site.entries[e];
            if entry.texts.contains_key(code) {
                let others = shown_by(&|other| entry.text(other).1.to_string());
                let html = entry_html(site, entry, code, &others);
                each(Record { url: site.config.href(code, Address::entry(site, entry)), html }, &others);
            }
        }
    }
}

/// How the page of `lang` names an issue: its title and its month.
fn issue_names(issue: &Issue, lang: &str) -> (String, String) {
    let (y, m) = parse_issue_key(&issue.key).unwrap_or((1970, 1));
    (issue.text(lang).0.title.clone(), i18n::month(lang, y, m))
}

/// The record of an issue's introduction.
fn issue_html(site: &Site, issue: &Issue, code: &str, intro: &str, others: &[LangId]) -> String {
    let (title, month) = issue_names(issue, code);
    let mut a = Attributes::default();
    a.meta("title", &title);
    a.meta("issue", &title);
    a.filter("issue", &month);
    for &o in others {
        let other = site.config.languages[o].code.as_str();
        let (title, month) = issue_names(issue, other);
        a.shown_in(other);
        a.meta(&format!("url_{other}"), &site.config.href(other, Address::Issue(&issue.key)));
        a.meta(&format!("issue_{other}"), &title);
        a.filter(&format!("issue_{other}"), &month);
    }
    document(code, &a, intro)
}

/// The record of an entry's text in language `code`.
fn entry_html(site: &Site, entry: &Entry, code: &str, others: &[LangId]) -> String {
    let text = &entry.texts[code];
    let issue = &site.issues[entry.issue];
    let topic = &site.config.topics[entry.topic];
    let (issue_title, month) = issue_names(issue, code);
    let mut a = Attributes::default();
    a.meta("title", &text.title);
    a.meta("issue", &issue_title);
    a.meta("topic", topic.name(code));
    a.filter("topic", topic.name(code));
    a.filter("issue", &month);
    for &o in others {
        let other = site.config.languages[o].code.as_str();
        let (issue_title, month) = issue_names(issue, other);
        a.shown_in(other);
        a.meta(&format!("url_{other}"), &site.config.href(other, Address::entry(site, entry)));
        a.meta(&format!("issue_{other}"), &issue_title);
        a.meta(&format!("topic_{other}"), topic.name(other));
        a.filter(&format!("topic_{other}"), topic.name(other));
        a.filter(&format!("issue_{other}"), &month);
    }
    let mut body = format!("<h1>{}</h1>", escape(&text.title));
    if let Some(original) = &text.original_title {
        let _ = write!(body, "<p>{}</p>", escape(original));
    }
    let _ = write!(body, "<div>{}</div>", text.body.html);
    if let Some(note) = &text.editor_note {
        let _ = write!(body, "<aside>{note}</aside>");
    }
    if !text.further_reading.is_empty() {
        body.push_str("<ul>");
        for link in &text.further_reading {
            let _ = write!(body, "<li>{}</li>", escape(&link.title));
        }
        body.push_str("</ul>");
    }
    document(code, &a, &body)
}

/// The metadata and filters of a record, as the attributes pagefind reads them from.
#[derive(Default)]
struct Attributes {
    meta: Vec<String>,
    filters: Vec<String>,
    values: String,
}

impl Attributes {
    /// A new attribute holding `value`, named by its place.
    fn value(&mut self, value: &str) -> String {
        let attr = format!("data-v{}", self.meta.len() + self.filters.len());
        let _ = write!(self.values, " {attr}=\"{}\"", escape(value));
        attr
    }

    fn meta(&mut self, name: &str, value: &str) {
        let attr = self.value(value);
        self.meta.push(format!("{name}[{attr}]"));
    }

    fn filter(&mut self, name: &str, value: &str) {
        let attr = self.value(value);
        self.filters.push(format!("{name}[{attr}]"));
    }

    fn shown_in(&mut self, lang: &str) {
        self.filter("shown_in", lang);
    }
}

/// A document of language `lang` whose indexed element holds `body`.
fn document(lang: &str, a: &Attributes, body: &str) -> String {
    format!(
        "<html lang=\"{}\"><body><article data-pagefind-body data-pagefind-meta=\"{}\" \
         data-pagefind-filter=\"{}\"{}>{body}</article></body></html>",
        escape(lang),
        escape(&a.meta.join(", ")),
        escape(&a.filters.join(", ")),
        a.values
    )
}

/// Text as HTML text or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
