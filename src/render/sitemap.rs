//! Render stage: `sitemap.xml` with hreflang alternates and content dates, within the sitemap
//! protocol's limits (50,000 URLs and 50 MB a file: past them, `sitemap.xml` becomes an index
//! of numbered children), and `robots.txt`.

use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::lists::ListPages;
use crate::error::Diagnostic;
use crate::site::layout::Address;
use crate::site::{Entry, Issue, Site};
use crate::write::Sink;

/// How much one sitemap file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub urls: usize,
    pub bytes: usize,
}

/// The protocol's limits (sitemaps.org): 50,000 URLs and 50 MB (52,428,800 bytes) uncompressed.
pub const PROTOCOL: Limits = Limits { urls: 50_000, bytes: 52_428_800 };

const URLSET_END: &[u8] = b"</urlset>\n";

/// The languages a page is written in: every language for the pages made of the interface's
/// words, the languages of its texts for an issue or an entry (its page in another language
/// shows an untranslated text, and is left out, as search engines should index the original).
#[derive(Debug, Clone, Copy)]
enum Written<'a> {
    All,
    Issue(&'a Issue),
    Entry(&'a Entry),
}

impl Written<'_> {
    fn has(self, lang: &str) -> bool {
        match self {
            Written::All => true,
            Written::Issue(i) => i.texts.contains_key(lang),
            Written::Entry(e) => e.texts.contains_key(lang),
        }
    }
}

/// Every page, with the date its content last changed (the issue's date for an issue and its
/// entries, the newest issue date shown for lists) and the languages it is written in.
fn page_addresses(site: &Site) -> Vec<(Address<'_>, NaiveDate, Written<'_>)> {
    let newest = site.issues.first().map(|i| i.date).unwrap_or_default();
    let all = |a: Address<'static>| (a, newest, Written::All);
    let mut pages = vec![all(Address::Home), all(Address::Archive), all(Address::Tags), all(Address::Search)];
    pages.extend(site.issues.iter().map(|i| (Address::Issue(&i.key), i.date, Written::Issue(i))));
    let issue_topics = super::issue_topics(site)
        .map(|(i, t)| (Address::issue_topic(site, &site.issues[i], t), site.issues[i].date, Written::All));
    pages.extend(issue_topics);
    pages.extend(site.entries.iter().map(|e| (Address::entry(site, e), site.issues[e.issue].date, Written::Entry(e))));
    for (t, topic) in site.config.topics.iter_enumerated() {
        let date = site.issues.iter().find(|i| !i.topics[t].is_empty()).map_or(newest, |i| i.date);
        pages.push((Address::Topic(&topic.key), date, Written::All));
    }
    for tag in &site.tags {
        let date = tag.entries.first().map_or(newest, |&e| site.issues[site.entries[e].issue].date);
        pages.push((Address::Tag(&tag.slug), date, Written::All));
    }
    // The full pages of topics and tags: dated by their newest issue.
    for page in super::lists::part_pages(site, crate::site::LangId::DEFAULT) {
        let (list, part) = page.list().expect("a page of a list");
        let pages_of = ListPages::of(site, list);
        let newest = pages_of.groups[pages_of.range(part).start].0;
        pages.push((pages_of.address(site, list, part), site.issues[newest].date, Written::All));
    }
    pages
}

/// Writes the sitemap into `sink`: `sitemap.xml` alone when it fits in `limits`, else the
/// children `sitemap-1.xml`, `sitemap-2.xml`, … and `sitemap.xml` as their index. One child is
/// held in memory at a time.
pub fn write(site: &Site, limits: Limits, sink: &dyn Sink) -> Result<(), Diagnostic> {
    let c = &site.config;
    let mut chunk = urlset_start();
    let (mut urls, mut children) = (0, Vec::new());
    let pages = page_addresses(site);
    let mut left: usize = pages.iter().map(|p| c.languages.iter().filter(|l| p.2.has(&l.code)).count()).sum();
    for (address, date, written) in pages {
        for lang in c.languages.iter().filter(|l| written.has(&l.code)) {
            let url = url_element(site, &lang.code, address, date, written);
            if urls > 0 && (urls == limits.urls || chunk.len() + url.len() + URLSET_END.len() > limits.bytes) {
                chunk.extend_from_slice(URLSET_END);
                children.push(child_name(children.len()));
                sink.put(children.last().expect("just pushed"), std::mem::replace(&mut chunk, urlset_start()))?;
                urls = 0;
            }
            if urls == 0 {
                // Room for this file's URLs, guessed from the first (a tenth more): a buffer
                // grown by doubling holds up to twice what it needs (docs/performance.md).
                let guess = url.len().saturating_mul(left.min(limits.urls)) / 10 * 11;
                chunk.reserve(guess.min(limits.bytes));
            }
            chunk.extend_from_slice(&url);
            urls += 1;
            left -= 1;
        }
    }
    chunk.extend_from_slice(URLSET_END);
    if children.is_empty() {
        return sink.put(&Address::Sitemap.file(), chunk);
    }
    children.push(child_name(children.len()));
    sink.put(children.last().expect("just pushed"), chunk)?;
    let newest = site.issues.first().map(|i| i.date).unwrap_or_default();
    sink.put(&Address::Sitemap.file(), index(site, children.len(), newest))
}

/// The file of child `n`, from 0.
fn child_name(n: usize) -> String {
    Address::SitemapPart(n + 1).file()
}

fn writer() -> Writer<Vec<u8>> {
    Writer::new_with_indent(Vec::new(), b' ', 2)
}

fn urlset_start() -> Vec<u8> {
    let mut w = writer();
    let mut urlset = BytesStart::new("urlset");
    urlset.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    urlset.push_attribute(("xmlns:xhtml", "http://www.w3.org/1999/xhtml"));
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::Start(urlset))
    })();
    written.expect("writing to memory");
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

/// One `<url>`: the page in `lang`, its date, and every language it is written in as an
/// alternate.
fn url_element(site: &Site, lang: &str, address: Address, date: NaiveDate, written: Written) -> Vec<u8> {
    let c = &site.config;
    let mut w = writer();
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Start(BytesStart::new("url")))?;
        w.create_element("loc").write_text_content(BytesText::new(&c.permalink(lang, address)))?;
        w.create_element("lastmod").write_text_content(BytesText::new(&date.to_string()))?;
        let default = c.default_language();
        let langs = c.languages.iter().map(|l| l.code.as_str()).filter(|l| written.has(l));
        let x_default = written.has(default).then_some(("x-default", default));
        for (hreflang, alt) in langs.map(|l| (l, l)).chain(x_default) {
            w.create_element("xhtml:link")
                .with_attribute(("rel", "alternate"))
                .with_attribute(("hreflang", hreflang))
                .with_attribute(("href", c.permalink(alt, address).as_str()))
                .write_empty()?;
        }
        w.write_event(Event::End(BytesEnd::new("url")))
    })();
    written.expect("writing to memory");
    // Indented as a child of <urlset>.
    let mut out = Vec::new();
    for line in w.into_inner().split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(b"  ");
        out.extend_from_slice(line);
    }
    out.push(b'\n');
    out
}

/// The sitemap index naming every child.
fn index(site: &Site, children: usize, newest: NaiveDate) -> Vec<u8> {
    let mut w = writer();
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut index = BytesStart::new("sitemapindex");
        index.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
        w.write_event(Event::Start(index))?;
        let c = &site.config;
        for n in 1..=children {
            w.write_event(Event::Start(BytesStart::new("sitemap")))?;
            let loc = c.permalink(c.default_language(), Address::SitemapPart(n));
            w.create_element("loc").write_text_content(BytesText::new(&loc))?;
            w.create_element("lastmod").write_text_content(BytesText::new(&newest.to_string()))?;
            w.write_event(Event::End(BytesEnd::new("sitemap")))?;
        }
        w.write_event(Event::End(BytesEnd::new("sitemapindex")))
    })();
    written.expect("writing to memory");
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

pub fn robots(site: &Site) -> Vec<u8> {
    let c = &site.config;
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", c.permalink(c.default_language(), Address::Sitemap))
        .into_bytes()
}
