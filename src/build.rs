//! The build pipeline of `digest build`: load → render (and index, [`crate::search`]) → write, one way.

use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::error::{Diagnostic, Diagnostics};
use crate::images;
use crate::load::theme::Theme;
use crate::load::{LoadOptions, load};
use crate::render::render;
use crate::search::render_indexed;
use crate::site::Site;
use crate::site::sources::{Output, check_output};
use crate::write::publish;

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Output folder; a relative one is taken from the site root.
    pub output: PathBuf,
    /// Publish at this address instead of `base_url`.
    pub base_url: Option<String>,
    /// Include draft issues and entries.
    pub drafts: bool,
    /// Write the search index (`pagefind/`) of the entry and issue pages.
    pub search: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { output: PathBuf::from("public"), base_url: None, drafts: false, search: true }
    }
}

/// What a build produced.
#[derive(Debug)]
pub struct Summary {
    pub issues: usize,
    pub entries: usize,
    pub languages: usize,
    pub warnings: Vec<Diagnostic>,
    /// The drafts left out (none with `--drafts`).
    pub drafts_left_out: crate::site::DraftsLeftOut,
}

/// Builds the site at `root` into `opts.output`.
pub fn build(root: &Path, opts: &Options) -> Result<Summary, Diagnostics> {
    build_keeping(root, opts).map(|(summary, _loaded)| summary)
}

/// The build, handing back the loaded site and theme instead of freeing them: freeing a large
/// site takes tens of milliseconds that a process about to exit need not spend.
pub fn build_keeping(root: &Path, opts: &Options) -> Result<(Summary, (Site, Theme)), Diagnostics> {
    // Before anything is read: an output among the sources would be read back by every later build.
    let out = root.join(&opts.output);
    check_output(root, "--output", Output::Folder, &opts.output, &out)?;
    let load_opts = LoadOptions { drafts: opts.drafts, base_url: opts.base_url.clone() };
    let mut site = load(root, &load_opts)?;
    let theme = Theme::for_site(root, &site.config)?;
    let cache = Cache::open(root);
    site.pictures = images::process(&site, &cache)?;
    publish(&out, |sink| {
        images::write(&site, &cache, sink)?;
        match opts.search {
            true => render_indexed(&site, &theme, sink, &cache).map(drop),
            false => render(&site, &theme, sink),
        }
    })?;
    let summary = Summary {
        issues: site.issues.len(),
        entries: site.entries.len(),
        languages: site.config.languages.len(),
        warnings: std::mem::take(&mut site.warnings),
        drafts_left_out: site.drafts_left_out,
    };
    Ok((summary, (site, theme)))
}
