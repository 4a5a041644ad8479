//! Check stage: the cache of outside-link results, `.digest/link-cache.json` in the site.
//!
//! A working link is trusted for 24 hours and a failing one is retried after 1 hour, so a
//! second `digest check --external` soon after the first sends no requests at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;

/// How long a working link's result is reused.
pub const OK_SECS: u64 = 24 * 60 * 60;
/// How long a failing link's result is reused.
pub const FAILED_SECS: u64 = 60 * 60;
/// The cache file, relative to the site root.
pub const PATH: &str = ".digest/link-cache.json";

/// What fetching a link found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The final HTTP status, when there was a response.
    pub status: Option<u16>,
    /// What was found, e.g. `404 Not Found` or `timed out after 20 s`.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// When the link was fetched, in seconds since 1970.
    checked: u64,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    links: BTreeMap<String, Record>,
}

/// The results of earlier runs.
pub struct Cache {
    path: PathBuf,
    file: File,
    now: u64,
}

impl Cache {
    /// Reads the cache of the site at `root`; a missing or unreadable cache is empty.
    pub fn load(root: &Path) -> Cache {
        let path = root.join(PATH);
        let file = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<File>(&t).ok())
            .filter(|f| f.version == 1)
            .unwrap_or(File { version: 1, links: BTreeMap::new() });
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Cache { path, file, now }
    }

    /// The cached result of `url`, while it is fresh.
    pub fn get(&self, url: &str) -> Option<&Outcome> {
        let r = self.file.links.get(url)?;
        let ttl = if r.outcome.verdict == Verdict::Ok { OK_SECS } else { FAILED_SECS };
        (self.now.saturating_sub(r.checked) < ttl && r.checked <= self.now).then_some(&r.outcome)
    }

    pub fn put(&mut self, url: &str, outcome: Outcome) {
        self.file.links.insert(url.to_string(), Record { checked: self.now, outcome });
    }

    /// Writes the fresh results (stale ones are dropped), atomically.
    pub fn save(&mut self) -> Result<(), Diagnostic> {
        let now = self.now;
        self.file.links.retain(|_, r| {
            let ttl = if r.outcome.verdict == Verdict::Ok { OK_SECS } else { FAILED_SECS };
            now.saturating_sub(r.checked) < ttl
        });
        let shown = Path::new(PATH);
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Diagnostic::io(shown, &e))?;
        }
        let text = serde_json::to_string_pretty(&self.file).unwrap_or_default();
        let tmp = self.path.with_extension(format!("json.{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| Diagnostic::io(shown, &e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Diagnostic::io(shown, &e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_results_are_kept_and_stale_ones_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::load(dir.path());
        let ok = Outcome { verdict: Verdict::Ok, status: Some(200), message: "200 OK".into() };
        let bad = Outcome { verdict: Verdict::Error, status: Some(404), message: "404 Not Found".into() };
        c.put("https://a.org/", ok.clone());
        c.put("https://b.org/", bad.clone());
        c.save().unwrap();
        let mut c = Cache::load(dir.path());
        assert_eq!(c.get("https://a.org/"), Some(&ok));
        assert_eq!(c.get("https://b.org/"), Some(&bad));
        // Two hours later the failure is retried, the success is still trusted.
        c.now += 2 * 60 * 60;
        assert_eq!(c.get("https://a.org/"), Some(&ok));
        assert_eq!(c.get("https://b.org/"), None);
        c.now += OK_SECS;
        assert_eq!(c.get("https://a.org/"), None);
    }
}
