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
//! Pagefind's API is async; a current-thread Tokio runtime drives it on an indexing thread of
//! its own, so that a build indexes while it renders.

use std::collections::HashMap;
use std::sync::mpsc;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Diagnostic, Diagnostics};
use crate::render::Page;
use crate::site::Site;
use crate::write::{Sink, Writing};

/// The folder of the search bundle in the output, below the site's base path.
pub const BUNDLE_DIR: &str = "pagefind";

/// Pages waiting for the indexing thread; a bound keeps a fast render from holding every page.
const QUEUE: usize = 256;

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
    /// (`pagefind/pagefind.js`, …), sorted by path.
    pub fn files(&mut self) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let files = self.runtime.block_on(self.index.get_files()).map_err(|e| index_error(e.to_string()))?;
        let mut files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                (format!("{BUNDLE_DIR}/{name}"), f.contents)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    }

    /// Builds the index and writes its files into `sink`.
    pub fn write(&mut self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        for (path, bytes) in self.files()? {
            sink.put(&path, bytes)?;
        }
        Ok(())
    }
}

fn index_error(message: String) -> Diagnostic {
    Diagnostic::file(BUNDLE_DIR, format!("search index: {message}"))
        .with_hint("build without the search index with `digest build --no-search`")
}

/// Whether `page` goes into the search index: entry pages and issue pages.
pub fn is_indexed(page: Page) -> bool {
    matches!(page, Page::Entry(..) | Page::Issue(..))
}

/// Output path → URL of every page that goes into the index, in every language.
pub fn indexed_outputs(site: &Site) -> HashMap<String, String> {
    let c = &site.config;
    let mut urls = HashMap::with_capacity(c.languages.len() * (site.issues.len() + site.entries.len()));
    for (l, lang) in c.languages.iter().enumerate() {
        let issues = site.issues.iter().enumerate().map(|(i, issue)| (Page::Issue(l, i), issue.path()));
        let entries = site.entries.iter().enumerate().map(|(e, entry)| (Page::Entry(l, e), entry.path(site)));
        for (page, path) in issues.chain(entries) {
            for output in page.outputs(site) {
                urls.insert(output, c.href(&lang.code, &path));
            }
        }
    }
    urls
}

/// A sink that passes everything on to `inner` and sends a copy of the indexed pages, with
/// their URLs, to an indexer.
pub struct Tee<'a> {
    pub inner: &'a dyn Sink,
    /// Output path → URL of the pages to copy.
    pub urls: &'a HashMap<String, String>,
    pub to: mpsc::SyncSender<(String, String)>,
}

impl Sink for Tee<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        if let Some(url) = self.urls.get(path) {
            let html = String::from_utf8_lossy(&bytes).into_owned();
            // A closed channel means the indexer failed: it reports why.
            let _ = self.to.send((url.clone(), html));
        }
        self.inner.put(path, bytes)
    }

    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        if self.urls.contains_key(path) {
            let mut bytes = Vec::new();
            write(&mut bytes)?;
            return self.put(path, bytes);
        }
        self.inner.put_with(path, write)
    }
}

/// Runs `render` into `sink` while an indexing thread adds every indexed page it writes to
/// `index` (a new one when `None`), and hands the index back, filled but not yet written.
pub fn index_while(
    site: &Site,
    index: Option<SearchIndex>,
    sink: &dyn Sink,
    render: impl FnOnce(&dyn Sink) -> Result<(), Diagnostics>,
) -> Result<SearchIndex, Diagnostics> {
    let urls = indexed_outputs(site);
    let (to, from) = mpsc::sync_channel::<(String, String)>(QUEUE);
    std::thread::scope(|scope| {
        let indexer = scope.spawn(move || -> Result<SearchIndex, Diagnostic> {
            let mut index = match index {
                Some(index) => index,
                None => SearchIndex::new()?,
            };
            for (url, html) in from {
                index.add(&url, html)?;
            }
            Ok(index)
        });
        let rendered = render(&Tee { inner: sink, urls: &urls, to });
        let index = indexer.join().unwrap_or_else(|_| Err(index_error("the indexing thread panicked".into())));
        rendered?;
        Ok(index?)
    })
}

/// Renders the whole site into `sink` with its search index ([`crate::render::render`] with
/// the index written after the pages), for `digest build`.
pub fn render_indexed(site: &Site, theme: &crate::load::theme::Theme, sink: &dyn Sink) -> Result<(), Diagnostics> {
    let mut index = index_while(site, None, sink, |tee| crate::render::render(site, theme, tee))?;
    index.write(sink)?;
    Ok(())
}

#[cfg(test)]
mod tests;
