//! `digest build`: load, render and publish the site.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::Diagnostics;
use crate::load::{LoadOptions, load};
use crate::output::publish;
use crate::render::render;
use crate::site::Site;
use crate::theme::Theme;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder, relative to the site root
    #[arg(long, default_value = "public")]
    pub output: PathBuf,
    /// Publish at this address instead of `base_url`
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include draft issues and entries
    #[arg(long)]
    pub drafts: bool,
}

/// What a build produced.
#[derive(Debug)]
pub struct Summary {
    pub issues: usize,
    pub entries: usize,
    pub languages: usize,
    pub warnings: Vec<crate::error::Diagnostic>,
}

/// Builds the site at `root` into `args.output` (relative paths are taken from `root`).
pub fn build(root: &Path, args: &Args) -> Result<Summary, Diagnostics> {
    build_keeping(root, args).map(|(summary, _loaded)| summary)
}

/// The build, handing back the loaded site and theme instead of freeing them: freeing a large
/// site takes tens of milliseconds that a process about to exit need not spend.
fn build_keeping(root: &Path, args: &Args) -> Result<(Summary, (Site, Theme)), Diagnostics> {
    let opts = LoadOptions { drafts: args.drafts, base_url: args.base_url.clone() };
    let mut site = load(root, &opts)?;
    let theme = Theme::load(root, site.config.theme.as_deref())?;
    let out = root.join(&args.output);
    publish(root, &out, |sink| render(&site, &theme, sink))?;
    let summary = Summary {
        issues: site.issues.len(),
        entries: site.entries.len(),
        languages: site.config.languages.len(),
        warnings: std::mem::take(&mut site.warnings),
    };
    Ok((summary, (site, theme)))
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let start = Instant::now();
    let (summary, loaded) = build_keeping(root, args)?;
    for w in &summary.warnings {
        eprintln!("{w}");
    }
    eprintln!(
        "Built {} and {} in {} into {} in {} ms",
        count(summary.issues, "issue", "issues"),
        count(summary.entries, "entry", "entries"),
        count(summary.languages, "language", "languages"),
        root.join(&args.output).display(),
        start.elapsed().as_millis()
    );
    // The process ends here: its memory goes back to the system whole.
    std::mem::forget(loaded);
    Ok(())
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
