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
//! Each language has a pagefind index of its own ([`SiteIndex`]), filled by an indexing thread
//! of its own while the site renders (pagefind handles one page at a time), then built one
//! after the other. Their files make one bundle (the records are named by language, and
//! `pagefind-entry.json` lists every language). Pagefind's API is async; a current-thread Tokio
//! runtime per index drives it.

pub mod background;

use std::collections::{BTreeMap, HashMap};
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

/// A pagefind index being filled, with the runtime that drives it.
pub struct SearchIndex {
    runtime: tokio::runtime::Runtime,
    index: PagefindIndex,
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
        Ok(SearchIndex { runtime, index, added: 0 })
    }

    /// Adds (or, for a URL added before, replaces) the record of one rendered page.
    pub fn add(&mut self, url: &str, html: String) -> Result<(), Diagnostic> {
        let added = self.runtime.block_on(self.index.add_html_file(None, Some(url.to_string()), html));
        added.map_err(|e| index_error(format!("cannot index {url}: {e}")))?;
        self.added += 1;
        Ok(())
    }

    /// Builds the index and returns its files, paths relative to the output root
    /// (`pagefind/pagefind.js`, …).
    pub fn files(&mut self) -> Result<Files, Diagnostic> {
        let files = self.runtime.block_on(self.index.get_files()).map_err(|e| index_error(e.to_string()))?;
        let files = files.into_iter().map(|f| {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            (format!("{BUNDLE_DIR}/{name}"), f.contents)
        });
        Ok(files.collect())
    }
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

/// A sink that passes everything on to `inner` and sends a copy of each indexed page to the
/// indexer of its language.
pub struct Tee<'a> {
    pub inner: &'a dyn Sink,
    pub records: &'a HashMap<String, Record>,
    /// Per language: position in the language's order, URL, HTML.
    pub to: Vec<mpsc::SyncSender<(usize, String, String)>>,
}

impl Sink for Tee<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        if let Some(r) = self.records.get(path) {
            let html = String::from_utf8_lossy(&bytes).into_owned();
            // A closed channel means the indexer failed: it reports why.
            let _ = self.to[r.lang].send((r.position, r.url.clone(), html));
        }
        self.inner.put(path, bytes)
    }

    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        if self.records.contains_key(path) {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            return self.put(path, bytes);
        }
        self.inner.put_with(path, write)
    }
}

/// The search index of a site: one pagefind index per language, filled in parallel (pagefind
/// indexes one page at a time), built one language after the other, written as one bundle.
pub struct SiteIndex {
    pub langs: Vec<SearchIndex>,
}

impl SiteIndex {
    /// Builds every language's index and returns the files of the bundle, sorted by path: each
    /// language's records, and pagefind's browser files and `pagefind-entry.json` once, the
    /// latter listing every language. The indexes stay filled, for `serve` to update.
    ///
    /// One language at a time: pagefind builds an index on all cores already, and building two
    /// at once held both at their peak (on the links archive, most of the build's memory).
    pub fn files(&mut self) -> Result<Files, Diagnostic> {
        let mut bundle = Bundle::default();
        for index in &mut self.langs {
            bundle.add(index.files()?)?;
        }
        Ok(bundle.finish())
    }

    /// Builds the index and writes its files into `sink`, letting each language's records go
    /// once its files are built (for `digest build`, which does not update the index).
    pub fn write(self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let mut bundle = Bundle::default();
        for mut index in self.langs {
            bundle.add(index.files()?)?;
        }
        for (path, bytes) in bundle.finish() {
            sink.put(&path, bytes)?;
        }
        Ok(())
    }
}

/// The files of every language's index, merged into one bundle.
#[derive(Default)]
struct Bundle {
    files: BTreeMap<String, Vec<u8>>,
    /// `pagefind-entry.json`, its `languages` the union of every index's.
    entry: Option<serde_json::Value>,
}

impl Bundle {
    fn add(&mut self, lang_files: Files) -> Result<(), Diagnostic> {
        for (path, bytes) in lang_files {
            if path != entry_path() {
                self.files.entry(path).or_insert(bytes);
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

    fn finish(mut self) -> Files {
        if let Some(entry) = self.entry {
            self.files.insert(entry_path(), serde_json::to_vec(&entry).expect("JSON"));
        }
        self.files.into_iter().collect()
    }
}

fn entry_path() -> String {
    format!("{BUNDLE_DIR}/pagefind-entry.json")
}

/// Runs `render` into `sink` while one indexing thread per language adds the indexed pages it
/// writes to that language's index (new ones when `index` is `None`), and hands the index
/// back, filled but not yet built.
///
/// Pages are rendered in parallel, so they arrive in any order; each indexer adds them in the
/// language's fixed order (holding the early ones), since pagefind numbers its records by the
/// order they were added and a build's output must not depend on scheduling.
pub fn index_while(
    site: &Site,
    index: Option<SiteIndex>,
    sink: &dyn Sink,
    render: impl FnOnce(&dyn Sink) -> Result<(), Diagnostics>,
) -> Result<SiteIndex, Diagnostics> {
    fill(&indexed_outputs(site), site.config.languages.len(), index, sink, render)
}

/// [`index_while`] for the `records` of a site with `langs` languages.
fn fill(
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
    std::thread::scope(|scope| {
        let mut to = Vec::new();
        let mut indexers = Vec::new();
        for index in previous {
            let (tx, rx) = mpsc::sync_channel::<(usize, String, String)>(QUEUE);
            to.push(tx);
            indexers.push(scope.spawn(move || -> Result<SearchIndex, Diagnostic> {
                let mut index = match index {
                    Some(index) => index,
                    None => SearchIndex::new()?,
                };
                let mut pending: BTreeMap<usize, (String, String)> = BTreeMap::new();
                let mut next = 0;
                for (position, url, html) in rx {
                    pending.insert(position, (url, html));
                    // Add what is in order. An incremental render sends a few pages only: they
                    // wait for the end, and go in in order then.
                    while let Some(entry) = pending.first_entry() {
                        if *entry.key() != next {
                            break;
                        }
                        let (url, html) = entry.remove();
                        index.add(&url, html)?;
                        next += 1;
                    }
                }
                for (_, (url, html)) in pending {
                    index.add(&url, html)?;
                }
                Ok(index)
            }));
        }
        let rendered = render(&Tee { inner: sink, records, to });
        let mut langs = Vec::new();
        let mut failed = Diagnostics::new();
        for indexer in indexers {
            match indexer.join().unwrap_or_else(|_| Err(index_error("the indexing thread panicked".into()))) {
                Ok(index) => langs.push(index),
                Err(d) => failed.push(d),
            }
        }
        rendered?;
        failed.into_result(SiteIndex { langs })
    })
}

/// Renders the whole site into `sink` with its search index ([`crate::render::render`] with
/// the index written after the pages), for `digest build`.
pub fn render_indexed(site: &Site, theme: &crate::load::theme::Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let index = index_while(site, None, sink, |tee| crate::render::render(site, theme, tee))?;
    index.write(sink)?;
    Ok(())
}

#[cfg(test)]
mod tests;
