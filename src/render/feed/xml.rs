//! Render stage: the RSS 2.0 and Atom writers, streaming item by item with quick-xml.
//!
//! The events written are exactly those of the `rss` and `atom_syndication` crates (this module's
//! tests compare the bytes with theirs). Writing them ourselves lets a feed holding every issue's
//! full text go to its file one item at a time: the crates need every item in memory first.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::site::text::clean;

const GENERATOR: &str = concat!("digest ", env!("CARGO_PKG_VERSION"));
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Midnight UTC of a content date: feeds take their dates from the content, never the clock.
fn timestamp(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// What a feed says about itself.
#[derive(Debug, Clone)]
pub struct Channel<'a> {
    pub title: Cow<'a, str>,
    pub description: Cow<'a, str>,
    pub lang: &'a str,
    /// The page the feed stands for (absolute).
    pub link: String,
    /// The feed's own address (absolute).
    pub self_url: String,
    /// The date of the newest item, if there is one.
    pub newest: Option<NaiveDate>,
}

/// One item of a feed.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub title: &'a str,
    pub permalink: &'a str,
    pub date: NaiveDate,
    /// HTML with absolute links, cleaned of characters XML cannot hold (see [`Item::new`]).
    content: Cow<'a, str>,
    pub categories: Vec<&'a str>,
    /// Atom requires an author on every entry (RFC 4287 §4.1.2); RSS items carry none.
    pub authors: Vec<&'a str>,
}

impl<'a> Item<'a> {
    /// An item; `content` is cleaned here once, for both the RSS and the Atom feed.
    pub fn new(
        title: &'a str,
        permalink: &'a str,
        date: NaiveDate,
        content: &'a str,
        categories: Vec<&'a str>,
        authors: Vec<&'a str>,
    ) -> Self {
        Item { title, permalink, date, content: clean(content), categories, authors }
    }
}

fn text_element<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// RSS plain text (titles, descriptions, categories): readers differ on whether it may hold
/// HTML, so `&` and `<` are written as the hexadecimal references the W3C validator asks for
/// (`&#x26;`, `&#x3C;`), which read the same either way.
fn rss_text<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&#x26;"),
            '<' => escaped.push_str("&#x3C;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::from_escaped(escaped)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// What `quick_xml::escape::escape` does (`<`, `>`, `&`, `'`, `"`), byte by byte into a buffer:
/// the Atom feeds escape every issue's full HTML, so this loop is hot.
fn escape_into(s: &str, out: &mut Vec<u8>) {
    out.reserve(s.len() + s.len() / 4);
    for &b in s.as_bytes() {
        match b {
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'\'' => out.extend_from_slice(b"&apos;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            _ => out.push(b),
        }
    }
}

/// The most a feed file grows to with a limited `feed_limit`: what feed readers fetch without
/// trouble. The newest item is always written.
pub const BUDGET: usize = 2_000_000;

/// A writer that counts the bytes through it, so a feed knows its size while it streams.
pub struct Counting<W> {
    inner: W,
    written: usize,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An upper estimate of what an item adds to a feed beyond its escaped content: the elements
/// around it, its title, link and categories.
fn item_overhead(item: &Item) -> usize {
    512 + 2 * (item.title.len() + item.permalink.len()) + item.categories.iter().map(|c| c.len() + 32).sum::<usize>()
}

/// Whether `item` keeps a feed of `written` bytes within `budget`.
fn fits(written: usize, content: usize, item: &Item, budget: Option<usize>) -> bool {
    budget.is_none_or(|b| written + content + item_overhead(item) <= b)
}

/// The length of `s` once `escape_into` has escaped it.
fn escaped_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'<' | b'>' => 4,
            b'&' => 5,
            b'\'' | b'"' => 6,
            _ => 1,
        })
        .sum()
}

/// An RSS 2.0 document being written.
pub struct Rss<W: Write> {
    w: Writer<Counting<W>>,
}

impl<W: Write> Rss<W> {
    /// Writes everything up to the first item.
    pub fn start(out: W, ch: &Channel) -> io::Result<Self> {
        let mut w = Writer::new_with_indent(Counting { inner: out, written: 0 }, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        let mut rss = BytesStart::new("rss");
        rss.push_attribute(("version", "2.0"));
        rss.push_attribute(("xmlns:atom", ATOM_NS));
        w.write_event(Event::Start(rss))?;
        w.write_event(Event::Start(BytesStart::new("channel")))?;
        rss_text(&mut w, "title", &clean(&ch.title))?;
        text_element(&mut w, "link", &ch.link)?;
        rss_text(&mut w, "description", &clean(&ch.description))?;
        text_element(&mut w, "language", ch.lang)?;
        if let Some(d) = ch.newest {
            text_element(&mut w, "lastBuildDate", &timestamp(d).to_rfc2822())?;
        }
        text_element(&mut w, "generator", GENERATOR)?;
        let mut link = BytesStart::new("atom:link");
        link.push_attribute(("href", ch.self_url.as_str()));
        link.push_attribute(("rel", "self"));
        link.push_attribute(("type", "application/rss+xml"));
        w.write_event(Event::Empty(link))?;
        Ok(Rss { w })
    }

    /// Whether `item` keeps the document within `budget` bytes.
    pub fn fits(&self, item: &Item, budget: Option<usize>) -> bool {
        fits(self.w.get_ref().written, item.content.len(), item, budget)
    }

    pub fn item(&mut self, item: &Item) -> io::Result<()> {
        let w = &mut self.w;
        w.write_event(Event::Start(BytesStart::new("item")))?;
        rss_text(w, "title", &clean(item.title))?;
        text_element(w, "link", item.permalink)?;
        w.write_event(Event::Start(BytesStart::new("description")))?;
        for part in BytesCData::escaped(&item.content) {
            w.write_event(Event::CData(part))?;
        }
        w.write_event(Event::End(BytesEnd::new("description")))?;
        for c in &item.categories {
            rss_text(w, "category", &clean(c))?;
        }
        text_element(w, "guid", item.permalink)?;
        text_element(w, "pubDate", &timestamp(item.date).to_rfc2822())?;
        w.write_event(Event::End(BytesEnd::new("item")))
    }

    /// Closes the document; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.w.write_event(Event::End(BytesEnd::new("channel")))?;
        self.w.write_event(Event::End(BytesEnd::new("rss")))?;
        let mut out = self.w.into_inner().inner;
        out.write_all(b"\n")?;
        Ok(out)
    }
}

/// An Atom document being written.
pub struct Atom<W: Write> {
    w: Writer<Counting<W>>,
}

fn atom_link<W: Write>(w: &mut Writer<W>, href: &str, rel: &str, mime: &str) -> io::Result<()> {
    let mut link = BytesStart::new("link");
    link.push_attribute(("href", href));
    link.push_attribute(("rel", rel));
    link.push_attribute(("type", mime));
    w.write_event(Event::Empty(link))
}

impl<W: Write> Atom<W> {
    /// Writes everything up to the first entry. `ch.link` is the feed's id and alternate link.
    pub fn start(out: W, ch: &Channel) -> io::Result<Self> {
        let mut w = Writer::new_with_indent(Counting { inner: out, written: 0 }, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", None, None)))?;
        w.write_event(Event::Text(BytesText::from_escaped("\n")))?;
        let mut feed = BytesStart::new("feed");
        feed.push_attribute(("xmlns", ATOM_NS));
        feed.push_attribute(("xml:lang", ch.lang));
        w.write_event(Event::Start(feed))?;
        text_element(&mut w, "title", &clean(&ch.title))?;
        text_element(&mut w, "id", &ch.link)?;
        let updated = timestamp(ch.newest.unwrap_or_default()).fixed_offset().to_rfc3339();
        text_element(&mut w, "updated", &updated)?;
        let mut generator = BytesStart::new("generator");
        generator.push_attribute(("version", env!("CARGO_PKG_VERSION")));
        w.write_event(Event::Start(generator))?;
        w.write_event(Event::Text(BytesText::new("digest")))?;
        w.write_event(Event::End(BytesEnd::new("generator")))?;
        atom_link(&mut w, &ch.self_url, "self", "application/atom+xml")?;
        atom_link(&mut w, &ch.link, "alternate", "text/html")?;
        text_element(&mut w, "subtitle", &clean(&ch.description))?;
        Ok(Atom { w })
    }

    /// Whether `item` keeps the document within `budget` bytes.
    pub fn fits(&self, item: &Item, budget: Option<usize>) -> bool {
        fits(self.w.get_ref().written, escaped_len(&item.content), item, budget)
    }

    pub fn entry(&mut self, item: &Item) -> io::Result<()> {
        let w = &mut self.w;
        let date = timestamp(item.date).fixed_offset().to_rfc3339();
        w.write_event(Event::Start(BytesStart::new("entry")))?;
        text_element(w, "title", &clean(item.title))?;
        text_element(w, "id", item.permalink)?;
        text_element(w, "updated", &date)?;
        for author in &item.authors {
            w.write_event(Event::Start(BytesStart::new("author")))?;
            text_element(w, "name", &clean(author))?;
            w.write_event(Event::End(BytesEnd::new("author")))?;
        }
        atom_link(w, item.permalink, "alternate", "text/html")?;
        text_element(w, "published", &date)?;
        let mut content = BytesStart::new("content");
        content.push_attribute(("type", "html"));
        w.write_event(Event::Start(content))?;
        // The escaped text goes to the output as it is; the empty text event after it leaves the
        // writer's indentation state as a text event would.
        let mut escaped = Vec::new();
        escape_into(&item.content, &mut escaped);
        w.get_mut().write_all(&escaped)?;
        w.write_event(Event::Text(BytesText::from_escaped("")))?;
        w.write_event(Event::End(BytesEnd::new("content")))?;
        w.write_event(Event::End(BytesEnd::new("entry")))
    }

    /// Closes the document; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.w.write_event(Event::End(BytesEnd::new("feed")))?;
        let mut out = self.w.into_inner().inner;
        out.write_all(b"\n")?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    //! The writers above against the `rss` and `atom_syndication` crates they replace.

    use super::*;
    use crate::site::text::clean_text;

    fn reference_rss(ch: &Channel, items: &[Item]) -> Vec<u8> {
        let items: Vec<rss::Item> = items
            .iter()
            .map(|i| {
                let mut guid = rss::Guid::default();
                guid.set_value(i.permalink.to_string());
                guid.set_permalink(true);
                rss::ItemBuilder::default()
                    .title(Some(clean_text(i.title)))
                    .link(Some(i.permalink.to_string()))
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
        let mut link = rss::extension::atom::Link::default();
        link.set_href(ch.self_url.clone());
        link.set_rel("self");
        link.set_mime_type(Some("application/rss+xml".to_string()));
        let mut ext = rss::extension::atom::AtomExtension::default();
        ext.set_links(vec![link]);
        let channel = rss::ChannelBuilder::default()
            .title(clean_text(&ch.title))
            .link(ch.link.clone())
            .description(clean_text(&ch.description))
            .language(Some(ch.lang.to_string()))
            .generator(Some(GENERATOR.to_string()))
            .last_build_date(ch.newest.map(|d| timestamp(d).to_rfc2822()))
            .atom_ext(Some(ext))
            .items(items)
            .build();
        let mut out = Vec::new();
        channel.pretty_write_to(&mut out, b' ', 2).unwrap();
        out.push(b'\n');
        out
    }

    fn reference_atom(ch: &Channel, items: &[Item]) -> Vec<u8> {
        use atom_syndication::{Content, Entry, Feed, Generator, Link, Text};
        let link = |href: &str, rel: &str, mime: &str| {
            let mut l = Link::default();
            l.set_href(href);
            l.set_rel(rel);
            l.set_mime_type(Some(mime.to_string()));
            l
        };
        let entries: Vec<Entry> = items
            .iter()
            .map(|i| {
                let mut content = Content::default();
                content.set_content_type(Some("html".to_string()));
                content.set_value(Some(clean_text(&i.content)));
                let mut e = Entry::default();
                e.set_title(Text::plain(clean_text(i.title)));
                e.set_id(i.permalink);
                e.set_authors(
                    i.authors
                        .iter()
                        .map(|a| atom_syndication::Person { name: clean_text(a), ..Default::default() })
                        .collect::<Vec<_>>(),
                );
                e.set_links(vec![link(i.permalink, "alternate", "text/html")]);
                e.set_updated(timestamp(i.date).fixed_offset());
                e.set_published(Some(timestamp(i.date).fixed_offset()));
                e.set_content(Some(content));
                e
            })
            .collect();
        let mut feed = Feed::default();
        feed.set_title(Text::plain(clean_text(&ch.title)));
        feed.set_subtitle(Some(Text::plain(clean_text(&ch.description))));
        feed.set_id(ch.link.clone());
        feed.set_lang(Some(ch.lang.to_string()));
        feed.set_updated(timestamp(ch.newest.unwrap_or_default()).fixed_offset());
        feed.set_generator(Some(Generator {
            value: "digest".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }));
        feed.set_links(vec![
            link(&ch.self_url, "self", "application/atom+xml"),
            link(&ch.link, "alternate", "text/html"),
        ]);
        feed.set_entries(entries);
        let mut out = Vec::new();
        feed.write_with_config(
            &mut out,
            atom_syndication::WriteConfig { write_document_declaration: true, indent_size: Some(2) },
        )
        .unwrap();
        out.push(b'\n');
        out
    }

    fn streamed(ch: &Channel, items: &[Item]) -> (String, String) {
        let mut rss = Rss::start(Vec::new(), ch).unwrap();
        let mut atom = Atom::start(Vec::new(), ch).unwrap();
        for i in items {
            rss.item(i).unwrap();
            atom.entry(i).unwrap();
        }
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (text(rss.finish().unwrap()), text(atom.finish().unwrap()))
    }

    /// The reference RSS with `&` and `<` of plain-text elements as hexadecimal references.
    fn rss_hex_text(xml: &str) -> String {
        let mut out = String::new();
        let mut rest = xml;
        while let Some(i) = ["<title>", "<description>", "<category>"].iter().filter_map(|t| rest.find(t)).min() {
            let close = rest[i..].find("</").map_or(rest.len(), |j| i + j);
            let cdata = rest[i..close].contains("<![CDATA[");
            out.push_str(&rest[..i]);
            let text = &rest[i..close];
            let open = text.find('>').unwrap() + 1;
            out.push_str(&text[..open]);
            let body = &text[open..];
            out.push_str(&if cdata {
                body.to_string()
            } else {
                body.replace("&amp;", "&#x26;").replace("&lt;", "&#x3C;")
            });
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    fn check(ch: &Channel, items: &[Item]) {
        let (rss, atom) = streamed(ch, items);
        assert_eq!(rss, rss_hex_text(&String::from_utf8(reference_rss(ch, items)).unwrap()));
        assert_eq!(atom, String::from_utf8(reference_atom(ch, items)).unwrap());
    }

    fn channel(newest: Option<NaiveDate>) -> Channel<'static> {
        Channel {
            title: Cow::Borrowed("云原生月报 <&> \"'\u{7}"),
            description: Cow::Borrowed("每月 & monthly\u{ffff}"),
            lang: "zh",
            link: "https://e.org/a&b/".to_string(),
            self_url: "https://e.org/rss.xml?x=\"1\"".to_string(),
            newest,
        }
    }

    #[test]
    fn escaping_matches_quick_xml() {
        for s in ["", "plain 中文", "<a href=\"x\">it's &amp; ></a>", "&&<<>>''\"\"", "尾<"] {
            let mut out = Vec::new();
            escape_into(s, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), quick_xml::escape::escape(s));
        }
    }

    #[test]
    fn empty_feeds_match_the_crates() {
        check(&channel(None), &[]);
    }

    #[test]
    fn items_match_the_crates_byte_for_byte() {
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 6).unwrap();
        let items = [
            Item::new(
                "Gateway API 1.4 <新> & \"q\" 'a'",
                "https://e.org/2025-11/releases/x/?a=1&b=2",
                d(11),
                "<p>a ]]> b ]]]]>> c</p>\n<a href=\"https://e.org/\">'x'</a>\u{1}\u{85}",
                vec!["gateway-api", "<net>&"],
                vec!["编辑部 <&>", "A. N. Editor"],
            ),
            Item::new("", "https://e.org/", d(5), "", vec![], vec!["x"]),
            Item::new("]]>", "https://e.org/b/", d(1), "]]>]]>", vec!["\u{fffe}"], vec![]),
        ];
        check(&channel(Some(d(11))), &items);
    }
}
