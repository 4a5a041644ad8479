//! Load stage: `config.toml` and `content/` → an immutable [`Site`], every reference resolved.
//!
//! The walk lists the files ([`walk`]), each file is parsed and its Markdown rendered in
//! parallel ([`parse`]), and the results are assembled in a fixed order ([`assemble`]). The
//! theme's templates are loaded here too ([`theme`]).

pub(crate) mod assemble;
pub mod frontmatter;
pub mod markdown;
pub(crate) mod parse;
pub mod theme;
pub mod update;
pub(crate) mod walk;

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::site::config::Config;
use crate::site::{Site, TopicId};
use parse::Parsed;

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep draft entries and issues (they are dropped otherwise).
    pub drafts: bool,
    /// Replaces `base_url` of the configuration.
    pub base_url: Option<String>,
}

/// Loads the site at `root`: configuration and content. Reports every problem found.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Site, Diagnostics> {
    load_with_config(root, config(root, opts)?, opts)
}

/// The configuration of the site at `root`, with `base_url` replaced as `opts` asks.
fn config(root: &Path, opts: &LoadOptions) -> Result<Config, Diagnostics> {
    let mut config = Config::load(root).map_err(|d| d.relative_to(root))?;
    if let Some(url) = &opts.base_url {
        config.set_base_url(url).map_err(|m| Diagnostic::file("config.toml", m))?;
    }
    Ok(config)
}

/// Loads the content of the site at `root` with an already loaded configuration.
pub fn load_with_config(root: &Path, config: Config, opts: &LoadOptions) -> Result<Site, Diagnostics> {
    let (site, diags, _) = load_parts(root, config, opts);
    if diags.has_errors() { Err(diags.sorted()) } else { Ok(site) }
}

/// A site loaded as far as it goes, for `check`: every problem, and the site made of the files
/// that loaded (none when `config.toml` does not).
pub struct Partial {
    pub site: Option<Site>,
    pub diagnostics: Diagnostics,
    /// The content files that failed to load and were left out.
    pub left_out: Vec<LeftOut>,
}

/// A content file left out of a [`Partial`] site: what it would have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub issue: String,
    /// The entry's topic key and slug; `None` for an issue's `_index` file.
    pub entry: Option<(String, String)>,
}

/// Loads the site at `root`, leaving out the content files that fail, so that everything else
/// can still be checked in the same run.
pub fn load_partial(root: &Path, opts: &LoadOptions) -> Partial {
    let config = match config(root, opts) {
        Ok(c) => c,
        Err(diagnostics) => return Partial { site: None, diagnostics, left_out: Vec::new() },
    };
    let (site, diagnostics, failed) = load_parts(root, config, opts);
    let left_out = failed
        .into_iter()
        .map(|f| LeftOut {
            entry: f.topic.map(|t| (site.config.topics[t].key.clone(), f.slug.clone())),
            issue: f.issue,
        })
        .collect();
    Partial { site: Some(site), diagnostics: diagnostics.sorted(), left_out }
}

/// The site from every file that loads, the problems found, and the files that failed.
fn load_parts(root: &Path, mut config: Config, opts: &LoadOptions) -> (Site, Diagnostics, Vec<walk::FoundFile>) {
    if let Ok(rel) = config.path.strip_prefix(root) {
        config.path = rel.to_path_buf();
    }
    let mut diags = Diagnostics::new();
    let files = walk::walk(root, &config, &mut diags);

    // Parse and render every file in parallel; assemble in a fixed order afterwards.
    let parsed: Vec<Result<Parsed, Diagnostic>> =
        files.entries.par_iter().map(|f| parse::parse_file(root, &config, f)).collect();
    let mut issue_files: assemble::IssueFiles = BTreeMap::new();
    let mut entry_files: assemble::EntryFiles = BTreeMap::new();
    let mut failed = Vec::new();
    for (file, result) in files.entries.into_iter().zip(parsed) {
        match result {
            Ok(Parsed::Issue(p)) => {
                issue_files.entry(file.issue.clone()).or_default().insert(file.lang.clone(), *p);
            }
            Ok(Parsed::Entry(p)) => {
                let key = (file.issue.clone(), file.topic.unwrap_or(TopicId(0)), file.slug.clone());
                entry_files.entry(key).or_default().insert(file.lang.clone(), p);
            }
            Err(d) => {
                diags.push(d);
                failed.push(file);
            }
        }
    }
    let site = assemble::assemble(root, config, opts, issue_files, entry_files, files.assets, &mut diags);
    (site, diags, failed)
}
