//! Fetch stage: new items of the `[[sources]]` feeds pulled into draft entries of one issue.
//!
//! Every source is fetched with the shared HTTP policy and worker pool ([`crate::links`]),
//! parsed with feed-rs, and its new items written as drafts ([`draft`], [`excerpt`]) chosen by
//! [`harvest`]; the [`ledger`] remembers what was seen, and the [`report`] says what happened.

pub mod draft;
mod encoding;
pub mod excerpt;
mod harvest;
pub mod ledger;
pub mod report;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, Utc};

use crate::error::{Diagnostic, Diagnostics};
use crate::links::http::{Fetched, Fetcher, HttpOptions, Validators};
use crate::links::pool::{Pool, host_of};
use crate::site::config::{Config, Source};
use crate::site::month::parse_issue_key;
use draft::Item;
use harvest::{Target, Window, harvest};
use ledger::Ledger;
pub use report::{Counts, Report, SourceReport, Status};

/// What to fetch.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The issue to add drafts to (default: the newest issue folder, else this month).
    pub month: Option<String>,
    /// Take items published on or after this day (default: since each source's last fetch).
    pub since: Option<NaiveDate>,
    /// Fetch only the source of this name.
    pub source: Option<String>,
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

/// Fetches the sources and writes drafts; `Err` only when nothing could be attempted.
/// Failing sources are reported in the [`Report`], the others' drafts written all the same.
pub fn fetch(root: &Path, args: &Options, http: &HttpOptions, progress: Progress) -> Result<Report, Diagnostics> {
    let config = Config::load(root).map_err(|d| d.relative_to(root))?;
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
                match harvest(
                    &feed,
                    source,
                    &window,
                    &mut target,
                    &mut known,
                    &mut taken,
                    &mut ledger,
                    Item::from_entry,
                ) {
                    // With items left over, the source's state stays as it was, so the next
                    // fetch reads the same window again (in full, not as a 304).
                    Ok(counts) if counts.left > 0 => Status::Read(counts),
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
        .filter(|name| parse_issue_key(name).is_some())
        .max()
}

type Pulled = Result<Option<(feed_rs::model::Feed, Validators)>, String>;

/// Fetches and parses every source with the shared worker pool; results in the order of `jobs`.
fn pull_all(fetcher: &Fetcher, jobs: &[(&Source, Validators)], progress: Progress) -> Vec<Pulled> {
    let bar = (progress == Progress::Bar).then(|| {
        let bar =
            indicatif::ProgressBar::with_draw_target(Some(jobs.len() as u64), indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template("fetching {bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        bar
    });
    let done = AtomicUsize::new(0);
    let pool = Pool::from(fetcher.options());
    let results = pool.run(
        jobs,
        |(source, _)| host_of(&source.url),
        |(source, validators)| {
            // A panic deep in a parser must cost one source, not the run.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pull(fetcher, source, validators)))
                .unwrap_or_else(|_| Err("the feed could not be processed (internal error)".to_string()))
        },
        |(source, _), result| {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            let what = match result {
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
        },
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    results
}

fn pull(fetcher: &Fetcher, source: &Source, validators: &Validators) -> Pulled {
    match fetcher.get(&source.url, validators).map_err(|e| e.to_string())? {
        Fetched::NotModified => Ok(None),
        Fetched::Body { bytes, url, validators } => {
            let bytes = encoding::to_utf8(bytes);
            let parser = feed_rs::parser::Builder::new().base_uri(Some(&url)).build();
            let feed = parser.parse(bytes.as_slice()).map_err(|e| format!("not a feed: {e}"))?;
            Ok(Some((feed, validators)))
        }
    }
}
