//! The search index made on a thread of its own, for `digest serve`.
//!
//! `serve` cannot wait for pagefind between a save and the reload, so after each build the
//! builder hands an [`Indexer`] the plan of the index's segments ([`super::segments`]) and goes
//! on. The plan is cheap: each segment's key, and the records only of the segments a save may
//! have changed (the years of the saved entries and issues; every year after a full load). The
//! indexer keeps the files of the segments it published, reuses every segment whose key it
//! knows (or finds in the build cache), indexes the others from their records, and hands the
//! whole bundle to its `publish` callback, which equals the one `digest build` writes for the
//! same content (`tests/session.rs`). Plans that pile up while it works are merged into the
//! newest, so several saves cost one index.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::Files;
use super::records::{Record, periods, year};
use super::segments::{Assembly, Made, Segment, assemble_language, make, plan};
use crate::cache::{Cache, Key};
use crate::error::{Diagnostic, Diagnostics};
use crate::render::Output;
use crate::site::{LangId, Site};

/// Output path → contents: one complete build, as `serve` holds it. Contents are shared
/// between snapshots, so an incremental rebuild copies the map, not the site.
pub type Outputs = BTreeMap<String, std::sync::Arc<Vec<u8>>>;

/// Every language's segments, newest first.
type Plan = Vec<Vec<Segment>>;

/// A search index made on a background thread; dropping it lets the thread finish what it is
/// doing and end.
pub struct Indexer {
    jobs: Option<mpsc::Sender<Plan>>,
    thread: Option<JoinHandle<()>>,
    /// The plan last sent, its records left out.
    last: Plan,
}

impl Indexer {
    /// Starts the thread, which keeps its segments in `cache` too. `publish` receives the files
    /// of each index it builds; `failed` an error that leaves the index as it was until the
    /// next plan.
    pub fn spawn(
        cache: Cache,
        publish: impl Fn(Files) + Send + 'static,
        failed: impl Fn(Diagnostics) + Send + 'static,
    ) -> Indexer {
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("search index".into())
            .spawn(move || {
                lower_priority();
                run(&rx, &cache, &publish, &failed);
            })
            .expect("cannot start the search index thread");
        Indexer { jobs: Some(jobs), thread: Some(thread), last: Vec::new() }
    }

    /// Indexes `site`, just loaded: every segment planned, with its records.
    pub fn all(&mut self, site: &Site) {
        let plan = LangId::all(site.config.languages.len()).map(|l| plan(site, l, None, true)).collect();
        self.send(plan);
    }

    /// Indexes `site` again after `pages` of it were rendered again: the segments of the periods
    /// those pages show are planned again, with their records; the others keep their keys.
    pub fn update(&mut self, site: &Site, pages: &[Output]) {
        let mut years: Vec<i32> = pages
            .iter()
            .filter_map(|page| match *page {
                Output::Entry(_, e) => Some(year(&site.issues[site.entries[e].issue])),
                Output::Issue(_, i) => Some(year(&site.issues[i])),
                _ => None,
            })
            .collect();
        years.sort();
        years.dedup();
        if years.is_empty() || self.last.len() != site.config.languages.len() {
            return;
        }
        // A save that opens a new year (or grows an older one past its run) moves years
        // between periods: everything is planned again.
        let same_periods = LangId::all(site.config.languages.len()).zip(&self.last).all(|(l, last)| {
            let now = periods(site, l);
            last.iter().all(|s| now.contains(&s.period))
        });
        if !same_periods {
            return self.all(site);
        }
        let plan = LangId::all(site.config.languages.len())
            .zip(&self.last)
            .map(|(l, last)| {
                let mut fresh = plan(site, l, Some(&years), true);
                let kept = last.iter().filter(|s| !years.iter().any(|&y| s.period.contains(y))).cloned();
                fresh.extend(kept);
                fresh.sort_by_key(|s| std::cmp::Reverse(s.period.last));
                fresh
            })
            .collect();
        self.send(plan);
    }

    fn send(&mut self, plan: Plan) {
        self.last = plan.iter().map(|segments| segments.iter().map(without_records).collect()).collect();
        if let Some(jobs) = &self.jobs {
            // The thread is gone only if it panicked; serving goes on without a search index.
            let _ = jobs.send(plan);
        }
    }

    /// Waits until the thread has built the files of everything sent so far (for tests).
    pub fn finish(mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn without_records(segment: &Segment) -> Segment {
    Segment { records: None, ..segment.clone() }
}

/// The indexing thread: takes the newest plan waiting (with the records of the ones before
/// it), indexes it, publishes the files.
fn run(rx: &mpsc::Receiver<Plan>, cache: &Cache, publish: &dyn Fn(Files), failed: &dyn Fn(Diagnostics)) {
    let mut known: HashMap<Key, Files> = HashMap::new();
    while let Ok(plan) = rx.recv() {
        let mut records: HashMap<Key, Vec<Record>> = HashMap::new();
        let mut newest = plan;
        for later in std::iter::once(Vec::new()).chain(rx.try_iter()) {
            if !later.is_empty() {
                let mut older = std::mem::replace(&mut newest, later);
                keep_records(&mut records, &mut older);
            }
        }
        keep_records(&mut records, &mut newest);
        match index(&newest, &mut records, &mut known, cache) {
            Ok(files) => publish(files),
            Err(d) => failed(d.into()),
        }
    }
}

/// Moves the records of `plan`'s segments into `records`, by key.
fn keep_records(records: &mut HashMap<Key, Vec<Record>>, plan: &mut Plan) {
    for segment in plan.iter_mut().flatten() {
        if let Some(r) = segment.records.take() {
            records.insert(segment.key, r);
        }
    }
}

/// The bundle of `plan`: each segment from `known` (the segments published last), the cache,
/// or its records; `known` then holds this plan's segments.
fn index(
    plan: &Plan,
    records: &mut HashMap<Key, Vec<Record>>,
    known: &mut HashMap<Key, Files>,
    cache: &Cache,
) -> Result<Files, Diagnostic> {
    let mut assembly = Assembly::default();
    let mut now: HashMap<Key, Files> = HashMap::new();
    for segments in plan {
        assemble_language(&mut assembly, segments, cache, |segment, force| {
            if let Some(data) = known.get(&segment.key).filter(|_| !force) {
                now.insert(segment.key, data.clone());
                return Ok(Made { data: data.clone(), browser: None, built: false });
            }
            let made = make(segment, cache, force, || records.get(&segment.key).cloned())?;
            now.insert(segment.key, made.data.clone());
            Ok(made)
        })?;
    }
    *known = now;
    Ok(assembly.finish())
}

/// Runs this thread (and the threads it starts, which inherit it) at a lower priority, so that
/// indexing takes the processor only when rebuilding after a save does not need it.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory effects; on Linux, PRIO_PROCESS with a thread id
    // sets that thread's nice value. Failing leaves the priority as it was, which is harmless.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}
