//! `digest fetch`: pull new items of the `[[sources]]` feeds into draft entries of one issue.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::canonical;
use crate::config::{Config, Source};
use crate::draft::{self, Item};
use crate::error::{Diagnostic, Diagnostics};
use crate::fetcher::{Fetched, Fetcher, HttpOptions, Validators};
use crate::ledger::Ledger;

/// Without `--since` or an earlier fetch, items of this many days are taken.
const FIRST_FETCH_DAYS: i64 = 30;
/// Items dated up to this long before the last fetch are still looked at: feeds often publish an
/// item hours after its date. The ledger keeps them from coming twice.
const GRACE_HOURS: i64 = 24;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The issue to add drafts to (default: the newest issue folder)
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: Option<String>,
    /// Take items published on or after this day (default: since each source's last fetch, else 30 days)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub since: Option<NaiveDate>,
    /// Fetch only the source of this name
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
}

fn parse_month(s: &str) -> Result<String, String> {
    crate::load::parse_issue_key(s).map(|_| s.to_string()).ok_or_else(|| format!("{s:?} is not a month like 2025-11"))
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a day like 2025-11-01"))
}

/// How progress is shown while the sources are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// An indicatif bar on stderr (for terminals).
    Bar,
    /// One plain line per source on stderr.
    Lines,
    Quiet,
}

/// What became of one source's items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Drafts written, relative to the site root.
    pub new: Vec<PathBuf>,
    /// Items whose link is already an entry's `source` or in the ledger.
    pub duplicates: usize,
    /// Titles of items skipped for having no http(s) link.
    pub no_link: Vec<String>,
    /// Items left out by the source's `include`/`exclude` words.
    pub filtered: usize,
    /// Items published before the window.
    pub older: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Read(Counts),
    NotModified,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceReport {
    pub name: String,
    pub status: Status,
}

/// The outcome of a run, one line per source in config order.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The issue drafts went to (`2025-11`).
    pub month: String,
    /// Whether `content/<month>/_index.md` was created.
    pub created_issue: bool,
    pub sources: Vec<SourceReport>,
}

impl Report {
    pub fn new_drafts(&self) -> impl Iterator<Item = &PathBuf> {
        self.sources
            .iter()
            .filter_map(|s| match &s.status {
                Status::Read(c) => Some(c.new.iter()),
                _ => None,
            })
            .flatten()
    }

    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.iter().filter_map(|s| match &s.status {
            Status::Failed(e) => Some((s.name.as_str(), e.as_str())),
            _ => None,
        })
    }

    /// The closing table: per source, new drafts, duplicates skipped, items without a link, result.
    pub fn table(&self) -> String {
        let width = self.sources.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(6);
        let mut out = format!("{:<width$}  {:>3}  {:>10}  {:>7}  result\n", "source", "new", "duplicates", "no link");
        for s in &self.sources {
            let (new, dup, no_link, result) = match &s.status {
                Status::Read(c) => {
                    let mut notes = Vec::new();
                    if c.filtered > 0 {
                        notes.push(format!("{} filtered out", c.filtered));
                    }
                    if c.older > 0 {
                        notes.push(format!("{} older", c.older));
                    }
                    let result = if notes.is_empty() { "ok".to_string() } else { format!("ok ({})", notes.join(", ")) };
                    (c.new.len().to_string(), c.duplicates.to_string(), c.no_link.len().to_string(), result)
                }
                Status::NotModified => ("-".into(), "-".into(), "-".into(), "not modified".into()),
                Status::Failed(e) => ("-".into(), "-".into(), "-".into(), format!("error: {e}")),
            };
            let name = &s.name;
            out.push_str(&format!("{name:<width$}  {new:>3}  {dup:>10}  {no_link:>7}  {result}\n"));
        }
        let n = self.new_drafts().count();
        out.push_str(&format!("\n{n} new draft{} in content/{}/", if n == 1 { "" } else { "s" }, self.month));
        if self.created_issue {
            out.push_str(&format!(" (created content/{}/_index.md as a draft)", self.month));
        }
        out.push('\n');
        for path in self.new_drafts() {
            out.push_str(&format!("  {}\n", path.display()));
        }
        out
    }
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let progress = if std::io::stderr().is_terminal() { Progress::Bar } else { Progress::Lines };
    let report = fetch(root, args, &HttpOptions::default(), progress)?;
    print!("{}", report.table());
    let config_text = std::fs::read_to_string(root.join("config.toml")).unwrap_or_default();
    for s in &report.sources {
        if let Status::Read(c) = &s.status {
            let (line, col) = source_position(&config_text, &s.name);
            for title in &c.no_link {
                let message = format!("source {:?}: skipped an item without a link: {title:?}", s.name);
                eprintln!("{}", Diagnostic::warning("config.toml", line, col, message));
            }
        }
    }
    let mut diags = Diagnostics::new();
    for (name, error) in report.failed() {
        let (line, col) = source_position(&config_text, name);
        diags.push(
            Diagnostic::error("config.toml", line, col, format!("source {name:?} could not be read: {error}"))
                .with_hint(format!(
                    "check the source's `url`, or retry it later with `digest fetch --source {name}`; \
                     drafts from the other sources were written"
                )),
        );
    }
    diags.into_result(())
}

/// Where a source is declared in config.toml: its `name = "…"` line.
fn source_position(config_text: &str, name: &str) -> (usize, usize) {
    let quoted = toml::Value::String(name.to_string()).to_string();
    config_text
        .lines()
        .position(|l| l.trim_start().starts_with("name") && l.contains(&quoted))
        .map_or((1, 1), |i| (i + 1, 1))
}

/// Fetches the sources and writes drafts; `Err` only when nothing could be attempted.
/// Failing sources are reported in the [`Report`], the others' drafts written all the same.
pub fn fetch(root: &Path, args: &Args, http: &HttpOptions, progress: Progress) -> Result<Report, Diagnostics> {
    let config = Config::load(root).map_err(|d| Diagnostics(d.0.into_iter().map(|d| d.relative_to(root)).collect()))?;
    let sources = select_sources(&config, args.source.as_deref())?;
    let month = match &args.month {
        Some(m) => m.clone(),
        None => newest_issue(root).unwrap_or_else(|| Utc::now().format("%Y-%m").to_string()),
    };
    let mut ledger = Ledger::load(root)?;
    let user_agent = format!("digest/{} (+{})", env!("CARGO_PKG_VERSION"), config.base_url);
    let fetcher = Fetcher::new(http.clone(), &user_agent).map_err(|m| Diagnostic::file("config.toml", m))?;

    // With --since the editor asks for older items again, so the feed is read in full.
    let jobs: Vec<(&Source, Validators)> = sources
        .iter()
        .map(|s| {
            let state = ledger.source(&s.name);
            let validators = if args.since.is_some() {
                Validators::default()
            } else {
                Validators { etag: state.etag, last_modified: state.last_modified }
            };
            (*s, validators)
        })
        .collect();
    let started = Utc::now();
    let pulled = pull_all(&fetcher, &jobs, progress);

    let mut known = draft::known_sources(root);
    let mut taken = draft::taken_slugs(&root.join("content").join(&month));
    let mut created_issue = false;
    let mut reports = Vec::new();
    for ((source, _), result) in jobs.iter().zip(pulled) {
        let mut state = ledger.source(&source.name);
        let status = match result {
            Err(e) => Status::Failed(e),
            Ok(None) => {
                state.set_last_fetch(started);
                Status::NotModified
            }
            Ok(Some((feed, validators))) => {
                let window = Window::new(args.since, state.last_fetch(), started);
                let mut target = Target { root, config: &config, month: &month, created_issue: &mut created_issue };
                match harvest(&feed, source, &window, &mut target, &mut known, &mut taken, &mut ledger) {
                    Ok(counts) => {
                        state.set_last_fetch(started);
                        state.etag = validators.etag;
                        state.last_modified = validators.last_modified;
                        Status::Read(counts)
                    }
                    Err(e) => Status::Failed(e),
                }
            }
        };
        if !matches!(status, Status::Failed(_)) {
            ledger.sources.insert(source.name.clone(), state);
        }
        reports.push(SourceReport { name: source.name.clone(), status });
    }
    ledger.save(root)?;
    Ok(Report { month, created_issue, sources: reports })
}

fn select_sources<'c>(config: &'c Config, only: Option<&str>) -> Result<Vec<&'c Source>, Diagnostic> {
    if config.sources.is_empty() {
        return Err(Diagnostic::file("config.toml", "there are no [[sources]] to fetch").with_hint(
            "add one:\n  [[sources]]\n  name = \"kubernetes-blog\"\n  url = \"https://kubernetes.io/feed.xml\"\n  topic = \"news\"",
        ));
    }
    let Some(only) = only else { return Ok(config.sources.iter().collect()) };
    let chosen: Vec<&Source> = config.sources.iter().filter(|s| s.name == only).collect();
    if chosen.is_empty() {
        let names: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
        return Err(Diagnostic::file("config.toml", format!("there is no source named {only:?}"))
            .with_hint(format!("sources are: {}", names.join(", "))));
    }
    Ok(chosen)
}

/// The newest issue folder in `content/`.
fn newest_issue(root: &Path) -> Option<String> {
    std::fs::read_dir(root.join("content"))
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|name| crate::load::parse_issue_key(name).is_some())
        .max()
}

type Pulled = Result<Option<(feed_rs::model::Feed, Validators)>, String>;

/// Fetches and parses every source, a few at a time; results in the order of `jobs`.
fn pull_all(fetcher: &Fetcher, jobs: &[(&Source, Validators)], progress: Progress) -> Vec<Pulled> {
    let bar = (progress == Progress::Bar).then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(Some(jobs.len() as u64), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("fetching {bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        bar
    });
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Pulled>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let workers = fetcher.options().concurrency.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((source, validators)) = jobs.get(i) else { break };
                    // A panic deep in a parser must cost one source, not the run.
                    let result =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pull(fetcher, source, validators)))
                            .unwrap_or_else(|_| Err("the feed could not be processed (internal error)".to_string()));
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    let what = match &result {
                        Ok(Some(_)) => "read".to_string(),
                        Ok(None) => "not modified".to_string(),
                        Err(e) => format!("error: {e}"),
                    };
                    match (&bar, progress) {
                        (Some(bar), _) => {
                            bar.inc(1);
                            bar.set_message(format!("{}: {what}", source.name));
                        }
                        (None, Progress::Lines) => eprintln!("[{n}/{}] {}: {what}", jobs.len(), source.name),
                        _ => {}
                    }
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    slots
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten().unwrap_or_else(|| Err("not fetched".to_string())))
        .collect()
}

fn pull(fetcher: &Fetcher, source: &Source, validators: &Validators) -> Pulled {
    match fetcher.get(&source.url, validators).map_err(|e| e.to_string())? {
        Fetched::NotModified => Ok(None),
        Fetched::Body { bytes, url, validators } => {
            let parser = feed_rs::parser::Builder::new().base_uri(Some(&url)).build();
            let feed = parser.parse(bytes.as_slice()).map_err(|e| format!("not a feed: {e}"))?;
            Ok(Some((feed, validators)))
        }
    }
}

/// Which publication dates are taken.
struct Window {
    since: Option<NaiveDate>,
    after: DateTime<Utc>,
}

impl Window {
    fn new(since: Option<NaiveDate>, last_fetch: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Window {
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
struct Target<'a> {
    root: &'a Path,
    config: &'a Config,
    month: &'a str,
    created_issue: &'a mut bool,
}

/// Writes a draft for every new item of one source's feed.
fn harvest(
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
        draft::write_new(&target.root.join(&rel), &text).map_err(|e| format!("cannot write {}: {e}", rel.display()))?;
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

    #[test]
    fn source_position_finds_the_name_line() {
        let text = "base_url = \"x\"\n[[sources]]\nname = \"a\"\n[[sources]]\n  name = \"b\"\n";
        assert_eq!(source_position(text, "b"), (5, 1));
        assert_eq!(source_position(text, "zz"), (1, 1));
    }

    #[test]
    fn table_lists_every_source() {
        let report = Report {
            month: "2025-11".into(),
            created_issue: true,
            sources: vec![
                SourceReport {
                    name: "kubernetes-blog".into(),
                    status: Status::Read(Counts {
                        new: vec![PathBuf::from("content/2025-11/news/a.md")],
                        duplicates: 2,
                        filtered: 1,
                        ..Default::default()
                    }),
                },
                SourceReport { name: "cncf".into(), status: Status::NotModified },
                SourceReport { name: "bad".into(), status: Status::Failed("HTTP 500".into()) },
            ],
        };
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "source           new  duplicates  no link  result");
        assert_eq!(lines[1], "kubernetes-blog    1           2        0  ok (1 filtered out)");
        assert_eq!(lines[2], "cncf               -           -        -  not modified");
        assert_eq!(lines[3], "bad                -           -        -  error: HTTP 500");
        assert!(table.contains("1 new draft in content/2025-11/ (created content/2025-11/_index.md"), "{table}");
        assert!(table.contains("  content/2025-11/news/a.md"), "{table}");
    }
}
