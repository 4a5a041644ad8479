//! Render stage: the page-dependency graph, which pages show an entry, made explicit for the
//! incremental rebuilds of [`super::session`] (Zola #401: hidden dependencies break them).

use super::Page;
use crate::site::Site;

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
    let order: Vec<usize> = site.issues[entry.issue].topics.iter().flatten().copied().collect();
    if let Some(pos) = order.iter().position(|&x| x == e) {
        let neighbours = [pos.checked_sub(1), Some(pos + 1)];
        pages.extend(neighbours.into_iter().flatten().filter_map(|p| order.get(p)).map(|&n| Page::Entry(l, n)));
    }
    pages
}
