//! The search index kept up to date on a thread of its own, for `digest serve`.
//!
//! Pagefind builds its whole index every time it is asked for files (about as long as indexing
//! takes in a full build: tens of seconds on a large archive), so `serve` cannot wait for it
//! between a save and the reload. The builder hands the indexed pages it rendered to an
//! [`Indexer`] and goes on; the indexer adds them to its index, and once nothing more is waiting
//! builds the files and hands them to its `publish` callback. Work that piles up while it builds
//! is taken in one go: a full set of pages drops everything queued before it, and several saves
//! cost one build of the files.
//!
//! Pages of a full set are added in each language's fixed order, as a build adds them, and an
//! update replaces records in place, so the files equal those `digest build` writes for the same
//! content (`tests/session.rs`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use super::{Files, Record, SiteIndex, fill_all, indexed_outputs};
use crate::error::{Diagnostic, Diagnostics};
use crate::site::Site;
use crate::write::Sink;

/// Rendered pages: output path, contents.
pub type Pages = Vec<(String, Arc<Vec<u8>>)>;

/// Output path → record, of every indexed page of a site.
type Records = HashMap<String, Record>;

/// The index being kept, with the records and language count of its site.
struct Kept {
    records: Arc<Records>,
    langs: usize,
    index: SiteIndex,
}

/// What the indexing thread is asked to do.
enum Job {
    /// Start over from these pages: every indexed page of a site just loaded.
    All { records: Arc<Records>, langs: usize, pages: Pages },
    /// Replace the records of these pages, rendered again.
    Update(Pages),
}

/// A search index filled and built on a background thread; dropping it lets the thread finish
/// what it is doing and end.
pub struct Indexer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    /// The records of the site of the last full set, to tell the indexed pages of an update.
    records: Arc<Records>,
}

impl Indexer {
    /// Starts the thread. `publish` receives the files of each index it builds; `failed` an error
    /// that leaves it without an index until the next full set.
    pub fn spawn(publish: impl Fn(Files) + Send + 'static, failed: impl Fn(Diagnostics) + Send + 'static) -> Indexer {
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("search index".into())
            .spawn(move || {
                lower_priority();
                run(&rx, &publish, &failed);
            })
            .expect("cannot start the search index thread");
        Indexer { jobs: Some(jobs), thread: Some(thread), records: Arc::default() }
    }

    /// Indexes `site` again from scratch, from `outputs`, a full render of it (the pages that go
    /// into the index are picked out here).
    pub fn all<'a>(&mut self, site: &Site, outputs: impl IntoIterator<Item = (&'a String, &'a Arc<Vec<u8>>)>) {
        self.records = Arc::new(indexed_outputs(site));
        let mut pages = self.indexed(outputs);
        // In each language's order, so the indexer adds them as they come.
        pages.sort_by_key(|(path, _)| (self.records[path].lang, self.records[path].position));
        let records = self.records.clone();
        self.send(Job::All { records, langs: site.config.languages.len(), pages });
    }

    /// Replaces the records of the pages among `outputs`, rendered again after a save.
    pub fn update<'a>(&mut self, outputs: impl IntoIterator<Item = (&'a String, &'a Arc<Vec<u8>>)>) {
        let pages = self.indexed(outputs);
        if !pages.is_empty() {
            self.send(Job::Update(pages));
        }
    }

    fn indexed<'a>(&self, outputs: impl IntoIterator<Item = (&'a String, &'a Arc<Vec<u8>>)>) -> Pages {
        let pages = outputs.into_iter().filter(|(path, _)| self.records.contains_key(path.as_str()));
        pages.map(|(path, bytes)| (path.clone(), bytes.clone())).collect()
    }

    fn send(&self, job: Job) {
        // The thread is gone only if it panicked; serving goes on without a search index.
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
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

/// The indexing thread: takes every job waiting, adds their pages, and builds the files when
/// no further job has come in meanwhile.
fn run(rx: &mpsc::Receiver<Job>, publish: &dyn Fn(Files), failed: &dyn Fn(Diagnostics)) {
    let mut queue = VecDeque::new();
    let mut current: Option<Kept> = None;
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => return,
            }
        }
        queue.extend(rx.try_iter());
        if let Some(last) = queue.iter().rposition(|j| matches!(j, Job::All { .. })) {
            queue.drain(..last);
            current = None;
        }
        let result = queue.drain(..).try_fold(current.take(), |current, job| match (job, current) {
            (Job::All { records, langs, pages }, _) => {
                let index = add(&records, langs, None, &pages)?;
                Ok(Some(Kept { records, langs, index }))
            }
            (Job::Update(pages), Some(Kept { records, langs, index })) => {
                let index = add(&records, langs, Some(index), &pages)?;
                Ok(Some(Kept { records, langs, index }))
            }
            // No index to update: the last full set failed; the next one starts again.
            (Job::Update(_), None) => Ok(None),
        });
        match result {
            Ok(filled) => current = filled,
            Err(diags) => failed(diags),
        }
        let more: Vec<Job> = rx.try_iter().collect();
        if !more.is_empty() {
            queue.extend(more);
            continue;
        }
        if let Some(Kept { index, .. }) = current.as_mut() {
            match index.files() {
                Ok(files) => publish(files),
                Err(d) => {
                    current = None;
                    failed(d.into());
                }
            }
        }
    }
}

/// Adds `pages` to `index` (a new one when `None`).
fn add(records: &Records, langs: usize, index: Option<SiteIndex>, pages: &Pages) -> Result<SiteIndex, Diagnostics> {
    fill_all(records, langs, index, &Discard, |tee| {
        for (path, bytes) in pages {
            tee.put(path, bytes.to_vec())?;
        }
        Ok(())
    })
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
