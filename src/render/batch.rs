//! Render stage: a language's pages cut into batches, each with the entries whose template values
//! its pages show, so a build holds a bounded share of the archive's entry values at a time.
//!
//! An entry's value is a map of about 25 fields (2–3 KB), and an archive has tens of thousands
//! (`docs/performance.md`, "Build memory"). Pages that show the same entries go together: an issue's page,
//! its topic pages and its entries' pages; the pages listing the whole archive (topics, tags,
//! feeds) come first, a few to a batch.

use super::Output;
use super::deps::entries_shown;
use crate::site::{EntryId, IdVec, IssueId, LangId, Site, TagId, TopicId};

/// Pages rendered together, and the entries whose values they show.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub pages: Vec<Output>,
    pub entries: Vec<EntryId>,
}

/// The fewest entry values a batch may hold, when the archive's pages show fewer.
const MIN_BUDGET: usize = 4096;

/// The pages of language `l` in batch order (with the files shared by every language when
/// `shared`): first the pages listing the whole archive, the longest first, with the pages that
/// show no entry; then issue after issue, each with its topics' and entries' pages
/// ([`issue_pages`]).
pub fn language_pages(site: &Site, l: LangId, shared: bool) -> Vec<Output> {
    let (topics, tags) = (site.config.topics.len(), site.tags.len());
    let mut pages = vec![Output::Feeds(l)];
    if shared {
        // One long job on one thread, so early.
        pages.push(Output::Sitemap);
    }
    pages.extend(TopicId::all(topics).map(|t| Output::TopicFeed(l, t)));
    pages.extend([Output::Archive(l), Output::Tags(l), Output::NotFound(l), Output::Search(l)]);
    if shared {
        pages.extend([Output::Robots, Output::Static, Output::Assets]);
    }
    pages.extend(TopicId::all(topics).map(|t| Output::Topic(l, t)));
    pages.extend(TagId::all(tags).map(|t| Output::Tag(l, t)));
    pages.extend(super::lists::part_pages(site, l));
    pages.push(Output::Home(l));
    pages.extend(IssueId::all(site.issues.len()).flat_map(|i| issue_pages(site, l, i)));
    pages
}

/// The pages of issue `i` in language `l`: the issue's page, its topic pages, and its entries'
/// pages in reading order. The search index takes pages in this order.
pub fn issue_pages(site: &Site, l: LangId, i: IssueId) -> impl Iterator<Item = Output> + '_ {
    let issue = &site.issues[i];
    std::iter::once(Output::Issue(l, i))
        .chain(issue.topics_with_entries().map(move |(t, _)| Output::IssueTopic(l, i, t)))
        .chain(issue.topics.iter().flatten().map(move |&e| Output::Entry(l, e)))
}

/// How many entry values a batch may hold when the page that shows the most shows `widest`:
/// room for two such pages (two topic pages, on an archive with many issues), so that two of the
/// longest pages render at once, and never less than [`MIN_BUDGET`].
pub fn budget(widest: usize) -> usize {
    widest.saturating_mul(2).max(MIN_BUDGET)
}

/// Cuts `pages` into batches, in order: a batch takes pages while the entries they show together
/// number at most `budget(the most any one page shows)` (a page showing more than that has a
/// batch of its own).
pub fn batches(site: &Site, pages: &[Output], budget: impl FnOnce(usize) -> usize) -> Vec<Batch> {
    let shown: Vec<Vec<EntryId>> = pages.iter().map(|&p| entries_shown(site, p)).collect();
    let budget = budget(shown.iter().map(Vec::len).max().unwrap_or(0));
    let mut batches = Vec::new();
    let mut current = Batch::default();
    // Whether an entry is in the current batch.
    let mut taken: IdVec<EntryId, bool> = vec![false; site.entries.len()].into();
    for (&page, shown) in pages.iter().zip(shown) {
        let fresh = shown.iter().filter(|&&e| !taken[e]).count();
        if !current.pages.is_empty() && current.entries.len() + fresh > budget {
            for &e in &current.entries {
                taken[e] = false;
            }
            batches.push(std::mem::take(&mut current));
        }
        for e in shown {
            if !std::mem::replace(&mut taken[e], true) {
                current.entries.push(e);
            }
        }
        current.pages.push(page);
    }
    if !current.pages.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::all_pages;
    use crate::render::deps::pages_showing_entry;

    /// The sample site of the repository.
    fn sample_site() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::load::load(root, &crate::load::LoadOptions::default()).expect("the sample loads")
    }

    #[test]
    fn every_page_of_a_language_is_in_exactly_one_batch_with_the_entries_it_shows() {
        let site = sample_site();
        for l in LangId::all(site.config.languages.len()) {
            let pages = language_pages(&site, l, l == LangId::DEFAULT);
            // A small budget, so that the sample is cut into several batches.
            let batches = batches(&site, &pages, |_| 5);
            assert!(batches.len() > 3, "{} batches", batches.len());
            let flat: Vec<Output> = batches.iter().flat_map(|b| b.pages.clone()).collect();
            assert_eq!(flat, pages);
            for b in &batches {
                for &p in &b.pages {
                    for e in entries_shown(&site, p) {
                        assert!(b.entries.contains(&e), "{p:?} shows entry {e:?}, not in its batch");
                    }
                }
                let mut unique = b.entries.clone();
                unique.sort_unstable();
                unique.dedup();
                assert_eq!(unique.len(), b.entries.len(), "an entry twice in one batch");
                assert!(b.entries.len() <= 5 || b.pages.len() == 1, "{b:?} over budget");
            }
        }
    }

    #[test]
    fn the_batches_of_every_language_render_every_page_once() {
        let site = sample_site();
        let mut batched: Vec<Output> = LangId::all(site.config.languages.len())
            .flat_map(|l| language_pages(&site, l, l == LangId::DEFAULT))
            .collect();
        let mut all = all_pages(&site);
        batched.sort();
        all.sort();
        assert_eq!(batched, all);
    }

    #[test]
    fn a_page_shows_an_entry_exactly_when_the_entry_says_the_page_shows_it() {
        let site = sample_site();
        for page in all_pages(&site) {
            let Some(l) = page.lang() else { continue };
            for e in entries_shown(&site, page) {
                assert!(pages_showing_entry(&site, l, e).contains(&page), "{page:?} shows {e:?}");
            }
        }
        for l in LangId::all(site.config.languages.len()) {
            for e in EntryId::all(site.entries.len()) {
                for page in pages_showing_entry(&site, l, e) {
                    // Topic feeds are written from the site, not from entry values.
                    if !matches!(page, Output::TopicFeed(..)) {
                        assert!(entries_shown(&site, page).contains(&e), "{page:?} does not show {e:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn neighbours_follow_the_reading_order_across_topics() {
        let site = sample_site();
        let mut boundaries = 0;
        for issue in &site.issues {
            let order: Vec<EntryId> = issue.topics.iter().flatten().copied().collect();
            for (pos, &e) in order.iter().enumerate() {
                let expected = (pos.checked_sub(1).map(|p| order[p]), order.get(pos + 1).copied());
                assert_eq!(crate::render::deps::neighbours(&site, e), expected, "entry {e:?}");
                boundaries += usize::from(expected.1.is_some_and(|n| site.entries[n].topic != site.entries[e].topic));
            }
        }
        assert!(boundaries > 0, "the sample crosses no topic boundary");
    }

    #[test]
    fn a_small_site_renders_each_language_in_one_batch() {
        let site = sample_site();
        for l in LangId::all(site.config.languages.len()) {
            let pages = language_pages(&site, l, l == LangId::DEFAULT);
            let widest = pages.iter().map(|&p| entries_shown(&site, p).len()).max().unwrap();
            assert_eq!(budget(widest), MIN_BUDGET);
            assert_eq!(batches(&site, &pages, budget).len(), 1);
        }
    }
}
