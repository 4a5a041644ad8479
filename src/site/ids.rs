//! Index newtypes: which issue, entry, topic, tag or language a number stands for, so that the
//! compiler keeps them apart (`Output::IssueTopic(LangId, IssueId, TopicId)`, not three `usize`s).
//!
//! The lists they index are [`IdVec`]s, indexed by their own kind of id only: `site.entries[e]`
//! takes an [`EntryId`], and so do the views kept per entry.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut, Index, IndexMut};

/// An index newtype.
pub trait Id: Copy {
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $id:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $id(pub usize);

        impl Id for $id {
            fn from_index(i: usize) -> Self {
                $id(i)
            }
            fn index(self) -> usize {
                self.0
            }
        }

        impl $id {
            /// Every id of a list of `n` items, in order.
            pub fn all(n: usize) -> impl DoubleEndedIterator<Item = $id> + ExactSizeIterator + Clone {
                (0..n).map($id)
            }
        }
    };
}

id_type!(
    /// An entry: its place in `Site::entries`.
    EntryId
);
id_type!(
    /// An issue: its place in `Site::issues` (newest first).
    IssueId
);
id_type!(
    /// A topic: its place in `Config::topics`, and in each issue's `topics`.
    TopicId
);
id_type!(
    /// A tag: its place in `Site::tags` (sorted by slug).
    TagId
);
id_type!(
    /// A language: its place in `Config::languages` (0 is the default language).
    LangId
);

impl LangId {
    /// The default language, first in the configuration.
    pub const DEFAULT: LangId = LangId(0);
}

impl IssueId {
    /// The newest issue: issues are kept newest first.
    pub const NEWEST: IssueId = IssueId(0);
}

/// A list with one item per id of kind `I` (per entry, per language, …), indexed by `I`. It
/// reads as a slice otherwise (`len`, `iter`, `&[T]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: Id, T> IdVec<I, T> {
    /// Every item with its id, in order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items.iter().enumerate().map(|(i, t)| (I::from_index(i), t))
    }

    /// Every id of the list, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    pub fn get(&self, i: I) -> Option<&T> {
        self.items.get(i.index())
    }

    /// Appends an item, returning its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    /// The id of the first item that `f` holds for.
    pub fn position(&self, f: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(f).map(I::from_index)
    }

    /// The items as a slice, for ranges of them.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec { items: Vec::new(), id: PhantomData }
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec { items, id: PhantomData }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I, T> Deref for IdVec<I, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<I, T> DerefMut for IdVec<I, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, i: I) -> &T {
        &self.items[i.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.index()]
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I, T> IntoIterator for &'a mut IdVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_vec_is_indexed_by_its_ids() {
        let mut v: IdVec<TagId, &str> = IdVec::default();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((a, b), (TagId(0), TagId(1)));
        assert_eq!(v[b], "b");
        assert_eq!(v.position(|s| *s == "b"), Some(b));
        assert_eq!(v.ids().collect::<Vec<_>>(), [a, b]);
        assert_eq!(v.iter_enumerated().map(|(i, s)| (i, *s)).collect::<Vec<_>>(), [(a, "a"), (b, "b")]);
        assert_eq!(v.len(), 2);
    }
}
