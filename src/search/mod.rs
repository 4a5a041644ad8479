//! Search stage: a [pagefind](https://pagefind.app) index of the site, a further renderer over
//! `&Site` beside [`crate::render`] (`docs/architecture.md`).
//!
//! The index is made of segments ([`segments`]): one pagefind bundle per language and period
//! (the newest year, and runs of the years before it), each from the records of that period's texts in
//! that language ([`records`]: made from the site's
//! data, each text once, in its own language). A segment whose records did not change is taken
//! from the build cache (`.digest/cache/search/`) byte for byte, so a build indexes only the years
//! that changed, and a warm build writes exactly what a cold one does. The search page loads a
//! language's newest segment and merges the others (`static/search.js`,
//! `docs/templates.md#search`). `digest build` indexes on a thread of its own while the site
//! renders; `serve` keeps the segments on a background thread ([`background`]). Pagefind's API
//! is async; a current-thread Tokio runtime per index drives it.

pub mod background;
pub mod records;
pub mod segments;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::cache::Cache;
use crate::error::{Diagnostic, Diagnostics};
use crate::site::layout;
use crate::site::{LangId, Site};
use crate::write::Sink;
use segments::{Assembly, Segment, assemble_language, make, plan, records_of};

/// Files: a path (relative to the output root, or to a segment's folder) and its contents.
pub type Files = Vec<(String, Vec<u8>)>;

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

    /// Builds the index and returns its files, paths relative to its bundle's folder
    /// (`pagefind.js`, `index/…`). Its records move into the built index rather than being
    /// copied (`vendor/pagefind/DIGEST-PATCH.md`), which halves what a build holds at its peak.
    pub fn into_files(self) -> Result<Files, Diagnostic> {
        let SearchIndex { runtime, index, pool, .. } = self;
        let files = pool.install(|| runtime.block_on(index.get_files_once()));
        Ok(bundle_files(files.map_err(|e| index_error(e.to_string()))?))
    }
}

/// Pagefind's files as paths in their bundle. Pagefind compresses them in parallel on the pool
/// of the thread that asks (`vendor/pagefind/DIGEST-PATCH.md`).
fn bundle_files(files: Vec<pagefind::api::SyntheticFile>) -> Files {
    let files = files.into_iter().map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents));
    files.collect()
}

fn index_error(message: String) -> Diagnostic {
    Diagnostic::file(layout::SEARCH_BUNDLE, format!("search index: {message}"))
        .with_hint("build without the search index with `digest build --no-search`")
}

/// What an indexing did: the segments (`zh/2025`, `zh/2016-2018`) it indexed and those it
/// took from the cache (for tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub built: Vec<String>,
    pub reused: Vec<String>,
}

/// Every file of the search index of `site` (`pagefind/…`), each segment from `cache` when its
/// records did not change, else indexed and cached.
pub fn index(site: &Site, cache: &Cache) -> Result<(Files, Report), Diagnostic> {
    let mut assembly = Assembly::default();
    let mut report = Report::default();
    for l in LangId::all(site.config.languages.len()) {
        let segments = plan(site, l, None, false);
        assemble_language(&mut assembly, &segments, cache, |segment, force| {
            let made = make(segment, cache, force, || Some(records_of(site, segment)))?;
            note(&mut report, segment, made.built);
            Ok(made)
        })?;
    }
    Ok((assembly.finish(), report))
}

fn note(report: &mut Report, segment: &Segment, built: bool) {
    let name = format!("{}/{}", segment.lang, segment.period.name());
    match built {
        true => report.built.push(name),
        false => report.reused.push(name),
    }
}

/// Renders the whole site into `sink` with its search index, for `digest build`: the pages of
/// [`crate::render::render`], and meanwhile, on a thread of its own, the index (which needs the
/// site's data only), written after the pages.
pub fn render_indexed(
    site: &Site,
    theme: &crate::load::theme::Theme,
    sink: &dyn Sink,
    cache: &Cache,
) -> Result<Report, Diagnostics> {
    std::thread::scope(|scope| {
        let indexing = scope.spawn(|| index(site, cache));
        let rendered = crate::render::render(site, theme, sink);
        let indexed = indexing.join().unwrap_or_else(|_| Err(index_error("the indexing thread panicked".into())));
        rendered?;
        let (files, report) = indexed?;
        for (path, bytes) in files {
            sink.put(&path, bytes)?;
        }
        Ok(report)
    })
}

#[cfg(test)]
mod tests;
