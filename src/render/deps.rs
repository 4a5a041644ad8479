//! Render stage: the page-dependency graph, which pages show an entry and which entries a page
//! shows, made explicit for the incremental rebuilds of [`super::session`] (Zola #401: hidden
//! dependencies break them) and the batches of [`super::batch`].

use super::{Page, feed};
use crate::site::{EntryId, Site};

/// The pages of language `l` that show entry `e`'s view: its own page, the pages of its
/// neighbours in the issue (their previous/next links), its issue's page (and the home page when
/// that issue is the latest), the page of its topic in that issue, its topic's page and feed, its
/// tags' pages and the language feeds.
///
/// This is the dependency list incremental rebuilds ([`crate::render::session`]) rely on: a template
/// change that shows entries on another page must add that page here.
pub fn pages_showing_entry(site: &Site, l: usize, e: usize) -> Vec<Page> {
    let entry = &site.entries[e];
    let mut pages = vec![
        Page::Entry(l, e),
        Page::Issue(l, entry.issue),
        Page::IssueTopic(l, entry.issue, entry.topic),
        Page::Feeds(l),
    ];
    if entry.issue == 0 {
        pages.push(Page::Home(l));
    }
    pages.extend([Page::Topic(l, entry.topic), Page::TopicFeed(l, entry.topic)]);
    pages.extend(entry.tags.iter().map(|&t| Page::Tag(l, t)));
    let (previous, next) = neighbours(site, e);
    pages.extend([previous, next].into_iter().flatten().map(|n| Page::Entry(l, n)));
    pages
}

/// The entries whose template values `page` shows: what [`pages_showing_entry`] says the other
/// way round, for the pages rendered from those values (a topic feed is written from the site
/// itself, so it needs none).
pub fn entries_shown(site: &Site, page: Page) -> Vec<EntryId> {
    let issue = |i: usize| site.issues[i].topics.iter().flatten().copied();
    match page {
        Page::Home(_) if !site.issues.is_empty() => issue(0).collect(),
        Page::Issue(_, i) => issue(i).collect(),
        Page::IssueTopic(_, i, t) => site.issues[i].topics[t].clone(),
        Page::Entry(_, e) => {
            let (previous, next) = neighbours(site, e);
            [previous, Some(e), next].into_iter().flatten().collect()
        }
        Page::Topic(_, t) => site.topic_entries(t).collect(),
        Page::Tag(_, t) => site.tags[t].entries.clone(),
        Page::Feeds(_) => feed::feed_issues(site).flat_map(issue).collect(),
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
        .or_else(|| topics[..entry.topic].iter().rev().find_map(|l| l.last().copied()));
    let next = list.get(pos + 1).copied().or_else(|| topics[entry.topic + 1..].iter().find_map(|l| l.first().copied()));
    (previous, next)
}
