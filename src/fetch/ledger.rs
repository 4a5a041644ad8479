//! Fetch stage: the ledger, a committed file remembering every link fetched and each source's HTTP state.
//!
//! It lives at the site root as `fetch-ledger.toml`, sorted, so that its diffs read like a log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;

/// The ledger's file name, at the site root.
pub const FILE: &str = "fetch-ledger.toml";

const HEADER: &str = "\
# The ledger of `digest fetch`: commit it with the content.
# [sources.NAME] remembers when each source was last read and its ETag/Last-Modified,
# so an unchanged feed costs one 304. [seen] lists every link already turned into a draft
# (canonical form, with the source it came from): those links never come back, even when the
# editor deleted the draft. Remove a line here to fetch that link again.
";

/// What the ledger remembers about one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceState {
    /// When the source was last read successfully (a 200 or a 304).
    pub last_fetch: Option<toml::value::Datetime>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl SourceState {
    pub fn last_fetch(&self) -> Option<DateTime<Utc>> {
        let text = self.last_fetch.as_ref()?.to_string();
        DateTime::parse_from_rfc3339(&text).ok().map(|d| d.with_timezone(&Utc))
    }

    pub fn set_last_fetch(&mut self, at: DateTime<Utc>) {
        self.last_fetch = at.format("%Y-%m-%dT%H:%M:%SZ").to_string().parse().ok();
    }
}

/// The whole ledger; maps are sorted so the file is stable between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    #[serde(default)]
    pub sources: BTreeMap<String, SourceState>,
    /// Link key (see [`crate::links::canonical::key`]) → name of the source it came from.
    #[serde(default)]
    pub seen: BTreeMap<String, String>,
}

impl Ledger {
    pub fn path(root: &Path) -> PathBuf {
        root.join(FILE)
    }

    /// Reads the ledger of the site at `root`; a missing file is an empty ledger.
    pub fn load(root: &Path) -> Result<Ledger, Diagnostic> {
        let path = Self::path(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => return Err(Diagnostic::io(Path::new(FILE), &e)),
        };
        toml::from_str(&text).map_err(|e| {
            crate::error::toml_error(Path::new(FILE), &text, 0, &e)
                .with_hint("fix the line, or delete fetch-ledger.toml to start afresh (fetched links may then return)")
        })
    }

    /// Writes the ledger atomically: a sibling temporary file renamed over the old one.
    pub fn save(&self, root: &Path) -> Result<(), Diagnostic> {
        let body = toml::to_string(self).map_err(|e| Diagnostic::file(FILE, format!("cannot write: {e}")))?;
        let path = Self::path(root);
        let tmp = root.join(format!(".{FILE}.tmp"));
        std::fs::write(&tmp, format!("{HEADER}\n{body}"))
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Diagnostic::io(Path::new(FILE), &e))
    }

    pub fn has_seen(&self, key: &str) -> bool {
        self.seen.contains_key(key)
    }

    pub fn record(&mut self, key: String, source: &str) {
        self.seen.entry(key).or_insert_with(|| source.to_string());
    }

    pub fn source(&self, name: &str) -> SourceState {
        self.sources.get(name).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_sorted_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::default();
        ledger.record("https://b.org/2".into(), "b");
        ledger.record("https://a.org/1".into(), "a \"quoted\"");
        let mut state = SourceState { etag: Some("\"x\"".into()), ..Default::default() };
        let at = DateTime::parse_from_rfc3339("2025-11-30T08:09:10Z").unwrap().with_timezone(&Utc);
        state.set_last_fetch(at);
        ledger.sources.insert("zeta".into(), state.clone());
        ledger.sources.insert("alpha".into(), SourceState::default());
        ledger.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(Ledger::path(dir.path())).unwrap();
        let back = Ledger::load(dir.path()).unwrap();
        assert_eq!(back, ledger);
        assert_eq!(back.sources["zeta"].last_fetch(), Some(at));
        assert!(text.find("https://a.org/1").unwrap() < text.find("https://b.org/2").unwrap(), "{text}");
        assert!(text.find("[sources.alpha]").unwrap() < text.find("[sources.zeta]").unwrap(), "{text}");
        ledger.save(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(Ledger::path(dir.path())).unwrap(), text);
    }

    #[test]
    fn missing_is_empty_and_broken_is_located() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Ledger::load(dir.path()).unwrap(), Ledger::default());
        std::fs::write(Ledger::path(dir.path()), "[seen]\n\"https://a.org\" = \n").unwrap();
        let e = Ledger::load(dir.path()).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
