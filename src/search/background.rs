//! The search index made on a thread of its own, for `digest serve`.
//!
//! Pagefind builds its whole index every time it is asked for files (tens of seconds on a large
//! archive), so `serve` cannot wait for it between a save and the reload. After each build the
//! builder hands an [`Indexer`] the outputs it now serves and goes on; the indexer indexes the
//! pages among them that go into the index, a language at a time as `digest build` does, and
//! hands the files to its `publish` callback. Sets that pile up while it works are dropped for
//! the newest, so several saves cost one index.
//!
//! It keeps nothing between sets: `serve` holds every page already, and reading them again
//! costs less than keeping pagefind's records (both languages' records, and the copy pagefind
//! makes to build from them, were most of `serve`'s memory on a large archive). Pages go in in
//! each language's fixed order, so the files equal those `digest build` writes for the same
//! content (`tests/session.rs`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use super::{Bundle, Files, Record, indexed_outputs, language_files};
use crate::error::{Diagnostic, Diagnostics};
use crate::site::{LangId, Site};
use crate::write::Sink;

/// Output path → contents: one complete build, as `serve` holds it. Contents are shared
/// between snapshots, so an incremental rebuild copies the map, not the site.
pub type Outputs = BTreeMap<String, Arc<Vec<u8>>>;

/// Output path → record, of every indexed page of a site.
type Records = HashMap<String, Record>;

/// A set to index: the records of its site, its language count, and its outputs.
struct Job {
    records: Arc<Records>,
    langs: usize,
    outputs: Arc<Outputs>,
}

/// A search index made on a background thread; dropping it lets the thread finish what it is
/// doing and end.
pub struct Indexer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    /// The records and language count of the site of the last [`Indexer::all`].
    site: Option<(Arc<Records>, usize)>,
}

impl Indexer {
    /// Starts the thread. `publish` receives the files of each index it builds; `failed` an error
    /// that leaves the index as it was until the next set.
    pub fn spawn(publish: impl Fn(Files) + Send + 'static, failed: impl Fn(Diagnostics) + Send + 'static) -> Indexer {
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("search index".into())
            .spawn(move || {
                lower_priority();
                run(&rx, &publish, &failed);
            })
            .expect("cannot start the search index thread");
        Indexer { jobs: Some(jobs), thread: Some(thread), site: None }
    }

    /// Indexes `outputs`, a full render of `site` just loaded (the pages that go into the index
    /// are picked out on the indexing thread).
    pub fn all(&mut self, site: &Site, outputs: Arc<Outputs>) {
        let site = (Arc::new(indexed_outputs(site)), site.config.languages.len());
        self.site = Some(site);
        self.update(outputs);
    }

    /// Indexes `outputs` again, the outputs of the site of the last [`Indexer::all`] after some
    /// of its pages were rendered again.
    pub fn update(&mut self, outputs: Arc<Outputs>) {
        let (Some(jobs), Some((records, langs))) = (&self.jobs, &self.site) else { return };
        // The thread is gone only if it panicked; serving goes on without a search index.
        let _ = jobs.send(Job { records: records.clone(), langs: *langs, outputs });
    }

    /// Whether output `path` of the site of the last [`Indexer::all`] goes into the index.
    pub fn indexes(&self, path: &str) -> bool {
        self.site.as_ref().is_some_and(|(records, _)| records.contains_key(path))
    }

    /// Waits until the thread has built the files of everything sent so far (for tests).
    pub fn finish(mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The indexing thread: takes the newest set waiting, indexes it, publishes the files.
fn run(rx: &mpsc::Receiver<Job>, publish: &dyn Fn(Files), failed: &dyn Fn(Diagnostics)) {
    while let Ok(job) = rx.recv() {
        let job = rx.try_iter().last().unwrap_or(job);
        match index(&job) {
            Ok(files) => publish(files),
            Err(diags) => failed(diags),
        }
    }
}

/// The files of the index of `job`'s pages: each language filled with its pages in its order,
/// built once and let go before the next, as [`super::render_indexed`] does.
fn index(job: &Job) -> Result<Files, Diagnostics> {
    let mut pages: Vec<(&String, &Arc<Vec<u8>>, &Record)> =
        job.outputs.iter().filter_map(|(path, bytes)| Some((path, bytes, job.records.get(path)?))).collect();
    pages.sort_by_key(|(_, _, r)| (r.lang, r.position));
    let mut files = BTreeMap::new();
    let mut bundle = Bundle::default();
    for l in LangId::all(job.langs) {
        let lang_files = language_files(&job.records, l, &Discard, |tee| {
            for (path, bytes, _) in pages.iter().filter(|(_, _, r)| r.lang == l) {
                tee.put(path, bytes.to_vec())?;
            }
            Ok(())
        })?;
        bundle.add(lang_files, |path, bytes| {
            files.insert(path, bytes);
            Ok(())
        })?;
    }
    files.extend(bundle.entry());
    Ok(files.into_iter().collect())
}

/// A sink that keeps nothing: the pages are already served; only the index wants them.
struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Vec<u8>) -> Result<(), Diagnostic> {
        Ok(())
    }
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
