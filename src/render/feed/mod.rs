//! Render stage: the site's feeds, RSS 2.0 and Atom, written by [`xml`]'s streaming writers: the
//! language feeds (one item per issue) and each topic's RSS feed (one item per entry).

mod xml;

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::NaiveDate;

use crate::render::picture::with_pictures;
use crate::render::view::{LangViews, Links};
use crate::site::layout::Address;
use crate::site::{EntryId, IssueId, Site, TopicId};
pub use xml::{Atom, BUDGET, Channel, Counting, Item, Rss};

/// The language feed's channel (`rss.xml` or `atom.xml`): one item per issue, newest first.
pub fn issues_channel<'a>(site: &'a Site, lv: &'a LangViews, feed: Address) -> Channel<'a> {
    let c = &site.config;
    let lang = c.language(&lv.lang).expect("configured language");
    Channel {
        title: Cow::Borrowed(&lang.title),
        description: Cow::Borrowed(&lang.description),
        lang: &lv.lang,
        link: c.permalink(&lv.lang, Address::Home),
        self_url: c.permalink(&lv.lang, feed),
        newest: site.issues.iter().map(|i| i.date).max(),
    }
}

/// The item of issue `i` in the language feeds, with `content` its full HTML. Its authors are
/// the issue's editors, else the language's `author`, else the site's title.
pub fn issue_item<'a>(site: &'a Site, lv: &'a LangViews, i: IssueId, content: &'a str) -> Item<'a> {
    let s = &lv.issue_summaries[i];
    let date = NaiveDate::parse_from_str(&s.date, "%Y-%m-%d").unwrap_or_default();
    let editors: Vec<&str> = s.editors.iter().map(String::as_str).filter(|e| !e.trim().is_empty()).collect();
    let authors = if editors.is_empty() { vec![site.config.author(&lv.lang)] } else { editors };
    Item::new(&s.title, &s.permalink, date, content, Vec::new(), authors)
}

/// The issues the feeds carry: the newest `feed_limit`.
pub fn feed_issues(site: &Site) -> impl Iterator<Item = IssueId> + Clone + use<> {
    IssueId::all(site.issues.len().min(site.config.feed_limit.unwrap_or(usize::MAX)))
}

/// The size a feed stops at: [`BUDGET`], unless `feed_limit = 0` asks for everything.
pub fn budget(site: &Site) -> Option<usize> {
    site.config.feed_limit.map(|_| BUDGET)
}

/// Writes a topic's feed in RSS 2.0: one item per entry, newest issue first.
pub fn topic_rss<W: Write>(site: &Site, lv: &LangViews, topic: TopicId, out: W) -> io::Result<W> {
    let c = &site.config;
    let lang = c.language(&lv.lang).expect("configured language");
    let t = &lv.topics[topic];
    let channel = Channel {
        title: Cow::Owned(format!("{} · {}", t.name, lang.title)),
        description: Cow::Owned(format!("{} {}", t.emoji, t.name)),
        lang: &lv.lang,
        link: c.permalink(&lv.lang, Address::Topic(&t.key)),
        self_url: c.permalink(&lv.lang, Address::TopicFeed(&t.key)),
        newest: site.topic_entries(topic).map(|e| entry_date(site, e)).max(),
    };
    let mut rss = Rss::start(out, &channel)?;
    let entries = feed_issues(site).flat_map(|i| site.issues[i].topics[topic].iter().copied());
    for (n, e) in entries.enumerate() {
        let entry = &site.entries[e];
        let (text, _) = entry.text(&lv.lang);
        let body = with_pictures(&text.body.html, &text.body.images, c, &site.pictures, Links::Absolute);
        let content = match &text.editor_note {
            Some(note) => Cow::Owned(format!("{body}<blockquote>{note}</blockquote>")),
            None => body,
        };
        let permalink = c.permalink(&lv.lang, Address::entry(site, entry));
        let content = super::absolute::absolutize_at(&content, c.origin(), &permalink);
        let categories = entry.tags.iter().map(|&t| lv.tags[t].name.as_str()).collect();
        let item = Item::new(&text.title, &permalink, entry_date(site, e), &content, categories, Vec::new());
        if n > 0 && !rss.fits(&item, budget(site)) {
            break;
        }
        rss.item(&item)?;
    }
    rss.finish()
}

/// An entry's date in feeds: its own, or its issue's.
fn entry_date(site: &Site, e: EntryId) -> NaiveDate {
    let entry = &site.entries[e];
    entry.date.unwrap_or(site.issues[entry.issue].date)
}
