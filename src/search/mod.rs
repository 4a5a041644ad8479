//! Search stage: a [pagefind](https://pagefind.app) index of the rendered site, a further
//! renderer over `&Site` beside [`crate::render`] (`docs/architecture.md`).
//!
//! Every entry page and issue page of every language is handed to pagefind from memory as it
//! is rendered ([`Tee`] copies those outputs on their way to the [`Sink`]); the templates say
//! what pagefind keeps of each (`data-pagefind-body` on the entry's text and the issue's
//! introduction, its title, issue and topic as `data-pagefind-meta`, topic and issue as
//! `data-pagefind-filter`: see `docs/templates.md`). Pagefind groups the records by the pages'
//! `<html lang>`, so each language's search page searches that language only. The files it
//! returns (index, fragments, and its browser code, which ships inside the crate) go through the
//! same sink as every other output, under [`BUNDLE_DIR`].
//!
//! Each language has a pagefind index of its own ([`SearchIndex`]), filled by an indexing thread
//! while that language renders (pagefind handles one page at a time). A build renders a
//! language, builds its index, writes its files and lets it go before the next language, so
//! that only one language's index is ever held: building an index holds a copy of all it was
//! given, and two at once were most of the build's memory on a large archive. Their files make
//! one bundle (the records are named by language, and `pagefind-entry.json` lists every
//! language). Pagefind's API is async; a current-thread Tokio runtime per index drives it.

pub mod background;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Diagnostic, Diagnostics};
use crate::render::Page;
use crate::render::batch::issue_pages;
use crate::site::Site;
use crate::write::{Sink, Writing};

/// The folder of the search bundle in the output, below the site's base path.
pub const BUNDLE_DIR: &str = "pagefind";

/// Whether output `path` is a file of the search bundle.
pub fn is_bundle_file(path: &str) -> bool {
    path.strip_prefix(BUNDLE_DIR).is_some_and(|rest| rest.starts_with('/'))
}

/// Pages waiting for the indexing thread; a bound keeps a fast render from holding every page.
const QUEUE: usize = 256;

/// Files of the search bundle: path relative to the output root, contents.
pub type Files = Vec<(String, Vec<u8>)>;

/// Pages an indexer hands to pagefind at a time, to be parsed in parallel.
const CHUNK: usize = 64;

/// A pagefind index being filled, with the runtime that drives it.
pub struct SearchIndex {
    runtime: tokio::runtime::Runtime,
    index: PagefindIndex,
    /// Where pagefind parses the pages of a chunk in parallel: a pool of the index's own, as
    /// the render's pool may be waiting for this indexer to take its pages.
    pool: rayon::ThreadPool,
    /// Pages added, a page added again counted again.
    pub added: usize,
}

impl SearchIndex {
    pub fn new() -> Result<SearchIndex, Diagnostic> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| index_error(format!("cannot start the indexing runtime: {e}")))?;
        // URLs are given as the site links them (`/2025-11/releases/x/`, base path included).
        let config = PagefindServiceConfig::builder().keep_index_url(true).build();
        let index = PagefindIndex::new(Some(config)).map_err(|e| index_error(e.to_string()))?;
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("search index {i}"))
            .build()
            .map_err(|e| index_error(format!("cannot start the indexing threads: {e}")))?;
        Ok(SearchIndex { runtime, index, pool, added: 0 })
    }

    /// Adds (or, for a URL added before, replaces) the record of one rendered page.
    pub fn add(&mut self, url: &str, html: String) -> Result<(), Diagnostic> {
        self.add_all(vec![(url.to_string(), html)])
    }

    /// [`SearchIndex::add`] for several pages (URL, HTML), in that order; pagefind parses
    /// them in parallel (`vendor/pagefind/DIGEST-PATCH.md`).
    pub fn add_all(&mut self, pages: Vec<(String, String)>) -> Result<(), Diagnostic> {
        let (pool, index) = (&self.pool, &mut self.index);
        let added = pool.install(|| index.add_html_files_blocking(pages));
        self.added += added.map_err(|e| index_error(format!("cannot index a page: {e}")))?;
        Ok(())
    }

    /// Builds the index and returns its files, paths relative to the output root
    /// (`pagefind/pagefind.js`, …).
    pub fn files(&mut self) -> Result<Files, Diagnostic> {
        let (pool, runtime, index) = (&self.pool, &self.runtime, &mut self.index);
        let files = pool.install(|| runtime.block_on(index.get_files()));
        Ok(bundle_files(files.map_err(|e| index_error(e.to_string()))?))
    }

    /// [`SearchIndex::files`] for an index built once: its records move into the built index
    /// rather than being copied, which halves what the build holds at its peak.
    pub fn into_files(self) -> Result<Files, Diagnostic> {
        let SearchIndex { runtime, index, pool, .. } = self;
        let files = pool.install(|| runtime.block_on(index.get_files_once()));
        Ok(bundle_files(files.map_err(|e| index_error(e.to_string()))?))
    }
}

/// Pagefind's files as paths in the output. Pagefind compresses them in parallel on the pool
/// of the thread that asks (`vendor/pagefind/DIGEST-PATCH.md`).
fn bundle_files(files: Vec<pagefind::api::SyntheticFile>) -> Files {
    let files = files.into_iter().map(|f| {
        let name = f.filename.to_string_lossy().replace('\\', "/");
        (format!("{BUNDLE_DIR}/{name}"), f.contents)
    });
    files.collect()
}

fn index_error(message: String) -> Diagnostic {
    Diagnostic::file(BUNDLE_DIR, format!("search index: {message}"))
        .with_hint("build without the search index with `digest build --no-search`")
}

/// The site path of `page` if it goes into the search index: entry pages and issue pages.
pub fn indexed_path(site: &Site, page: Page) -> Option<String> {
    match page {
        Page::Entry(_, e) => Some(site.entries[e].path(site)),
        Page::Issue(_, i) => Some(site.issues[i].path()),
        _ => None,
    }
}

/// Where an indexed page goes: its language, its place in the language's fixed order (issue
/// after issue, each followed by its entries, the order a build renders them in:
/// [`crate::render::batch::issue_pages`]) and its URL.
#[derive(Debug, Clone)]
pub struct Record {
    pub lang: usize,
    pub position: usize,
    pub url: String,
}

/// Output path → [`Record`] of every page that goes into the index, in every language.
pub fn indexed_outputs(site: &Site) -> HashMap<String, Record> {
    let c = &site.config;
    let mut records = HashMap::with_capacity(c.languages.len() * (site.issues.len() + site.entries.len()));
    for (l, lang) in c.languages.iter().enumerate() {
        let pages = (0..site.issues.len()).flat_map(|i| issue_pages(site, l, i));
        let indexed = pages.filter_map(|page| Some((page, indexed_path(site, page)?)));
        for (position, (page, path)) in indexed.enumerate() {
            for output in page.outputs(site) {
                records.insert(output, Record { lang: l, position, url: c.href(&lang.code, &path) });
            }
        }
    }
    records
}

/// Position in a language's order, URL, HTML: a page on its way to its language's indexer.
type Indexed = (usize, String, String);

/// A sink that passes everything on to `inner` and sends a copy of each indexed page to the
/// indexer of its language, if that language is being indexed.
struct Tee<'a> {
    inner: &'a dyn Sink,
    records: &'a HashMap<String, Record>,
    /// By language: the indexer's queue, if the language is being indexed.
    to: Vec<Option<mpsc::SyncSender<Indexed>>>,
}

impl Tee<'_> {
    /// The record of output `path` and the queue it goes to, if it is indexed now.
    fn route(&self, path: &str) -> Option<(&Record, &mpsc::SyncSender<Indexed>)> {
        let r = self.records.get(path)?;
        Some((r, self.to.get(r.lang)?.as_ref()?))
    }
}

impl Sink for Tee<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        if let Some((r, to)) = self.route(path) {
            let html = String::from_utf8_lossy(&bytes).into_owned();
            // A closed channel means the indexer failed: it reports why.
            let _ = to.send((r.position, r.url.clone(), html));
        }
        self.inner.put(path, bytes)
    }

    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        if self.route(path).is_some() {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            return self.put(path, bytes);
        }
        self.inner.put_with(path, write)
    }
}

/// The search index of a site as `serve` keeps it: one pagefind index per language, filled
/// together and built one after the other.
pub struct SiteIndex {
    pub langs: Vec<SearchIndex>,
}

impl SiteIndex {
    /// Builds every language's index and returns the files of the bundle, sorted by path: each
    /// language's records, and pagefind's browser files and `pagefind-entry.json` once, the
    /// latter listing every language. The indexes stay filled, for `serve` to update.
    ///
    /// One language at a time: pagefind builds an index on all cores already, and building two
    /// at once held both at their peak.
    pub fn files(&mut self) -> Result<Files, Diagnostic> {
        let mut files = BTreeMap::new();
        let mut bundle = Bundle::default();
        for index in &mut self.langs {
            bundle.add(index.files()?, |path, bytes| {
                files.insert(path, bytes);
                Ok(())
            })?;
        }
        files.extend(bundle.entry());
        Ok(files.into_iter().collect())
    }
}

/// The files of every language's index, merged into one bundle as they come.
#[derive(Default)]
struct Bundle {
    /// Paths passed on: pagefind's browser files come with every language, and go once.
    passed: HashSet<String>,
    /// `pagefind-entry.json`, its `languages` the union of every index's.
    entry: Option<serde_json::Value>,
}

impl Bundle {
    /// Passes the files of one language's index to `put`, each file shared by all languages
    /// the first time only, and keeps its `pagefind-entry.json` for [`Bundle::entry`].
    fn add(
        &mut self,
        lang_files: Files,
        mut put: impl FnMut(String, Vec<u8>) -> Result<(), Diagnostic>,
    ) -> Result<(), Diagnostic> {
        for (path, bytes) in lang_files {
            if path != entry_path() {
                if self.passed.insert(path.clone()) {
                    put(path, bytes)?;
                }
                continue;
            }
            let json: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| index_error(format!("pagefind-entry.json does not parse: {e}")))?;
            match &mut self.entry {
                None => self.entry = Some(json),
                Some(all) => {
                    if let (Some(all), Some(these)) = (all["languages"].as_object_mut(), json["languages"].as_object())
                    {
                        all.extend(these.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
            }
        }
        Ok(())
    }

    /// `pagefind-entry.json`, listing every language added.
    fn entry(self) -> Option<(String, Vec<u8>)> {
        Some((entry_path(), serde_json::to_vec(&self.entry?).expect("JSON")))
    }
}

fn entry_path() -> String {
    format!("{BUNDLE_DIR}/pagefind-entry.json")
}

/// Runs `render` into `sink` while one indexing thread per language of `indexes` adds the
/// indexed pages of that language it writes to the language's index (a new one when `None`),
/// and hands the indexes back, filled but not yet built.
///
/// Pages are rendered in parallel, so they arrive in any order; each indexer adds them in the
/// language's fixed order (holding the early ones), since pagefind numbers its records by the
/// order they were added and a build's output must not depend on scheduling.
fn fill(
    records: &HashMap<String, Record>,
    indexes: Vec<(usize, Option<SearchIndex>)>,
    sink: &dyn Sink,
    render: impl FnOnce(&dyn Sink) -> Result<(), Diagnostics>,
) -> Result<Vec<SearchIndex>, Diagnostics> {
    std::thread::scope(|scope| {
        let mut to: Vec<Option<mpsc::SyncSender<Indexed>>> = Vec::new();
        let mut indexers = Vec::new();
        for (lang, index) in indexes {
            let (tx, rx) = mpsc::sync_channel::<Indexed>(QUEUE);
            to.resize_with(to.len().max(lang + 1), || None);
            to[lang] = Some(tx);
            indexers.push(scope.spawn(move || -> Result<SearchIndex, Diagnostic> {
                let mut index = match index {
                    Some(index) => index,
                    None => SearchIndex::new()?,
                };
                let mut pending: BTreeMap<usize, (String, String)> = BTreeMap::new();
                let mut next = 0;
                let mut ready = Vec::with_capacity(CHUNK);
                for (position, url, html) in rx {
                    pending.insert(position, (url, html));
                    // Add what is in order, a chunk at a time. An incremental render sends a
                    // few pages only: they wait for the end, and go in in order then.
                    while let Some(entry) = pending.first_entry() {
                        if *entry.key() != next {
                            break;
                        }
                        ready.push(entry.remove());
                        next += 1;
                    }
                    if ready.len() >= CHUNK {
                        index.add_all(std::mem::take(&mut ready))?;
                    }
                }
                ready.extend(pending.into_values());
                if !ready.is_empty() {
                    index.add_all(ready)?;
                }
                Ok(index)
            }));
        }
        let rendered = render(&Tee { inner: sink, records, to });
        let mut filled = Vec::new();
        let mut failed = Diagnostics::new();
        for indexer in indexers {
            match indexer.join().unwrap_or_else(|_| Err(index_error("the indexing thread panicked".into()))) {
                Ok(index) => filled.push(index),
                Err(d) => failed.push(d),
            }
        }
        rendered?;
        failed.into_result(filled)
    })
}

/// [`fill`] for every language of a site with `langs` languages, into `index` (new indexes when
/// `None`), for `serve`.
fn fill_all(
    records: &HashMap<String, Record>,
    langs: usize,
    index: Option<SiteIndex>,
    sink: &dyn Sink,
    render: impl FnOnce(&dyn Sink) -> Result<(), Diagnostics>,
) -> Result<SiteIndex, Diagnostics> {
    let previous: Vec<Option<SearchIndex>> = match index {
        Some(index) => index.langs.into_iter().map(Some).collect(),
        None => (0..langs).map(|_| None).collect(),
    };
    let langs = fill(records, previous.into_iter().enumerate().collect(), sink, render)?;
    Ok(SiteIndex { langs })
}

/// Renders the whole site into `sink` with its search index, for `digest build`: the pages of
/// [`crate::render::render`], then the bundle.
///
/// Language after language: render it while its index fills, build the index, write its files
/// and let it go, so that one language's index at most is held. A language that fails to
/// render is not indexed; the others still are rendered, so that all problems are reported.
pub fn render_indexed(site: &Site, theme: &crate::load::theme::Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let records = indexed_outputs(site);
    let mut languages = crate::render::Languages::new(site, theme)?;
    let mut bundle = Bundle::default();
    let mut diags = Diagnostics::new();
    for l in 0..site.config.languages.len() {
        let filled = fill(&records, vec![(l, None)], sink, |tee| languages.render(l, tee));
        match filled {
            Ok(indexes) if diags.0.is_empty() => {
                for index in indexes {
                    bundle.add(index.into_files()?, |path, bytes| sink.put(&path, bytes))?;
                }
            }
            Ok(_) => {}
            Err(d) => diags.extend(d),
        }
    }
    diags.0.dedup();
    diags.into_result(())?;
    if let Some((path, bytes)) = bundle.entry() {
        sink.put(&path, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
