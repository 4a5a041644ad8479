//! Render stage: the page-dependency graph, which pages show an entry and which entries a page
//! shows, made explicit for the incremental rebuilds of [`super::session`] (Zola #401: hidden
//! dependencies break them) and the batches of [`super::batch`].

use super::lists::{List, ListPages};
use super::{Output, feed};
use crate::site::{EntryId, IssueId, LangId, Site};

/// The pages of language `l` that show entry `e`'s view: its own page, the pages of its
/// neighbours in the issue (their previous/next links), its issue's page (and the home page when
/// that issue is the latest), the page of its topic in that issue, its topic's page and feed, its
/// tags' pages and the language feeds.
///
/// This is the dependency list incremental rebuilds ([`crate::render::session`]) rely on: a template
/// change that shows entries on another page must add that page here.
pub fn pages_showing_entry(site: &Site, l: LangId, e: EntryId) -> Vec<Output> {
    let entry = &site.entries[e];
    let mut pages = vec![
        Output::Entry(l, e),
        Output::Issue(l, entry.issue),
        Output::IssueTopic(l, entry.issue, entry.topic),
        Output::Feeds(l),
    ];
    if entry.issue == IssueId::NEWEST {
        pages.push(Output::Home(l));
    }
    // The pages of its topic and of each of its tags that show it: its page of the list, and
    // the list's own address when that is the newest (or the only) page.
    let lists = std::iter::once(List::Topic(entry.topic)).chain(entry.tags.iter().map(|&t| List::Tag(t)));
    for list in lists {
        let pages_of = ListPages::of(site, list);
        let part = pages_of.part_of(site, e);
        if pages_of.pages.len() > 1 {
            pages.extend(part.map(|p| ListPages::output(list, l, Some(p))));
        }
        if part == Some(pages_of.newest()) {
            pages.push(ListPages::output(list, l, None));
        }
    }
    pages.push(Output::TopicFeed(l, entry.topic));
    let (previous, next) = neighbours(site, e);
    pages.extend([previous, next].into_iter().flatten().map(|n| Output::Entry(l, n)));
    pages
}

/// The entries whose template values `page` shows: what [`pages_showing_entry`] says the other
/// way round, for the pages rendered from those values (a topic feed is written from the site
/// itself, so it needs none).
pub fn entries_shown(site: &Site, page: Output) -> Vec<EntryId> {
    let issue = |i: IssueId| site.issues[i].topics.iter().flatten().copied();
    match page {
        Output::Home(_) if !site.issues.is_empty() => issue(IssueId::NEWEST).collect(),
        Output::Issue(_, i) => issue(i).collect(),
        Output::IssueTopic(_, i, t) => site.issues[i].topics[t].clone(),
        Output::Entry(_, e) => {
            let (previous, next) = neighbours(site, e);
            [previous, Some(e), next].into_iter().flatten().collect()
        }
        Output::Topic(..) | Output::Tag(..) | Output::TopicPart(..) | Output::TagPart(..) => {
            let (list, part) = page.list().expect("a page of a list");
            ListPages::of(site, list).entries(part)
        }
        Output::Feeds(_) => feed::feed_issues(site).flat_map(issue).collect(),
        _ => Vec::new(),
    }
}

/// The entries before and after entry `e` in its issue's reading order (their pages link it).
pub fn neighbours(site: &Site, e: EntryId) -> (Option<EntryId>, Option<EntryId>) {
    let entry = &site.entries[e];
    let topics = &site.issues[entry.issue].topics;
    let list = &topics[entry.topic];
    let Some(pos) = list.iter().position(|&x| x == e) else { return (None, None) };
    let previous = pos
        .checked_sub(1)
        .map(|p| list[p])
        .or_else(|| topics.as_slice()[..entry.topic.0].iter().rev().find_map(|l| l.last().copied()));
    let later = &topics.as_slice()[entry.topic.0 + 1..];
    let next = list.get(pos + 1).copied().or_else(|| later.iter().find_map(|l| l.first().copied()));
    (previous, next)
}
