//! Render stage: RSS 2.0 and Atom feeds, written with XML libraries, never by concatenation.

use chrono::{DateTime, NaiveDate, Utc};

use crate::frontmatter::clean_text;
use crate::site::Site;
use crate::view::LangViews;

const GENERATOR: &str = concat!("digest ", env!("CARGO_PKG_VERSION"));

/// Midnight UTC of a content date: feeds take their dates from the content, never the clock.
fn timestamp(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn self_link(href: String, mime: &str) -> rss::extension::atom::AtomExtension {
    let mut link = rss::extension::atom::Link::default();
    link.set_href(href);
    link.set_rel("self");
    link.set_mime_type(Some(mime.to_string()));
    let mut ext = rss::extension::atom::AtomExtension::default();
    ext.set_links(vec![link]);
    ext
}

/// One item of a feed, already in plain strings.
struct Item {
    title: String,
    permalink: String,
    date: NaiveDate,
    content: String,
    categories: Vec<String>,
}

fn rss_bytes(title: &str, link: String, description: &str, lang: &str, self_url: String, items: Vec<Item>) -> Vec<u8> {
    let newest = items.iter().map(|i| i.date).max();
    let items: Vec<rss::Item> = items
        .into_iter()
        .map(|i| {
            let mut guid = rss::Guid::default();
            guid.set_value(i.permalink.clone());
            guid.set_permalink(true);
            rss::ItemBuilder::default()
                .title(Some(clean_text(&i.title)))
                .link(Some(i.permalink))
                .guid(Some(guid))
                .pub_date(Some(timestamp(i.date).to_rfc2822()))
                .description(Some(clean_text(&i.content)))
                .categories(
                    i.categories
                        .iter()
                        .map(|c| rss::CategoryBuilder::default().name(clean_text(c)).build())
                        .collect::<Vec<_>>(),
                )
                .build()
        })
        .collect();
    let channel = rss::ChannelBuilder::default()
        .title(clean_text(title))
        .link(link)
        .description(clean_text(description))
        .language(Some(lang.to_string()))
        .generator(Some(GENERATOR.to_string()))
        .last_build_date(newest.map(|d| timestamp(d).to_rfc2822()))
        .atom_ext(Some(self_link(self_url, "application/rss+xml")))
        .items(items)
        .build();
    let mut out = Vec::new();
    channel.pretty_write_to(&mut out, b' ', 2).expect("writing to memory");
    out.push(b'\n');
    out
}

/// The language feed in RSS 2.0: one item per issue, full content, newest first.
pub fn issues_rss(site: &Site, lv: &LangViews, contents: &[String]) -> Vec<u8> {
    let c = &site.config;
    let lang = c.language(&lv.lang).expect("configured language");
    let items = issue_items(lv, contents);
    rss_bytes(
        &lang.title,
        c.permalink(&lv.lang, "/"),
        &lang.description,
        &lv.lang,
        c.permalink(&lv.lang, "/rss.xml"),
        items,
    )
}

fn issue_items(lv: &LangViews, contents: &[String]) -> Vec<Item> {
    lv.issue_summaries
        .iter()
        .zip(contents)
        .map(|(s, content)| Item {
            title: s.title.clone(),
            permalink: s.permalink.clone(),
            date: NaiveDate::parse_from_str(&s.date, "%Y-%m-%d").unwrap_or_default(),
            content: content.clone(),
            categories: Vec::new(),
        })
        .collect()
}

/// The language feed in Atom.
pub fn issues_atom(site: &Site, lv: &LangViews, contents: &[String]) -> Vec<u8> {
    use atom_syndication::{Content, Entry, Feed, Generator, Link, Text};
    let c = &site.config;
    let lang = c.language(&lv.lang).expect("configured language");
    let items = issue_items(lv, contents);
    let updated = items.iter().map(|i| i.date).max().unwrap_or_default();
    let link = |href: String, rel: &str, mime: Option<&str>| {
        let mut l = Link::default();
        l.set_href(href);
        l.set_rel(rel);
        l.set_mime_type(mime.map(str::to_string));
        l
    };
    let entries: Vec<Entry> = items
        .into_iter()
        .map(|i| {
            let mut content = Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(clean_text(&i.content)));
            let mut e = Entry::default();
            e.set_title(Text::plain(clean_text(&i.title)));
            e.set_id(i.permalink.clone());
            e.set_links(vec![link(i.permalink, "alternate", Some("text/html"))]);
            e.set_updated(timestamp(i.date).fixed_offset());
            e.set_published(Some(timestamp(i.date).fixed_offset()));
            e.set_content(Some(content));
            e
        })
        .collect();
    let mut feed = Feed::default();
    feed.set_title(Text::plain(clean_text(&lang.title)));
    feed.set_subtitle(Some(Text::plain(clean_text(&lang.description))));
    feed.set_id(c.permalink(&lv.lang, "/"));
    feed.set_lang(Some(lv.lang.clone()));
    feed.set_updated(timestamp(updated).fixed_offset());
    feed.set_generator(Some(Generator {
        value: "digest".into(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").into()),
    }));
    feed.set_links(vec![
        link(c.permalink(&lv.lang, "/atom.xml"), "self", Some("application/atom+xml")),
        link(c.permalink(&lv.lang, "/"), "alternate", Some("text/html")),
    ]);
    feed.set_entries(entries);
    let mut out = Vec::new();
    feed.write_with_config(
        &mut out,
        atom_syndication::WriteConfig { write_document_declaration: true, indent_size: Some(2) },
    )
    .expect("writing to memory");
    out.push(b'\n');
    out
}

/// A topic's feed in RSS 2.0: one item per entry, newest issue first.
pub fn topic_rss(site: &Site, lv: &LangViews, topic: usize) -> Vec<u8> {
    let c = &site.config;
    let lang = c.language(&lv.lang).expect("configured language");
    let t = &lv.topics[topic];
    let items: Vec<Item> = site
        .topic_entries(topic)
        .map(|e| {
            let v = &lv.entries[e];
            let entry = &site.entries[e];
            let mut content = v.body.clone();
            if let Some(note) = &v.editor_note {
                content.push_str(&format!("<blockquote>{note}</blockquote>"));
            }
            Item {
                title: v.title.clone(),
                permalink: v.permalink.clone(),
                date: entry.date.unwrap_or(site.issues[entry.issue].date),
                content: crate::markdown::absolutize(&content, c.origin()),
                categories: v.tags.iter().map(|t| t.name.clone()).collect(),
            }
        })
        .collect();
    let path = format!("/topics/{}/", t.key);
    rss_bytes(
        &format!("{} · {}", t.name, lang.title),
        c.permalink(&lv.lang, &path),
        &format!("{} {}", t.emoji, t.name),
        &lv.lang,
        c.permalink(&lv.lang, &format!("{path}rss.xml")),
        items,
    )
}
