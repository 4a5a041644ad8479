//! Fetch stage: the items of one source's feed that become drafts: inside the window of
//! dates, through the source's word filters, not seen before.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::draft::{self, Item};
use super::ledger::Ledger;
use super::report::Counts;
use crate::links::canonical;
use crate::site::config::{Config, Source};

/// Without `--since` or an earlier fetch, items of this many days are taken.
const FIRST_FETCH_DAYS: i64 = 30;
/// Items dated up to this long before the last fetch are still looked at: feeds often publish an
/// item hours after its date. The ledger keeps them from coming twice.
const GRACE_HOURS: i64 = 24;

/// Which publication dates are taken.
pub(super) struct Window {
    since: Option<NaiveDate>,
    after: DateTime<Utc>,
}

impl Window {
    pub(super) fn new(since: Option<NaiveDate>, last_fetch: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Window {
        let after = match last_fetch {
            Some(at) => at - TimeDelta::hours(GRACE_HOURS),
            None => now - TimeDelta::days(FIRST_FETCH_DAYS),
        };
        Window { since, after }
    }

    /// Items without a date are always taken.
    fn takes(&self, published: Option<DateTime<Utc>>) -> bool {
        match (published, self.since) {
            (None, _) => true,
            (Some(p), Some(since)) => p.date_naive() >= since,
            (Some(p), None) => p > self.after,
        }
    }
}

/// Where drafts go.
pub(super) struct Target<'a> {
    pub(super) root: &'a Path,
    pub(super) config: &'a Config,
    pub(super) month: &'a str,
    pub(super) created_issue: &'a mut bool,
}

/// Writes a draft for every new item of one source's feed.
pub(super) fn harvest(
    feed: &feed_rs::model::Feed,
    source: &Source,
    window: &Window,
    target: &mut Target,
    known: &mut HashSet<String>,
    taken: &mut HashSet<String>,
    ledger: &mut Ledger,
) -> Result<Counts, String> {
    let mut counts = Counts::default();
    let include: Vec<String> = source.include.iter().map(|w| w.to_lowercase()).collect();
    let exclude: Vec<String> = source.exclude.iter().map(|w| w.to_lowercase()).collect();
    for entry in &feed.entries {
        let item = Item::from_entry(entry, &feed.feed_type);
        let title = item.title.to_lowercase();
        if (!include.is_empty() && !include.iter().any(|w| title.contains(w)))
            || exclude.iter().any(|w| title.contains(w))
        {
            counts.filtered += 1;
            continue;
        }
        if !window.takes(item.published) {
            counts.older += 1;
            continue;
        }
        let Some(key) = item.link.as_deref().and_then(canonical::key) else {
            counts.no_link.push(if item.title.is_empty() { entry.id.clone() } else { item.title.clone() });
            continue;
        };
        if known.contains(&key) || ledger.has_seen(&key) {
            counts.duplicates += 1;
            ledger.record(key, &source.name);
            continue;
        }
        let text = draft::render(&item, source).map_err(|e| format!("cannot write a draft for {key}: {e}"))?;
        if !*target.created_issue {
            *target.created_issue =
                draft::ensure_issue(target.root, target.config, target.month).map_err(|d| d.to_string())?;
        }
        let slug = draft::slug(&item, taken);
        let rel = draft::entry_path(target.month, &source.topic, &slug);
        crate::write::write_new(&target.root.join(&rel), &text)
            .map_err(|e| format!("cannot write {}: {e}", rel.display()))?;
        taken.insert(slug);
        known.insert(key.clone());
        ledger.record(key, &source.name);
        counts.new.push(rel);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn window_rules() {
        let now = at("2025-11-30T12:00:00Z");
        let first = Window::new(None, None, now);
        assert!(first.takes(Some(at("2025-11-01T00:00:00Z"))));
        assert!(!first.takes(Some(at("2025-10-30T00:00:00Z"))));
        assert!(first.takes(None));
        let later = Window::new(None, Some(at("2025-11-20T12:00:00Z")), now);
        assert!(later.takes(Some(at("2025-11-20T00:00:00Z"))), "within the grace period");
        assert!(!later.takes(Some(at("2025-11-19T00:00:00Z"))));
        let since = Window::new(NaiveDate::from_ymd_opt(2025, 1, 5), Some(at("2025-11-20T12:00:00Z")), now);
        assert!(since.takes(Some(at("2025-01-05T00:00:00Z"))));
        assert!(!since.takes(Some(at("2025-01-04T23:59:59Z"))));
    }
}
