//! The data model: a list across the archive (a topic's or a tag's entries) cut into pages of
//! whole issues, counted from the oldest issue, so that a page once full never changes.
//!
//! Each page has an address of its own, named by its oldest issue; the list's own address shows
//! the newest page and lists them all. A new issue goes onto the newest page; when it does not
//! fit there, that page is full, never to change again, and the new issue starts the next one.

use std::ops::Range;

use super::{EntryId, IssueId, Site, TagId, TopicId};

/// The most entries a page of a list holds, unless one issue alone has more: about 300 KB of
/// HTML at the 1.4 KB an entry takes on a real archive's topic page (500 KB is the budget).
pub const PAGE_ENTRIES: usize = 200;

/// A list's entries issue by issue, newest issue first, in reading order within an issue:
/// borrowed from the site, as every page of every list asks for its list again.
pub type Groups<'s> = Vec<(IssueId, &'s [EntryId])>;

/// The pages of a list: ranges of `groups` (newest first), the oldest page first; the last is
/// the newest page. Empty for an empty list.
pub fn pages(groups: &Groups<'_>) -> Vec<Range<usize>> {
    let mut pages = Vec::new();
    let (mut end, mut count) = (groups.len(), 0);
    for i in (0..groups.len()).rev() {
        let len = groups[i].1.len();
        if count > 0 && count + len > PAGE_ENTRIES {
            pages.push(i + 1..end);
            end = i + 1;
            count = 0;
        }
        count += len;
    }
    if end > 0 {
        pages.push(0..end);
    }
    pages
}

impl Site {
    /// The entries of topic `t`, issue by issue.
    pub fn topic_groups(&self, t: TopicId) -> Groups<'_> {
        let issues = self.issues.iter_enumerated().filter(|(_, i)| !i.topics[t].is_empty());
        issues.map(|(id, i)| (id, i.topics[t].as_slice())).collect()
    }

    /// The entries of tag `t`, issue by issue: runs of its list, which is in issue order.
    pub fn tag_groups(&self, t: TagId) -> Groups<'_> {
        let entries = self.tags[t].entries.as_slice();
        entries
            .chunk_by(|&a, &b| self.entries[a].issue == self.entries[b].issue)
            .map(|run| (self.entries[run[0]].issue, run))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups of `sizes` entries (the ids do not matter to the cut).
    fn groups(sizes: &[usize]) -> Groups<'static> {
        static IDS: [EntryId; 1000] = [EntryId(0); 1000];
        sizes.iter().enumerate().map(|(i, &n)| (IssueId(i), &IDS[..n])).collect()
    }

    #[test]
    fn pages_fill_from_the_oldest_issue_and_keep_whole_issues() {
        assert_eq!(pages(&groups(&[])), Vec::<Range<usize>>::new());
        assert_eq!(pages(&groups(&[3, 4])), vec![Range { start: 0, end: 2 }]);
        // Newest first: 150, 100, 60, 120, 90 entries. From the oldest: 90 + 120 = 210 is past
        // 200, so 90 alone; then 120 + 60; then 100; the newest page 150 alone.
        assert_eq!(pages(&groups(&[150, 100, 60, 120, 90])), [4..5, 2..4, 1..2, 0..1]);
        // One issue past the limit is a page of its own.
        assert_eq!(pages(&groups(&[10, 500, 10])), [2..3, 1..2, 0..1]);
    }

    #[test]
    fn a_new_issue_changes_only_the_newest_page() {
        let before = pages(&groups(&[150, 100, 60, 120, 90]));
        // A new issue in front: every range shifts by one, the full pages keep their issues.
        let after = pages(&groups(&[30, 150, 100, 60, 120, 90]));
        let shifted: Vec<Range<usize>> = before.iter().map(|r| r.start + 1..r.end + 1).collect();
        assert_eq!(after[..3], shifted[..3]);
        assert_eq!(after[3], 0..2, "the new issue joins the newest page");
    }
}
