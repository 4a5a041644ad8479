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
//! same sink as every other output, under [`Address::SearchBundle`].
//!
//! Each language has a pagefind index of its own ([`SearchIndex`]), filled by an indexing thread
//! while that language renders (it hands pagefind a chunk of pages at a time, which pagefind
//! parses on all cores). A build renders a language, builds its index, writes its files and
//! lets it go before the next language, so that one language's index at most is held
//! (`docs/performance.md`, "Build memory"). `serve` indexes its outputs the
//! same way, on a thread of its own ([`background`]). Their files make one bundle (the records
//! are named by language, and `pagefind-entry.json` lists every language). Pagefind's API is
//! async; a current-thread Tokio runtime per index drives it.

pub mod background;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Diagnostic, Diagnostics};
use crate::render::Output;
use crate::render::batch::issue_pages;
use crate::site::layout::{self, Address};
use crate::site::{IssueId, LangId, Site};
use crate::write::{Sink, Writing};

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
    /// (`pagefind/pagefind.js`, …). Its records move into the built index rather than being
    /// copied (`vendor/pagefind/DIGEST-PATCH.md`), which halves what a build holds at its peak.
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
        (layout::bundle_file(&name), f.contents)
    });
    files.collect()
}

fn index_error(message: String) -> Diagnostic {
    Diagnostic::file(layout::SEARCH_BUNDLE, format!("search index: {message}"))
        .with_hint("build without the search index with `digest build --no-search`")
}

/// The address of `page` if it goes into the search index: entry pages and issue pages.
pub fn indexed_address(site: &Site, page: Output) -> Option<Address<'_>> {
    match page {
        Output::Entry(..) | Output::Issue(..) => page.address(site),
        _ => None,
    }
}

/// Where an indexed page goes: its language, its place in the language's fixed order (issue
/// after issue, each followed by its entries, the order a build renders them in:
/// [`crate::render::batch::issue_pages`]) and its URL.
#[derive(Debug, Clone)]
pub struct Record {
    pub lang: LangId,
    pub position: usize,
    pub url: String,
}

/// Output path → [`Record`] of every page that goes into the index, in every language.
pub fn indexed_outputs(site: &Site) -> HashMap<String, Record> {
    let c = &site.config;
    let mut records = HashMap::with_capacity(c.languages.len() * (site.issues.len() + site.entries.len()));
    for (l, lang) in c.languages.iter_enumerated() {
        let pages = IssueId::all(site.issues.len()).flat_map(|i| issue_pages(site, l, i));
        let indexed = pages.filter_map(|page| Some((page, indexed_address(site, page)?)));
        for (position, (page, address)) in indexed.enumerate() {
            for output in page.outputs(site) {
                records.insert(output, Record { lang: l, position, url: c.href(&lang.code, address) });
            }
        }
    }
    records
}

/// Position in a language's order, URL, HTML: a page on its way to its language's indexer.
type Indexed = (usize, String, String);

/// A sink that passes everything on to `inner` and sends a copy of each indexed page of
/// language `lang` to its indexer.
struct Tee<'a> {
    inner: &'a dyn Sink,
    records: &'a HashMap<String, Record>,
    lang: LangId,
    to: mpsc::SyncSender<Indexed>,
}

impl Tee<'_> {
    /// The record of output `path`, if it goes to this indexer.
    fn route(&self, path: &str) -> Option<&Record> {
        self.records.get(path).filter(|r| r.lang == self.lang)
    }
}

impl Sink for Tee<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        if let Some(r) = self.route(path) {
            let html = String::from_utf8_lossy(&bytes).into_owned();
            // A closed channel means the indexer failed: it reports why.
            let _ = self.to.send((r.position, r.url.clone(), html));
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
                .map_err(|e| index_error(format!("{} does not parse: {e}", layout::BUNDLE_ENTRY)))?;
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
    layout::bundle_file(layout::BUNDLE_ENTRY)
}

/// The files of language `l`'s index, filled from the pages of that language `render` writes
/// into the sink it is given (which passes everything on to `sink`), then built once.
///
/// An indexing thread adds the pages while `render` goes on. Pages are rendered in parallel,
/// so they arrive in any order; the indexer adds them in the language's fixed order (holding
/// the early ones), since pagefind numbers its records by the order they were added and a
/// build's output must not depend on scheduling.
fn language_files(
    records: &HashMap<String, Record>,
    l: LangId,
    sink: &dyn Sink,
    render: impl FnOnce(&dyn Sink) -> Result<(), Diagnostics>,
) -> Result<Files, Diagnostics> {
    std::thread::scope(|scope| {
        let (to, rx) = mpsc::sync_channel::<Indexed>(QUEUE);
        let indexer = scope.spawn(move || -> Result<SearchIndex, Diagnostic> {
            let mut index = SearchIndex::new()?;
            let mut pending: BTreeMap<usize, (String, String)> = BTreeMap::new();
            let mut next = 0;
            let mut ready = Vec::with_capacity(CHUNK);
            for (position, url, html) in rx {
                pending.insert(position, (url, html));
                // Add what is in order, a chunk at a time.
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
            // Pages missing from the order (none in a whole render) leave gaps: the rest go
            // in in order.
            ready.extend(pending.into_values());
            if !ready.is_empty() {
                index.add_all(ready)?;
            }
            Ok(index)
        });
        let rendered = render(&Tee { inner: sink, records, lang: l, to });
        let filled = indexer.join().unwrap_or_else(|_| Err(index_error("the indexing thread panicked".into())));
        rendered?;
        Ok(filled?.into_files()?)
    })
}

/// Renders the whole site into `sink` with its search index, for `digest build`: the pages of
/// [`crate::render::render`], then the bundle.
///
/// Language after language: render it while its index fills, build the index, write its files
/// and let it go, so that one language's index at most is held. A language that fails to
/// render is not indexed; the others still are rendered, so that all problems are reported.
pub fn render_indexed(site: &Site, theme: &crate::load::theme::Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let records = indexed_outputs(site);
    let mut languages = crate::render::LanguageRenderer::new(site, theme)?;
    let mut bundle = Bundle::default();
    let mut diags = Diagnostics::new();
    for l in LangId::all(site.config.languages.len()) {
        match language_files(&records, l, sink, |tee| languages.render(l, tee)) {
            Ok(files) if diags.0.is_empty() => bundle.add(files, |path, bytes| sink.put(&path, bytes))?,
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
