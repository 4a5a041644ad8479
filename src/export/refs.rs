//! Export stage: numbered references, for the editions where a link cannot be clicked (plain
//! text) or is not allowed (WeChat): each distinct URL gets one number, in order of first use.

use std::collections::HashMap;

use serde::Serialize;

/// One numbered URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub number: usize,
    pub url: String,
}

/// The URLs of a document, numbered from 1 in order of first use.
#[derive(Debug, Default)]
pub struct Refs {
    urls: Vec<String>,
    index: HashMap<String, usize>,
}

impl Refs {
    /// The number of `url`: its earlier one, or the next.
    pub fn number(&mut self, url: &str) -> usize {
        if let Some(&n) = self.index.get(url) {
            return n;
        }
        self.urls.push(url.to_string());
        let n = self.urls.len();
        self.index.insert(url.to_string(), n);
        n
    }

    /// How many URLs have a number so far.
    pub fn len(&self) -> usize {
        self.urls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// The references numbered after the first `n`.
    pub fn since(&self, n: usize) -> Vec<Reference> {
        self.urls.iter().enumerate().skip(n).map(|(i, url)| Reference { number: i + 1, url: url.clone() }).collect()
    }

    pub fn all(&self) -> Vec<Reference> {
        self.since(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_per_url_in_order() {
        let mut r = Refs::default();
        assert_eq!(r.number("https://a/"), 1);
        assert_eq!(r.number("https://b/"), 2);
        assert_eq!(r.number("https://a/"), 1);
        assert_eq!(r.since(1), vec![Reference { number: 2, url: "https://b/".into() }]);
    }
}
