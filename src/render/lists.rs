//! Render stage: the pages of a list across the archive (a topic's entries, a tag's), cut by the
//! model's rule ([`crate::site::parts`]): each at an address of its own, and the newest also at
//! the list's address, with the way to every page.

use std::ops::Range;

use super::Output;
use crate::site::layout::Address;
use crate::site::parts::{Groups, pages};
use crate::site::{EntryId, LangId, Site, TagId, TopicId};

/// A list across the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Topic(TopicId),
    Tag(TagId),
}

/// A list's entries and its pages.
pub struct ListPages<'s> {
    pub groups: Groups<'s>,
    /// Ranges of `groups`, the oldest page first; the last is the newest page.
    pub pages: Vec<Range<usize>>,
}

impl<'s> ListPages<'s> {
    pub fn of(site: &'s Site, list: List) -> ListPages<'s> {
        let groups = match list {
            List::Topic(t) => site.topic_groups(t),
            List::Tag(t) => site.tag_groups(t),
        };
        let pages = pages(&groups);
        ListPages { groups, pages }
    }

    /// The number of the newest page (pages are numbered from the oldest, 0).
    pub fn newest(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    /// The issues of page `part`, or of the newest page (`None`: the list's own address).
    pub fn range(&self, part: Option<usize>) -> Range<usize> {
        let newest = self.pages.last().cloned().unwrap_or(0..0);
        part.and_then(|p| self.pages.get(p).cloned()).unwrap_or(newest)
    }

    /// The entries of a page, newest issue first.
    pub fn entries(&self, part: Option<usize>) -> Vec<EntryId> {
        self.groups[self.range(part)].iter().flat_map(|(_, e)| e.iter().copied()).collect()
    }

    /// The key of the oldest issue of page `part`: the page's name in its address.
    pub fn from<'a>(&self, site: &'a Site, part: usize) -> &'a str {
        let range = self.range(Some(part));
        &site.issues[self.groups[range.end - 1].0].key
    }

    /// The page that shows entry `e`.
    pub fn part_of(&self, site: &Site, e: EntryId) -> Option<usize> {
        let issue = site.entries[e].issue;
        let at = self.groups.iter().position(|(i, _)| *i == issue)?;
        self.pages.iter().position(|r| r.contains(&at))
    }

    /// The address of a page of `list`: the list's own for the newest (`None`).
    pub fn address<'a>(&self, site: &'a Site, list: List, part: Option<usize>) -> Address<'a> {
        match (list, part) {
            (List::Topic(t), None) => Address::Topic(&site.config.topics[t].key),
            (List::Tag(t), None) => Address::Tag(&site.tags[t].slug),
            (List::Topic(t), Some(p)) => {
                Address::TopicPart { topic: &site.config.topics[t].key, from: self.from(site, p) }
            }
            (List::Tag(t), Some(p)) => Address::TagPart { tag: &site.tags[t].slug, from: self.from(site, p) },
        }
    }

    /// The output of a page of `list` in language `l`.
    pub fn output(list: List, l: LangId, part: Option<usize>) -> Output {
        match (list, part) {
            (List::Topic(t), None) => Output::Topic(l, t),
            (List::Tag(t), None) => Output::Tag(l, t),
            (List::Topic(t), Some(p)) => Output::TopicPart(l, t, p),
            (List::Tag(t), Some(p)) => Output::TagPart(l, t, p),
        }
    }
}

impl Output {
    /// The list a topic or tag page belongs to, and which of its pages it is (`None`: the
    /// newest).
    pub fn list(self) -> Option<(List, Option<usize>)> {
        Some(match self {
            Output::Topic(_, t) => (List::Topic(t), None),
            Output::Tag(_, t) => (List::Tag(t), None),
            Output::TopicPart(_, t, p) => (List::Topic(t), Some(p)),
            Output::TagPart(_, t, p) => (List::Tag(t), Some(p)),
            _ => return None,
        })
    }
}

/// The pages of every topic and tag in language `l` at their own addresses, when a list has more
/// than one (a list of one page is only at the list's address).
pub fn part_pages(site: &Site, l: LangId) -> Vec<Output> {
    let topics = TopicId::all(site.config.topics.len()).map(List::Topic);
    let lists = topics.chain(TagId::all(site.tags.len()).map(List::Tag));
    let parts = |list: List| {
        let n = ListPages::of(site, list).pages.len();
        let n = if n > 1 { n } else { 0 };
        (0..n).map(move |p| ListPages::output(list, l, Some(p)))
    };
    lists.flat_map(parts).collect()
}
