//! Index newtypes: which issue, entry, topic, tag or language a number stands for, so that the
//! compiler keeps them apart (`Output::IssueTopic(LangId, IssueId, TopicId)`, not three `usize`s).
//!
//! Each indexes the slice it names (`site.entries[e]` with `e: EntryId`); `Vec`s of other
//! things kept per entry or per language are indexed with `.0`.

use super::config::{Language, Topic};
use super::{Entry, Issue, Tag};

macro_rules! index_type {
    // Both a `Vec` and a slice: indexing a `Vec` finds its own generic `Index` first.
    (@impl $id:ident, $list:ty, $item:ty) => {
        impl std::ops::Index<$id> for $list {
            type Output = $item;
            fn index(&self, i: $id) -> &$item {
                &self[i.0]
            }
        }

        impl std::ops::IndexMut<$id> for $list {
            fn index_mut(&mut self, i: $id) -> &mut $item {
                &mut self[i.0]
            }
        }
    };
    ($(#[$doc:meta])* $id:ident indexes $($item:ty),+) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $id(pub usize);

        impl $id {
            /// Every id of a list of `n` items, in order.
            pub fn all(n: usize) -> impl DoubleEndedIterator<Item = $id> + ExactSizeIterator + Clone {
                (0..n).map($id)
            }
        }

        $(
            index_type!(@impl $id, [$item], $item);
            index_type!(@impl $id, Vec<$item>, $item);
        )+
    };
}

index_type!(
    /// An entry: its place in `Site::entries`.
    EntryId indexes Entry
);
index_type!(
    /// An issue: its place in `Site::issues` (newest first).
    IssueId indexes Issue
);
index_type!(
    /// A topic: its place in `Config::topics`, and in each issue's `topics`.
    TopicId indexes Topic, Vec<EntryId>
);
index_type!(
    /// A tag: its place in `Site::tags` (sorted by slug).
    TagId indexes Tag
);
index_type!(
    /// A language: its place in `Config::languages` (0 is the default language).
    LangId indexes Language
);
