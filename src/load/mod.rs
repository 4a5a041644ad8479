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
    let mut config = Config::load(root).map_err(|d| d.relative_to(root))?;
    if let Some(url) = &opts.base_url {
        config.set_base_url(url).map_err(|m| Diagnostic::file("config.toml", m))?;
    }
    load_with_config(root, config, opts)
}

/// Loads the content of the site at `root` with an already loaded configuration.
pub fn load_with_config(root: &Path, mut config: Config, opts: &LoadOptions) -> Result<Site, Diagnostics> {
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
    for (file, result) in files.entries.iter().zip(parsed) {
        match result {
            Ok(Parsed::Issue(p)) => {
                issue_files.entry(file.issue.clone()).or_default().insert(file.lang.clone(), *p);
            }
            Ok(Parsed::Entry(p)) => {
                let key = (file.issue.clone(), file.topic.unwrap_or(TopicId(0)), file.slug.clone());
                entry_files.entry(key).or_default().insert(file.lang.clone(), p);
            }
            Err(d) => diags.push(d),
        }
    }
    let site = assemble::assemble(root, config, opts, issue_files, entry_files, files.assets, &mut diags);
    if diags.has_errors() { Err(diags.sorted()) } else { Ok(site) }
}
