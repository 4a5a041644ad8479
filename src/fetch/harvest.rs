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
/// At most this many drafts are written per source and run; a feed of thousands of items
/// (broken or hostile) would bury the issue. The rest wait for the next fetch.
pub(super) const MAX_NEW_DRAFTS: usize = 100;
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

/// What became of one item, before anything is written.
enum Taken {
    Filtered,
    Older,
    NoLink(String),
    Duplicate(String),
    New { key: String, text: String, slug: String },
}

/// Writes a draft for every new item of one source's feed. An item that cannot be converted
/// (even by a panic deep in a converter) or written is counted as failed, with its reason, and
/// the others are taken all the same; `Err` only when the issue cannot be created. `convert`
/// reads an item of the feed ([`Item::from_entry`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn harvest(
    feed: &feed_rs::model::Feed,
    source: &Source,
    window: &Window,
    target: &mut Target,
    known: &mut HashSet<String>,
    taken: &mut HashSet<String>,
    ledger: &mut Ledger,
    convert: impl Fn(&feed_rs::model::Entry, &feed_rs::model::FeedType) -> Item,
) -> Result<Counts, String> {
    let mut counts = Counts::default();
    let include: Vec<String> = source.include.iter().map(|w| w.to_lowercase()).collect();
    let exclude: Vec<String> = source.exclude.iter().map(|w| w.to_lowercase()).collect();
    for (i, entry) in feed.entries.iter().enumerate() {
        if counts.new.len() >= MAX_NEW_DRAFTS {
            counts.left = feed.entries.len() - i;
            break;
        }
        let once = || -> Result<Taken, String> {
            let item = convert(entry, &feed.feed_type);
            let title = item.title.to_lowercase();
            if (!include.is_empty() && !include.iter().any(|w| title.contains(w)))
                || exclude.iter().any(|w| title.contains(w))
            {
                return Ok(Taken::Filtered);
            }
            if !window.takes(item.published) {
                return Ok(Taken::Older);
            }
            let Some(key) = item.link.as_deref().and_then(canonical::key) else {
                return Ok(Taken::NoLink(if item.title.is_empty() { entry.id.clone() } else { item.title.clone() }));
            };
            if known.contains(&key) || ledger.has_seen(&key) {
                return Ok(Taken::Duplicate(key));
            }
            let text = draft::render(&item, source).map_err(|e| format!("cannot write a draft for {key}: {e}"))?;
            Ok(Taken::New { key, text, slug: draft::slug(&item, taken) })
        };
        // A panic in a converter must cost this item only (its message went to stderr already).
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(once))
            .unwrap_or_else(|_| Err("the item could not be converted (internal error)".to_string()));
        match outcome {
            Ok(Taken::Filtered) => counts.filtered += 1,
            Ok(Taken::Older) => counts.older += 1,
            Ok(Taken::NoLink(title)) => counts.no_link.push(title),
            Ok(Taken::Duplicate(key)) => {
                counts.duplicates += 1;
                ledger.record(key, &source.name);
            }
            Ok(Taken::New { key, text, slug }) => {
                if !*target.created_issue {
                    *target.created_issue =
                        draft::ensure_issue(target.root, target.config, target.month).map_err(|d| d.to_string())?;
                }
                let rel = draft::entry_path(target.month, &source.topic, &slug);
                crate::site::sources::check_in_content(target.root, &rel).map_err(|d| d.to_string())?;
                if let Err(e) = crate::write::write_new(&target.root.join(&rel), &text) {
                    counts.failed.push((item_name(entry), format!("cannot write {}: {e}", rel.display())));
                    continue;
                }
                taken.insert(slug);
                known.insert(key.clone());
                ledger.record(key, &source.name);
                counts.new.push(rel);
            }
            Err(e) => counts.failed.push((item_name(entry), e)),
        }
    }
    Ok(counts)
}

/// How a failed item is named in the report: its title as the feed wrote it (cut short), else its id.
fn item_name(entry: &feed_rs::model::Entry) -> String {
    let title = entry.title.as_ref().map(|t| t.content.split_whitespace().collect::<Vec<_>>().join(" "));
    let name = title.filter(|t| !t.is_empty()).unwrap_or_else(|| entry.id.clone());
    let name = crate::site::text::clean_text(&name);
    match name.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_item_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let config_text = "base_url = \"https://x.example\"\ndefault_language = \"en\"\n[languages.en]\ntitle = \"X\"\n\
            [[sources]]\nname = \"s\"\nurl = \"https://x.example/feed\"\ntopic = \"news\"\n";
        std::fs::write(dir.path().join("config.toml"), config_text).unwrap();
        let config = Config::load(dir.path()).unwrap();
        let items: String = ["good-1", "bad", "good-2"]
            .iter()
            .map(|id| format!("<item><title>{id}</title><link>https://x.example/{id}</link></item>"))
            .collect();
        let xml = format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>");
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        let mut created = false;
        let mut target = Target { root: dir.path(), config: &config, month: "2025-11", created_issue: &mut created };
        let (mut known, mut taken, mut ledger) = (HashSet::new(), HashSet::new(), Ledger::default());
        let window = Window::new(None, None, Utc::now());
        let convert = |e: &feed_rs::model::Entry, t: &feed_rs::model::FeedType| {
            let item = Item::from_entry(e, t);
            assert!(item.title != "bad", "a converter bug");
            item
        };
        let counts =
            harvest(&feed, &config.sources[0], &window, &mut target, &mut known, &mut taken, &mut ledger, convert)
                .unwrap();
        let new: Vec<String> = counts.new.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(new, ["content/2025-11/news/good-1.md", "content/2025-11/news/good-2.md"]);
        assert_eq!(
            counts.failed,
            [("bad".to_string(), "the item could not be converted (internal error)".to_string())]
        );
        assert!(!ledger.has_seen("https://x.example/bad"), "a failed item is tried again next time");
        assert!(ledger.has_seen("https://x.example/good-2"));
    }

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
