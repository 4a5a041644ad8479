//! `digest build`: load, render and publish the site.

use std::path::{Path, PathBuf};
use std::time::Instant;

use digest::build::{Options, build_keeping};
use digest::error::Diagnostics;

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
    /// Skip the search index (pagefind/); the search pages then say it is unavailable
    #[arg(long)]
    pub no_search: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let start = Instant::now();
    let opts = Options {
        output: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        search: !args.no_search,
    };
    let (summary, loaded) = build_keeping(root, &opts)?;
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
    let left = summary.drafts_left_out;
    let drafts: Vec<String> =
        [(left.issues, "draft issue", "draft issues"), (left.entries, "draft entry", "draft entries")]
            .into_iter()
            .filter(|&(n, _, _)| n > 0)
            .map(|(n, one, many)| count(n, one, many))
            .collect();
    if !drafts.is_empty() {
        eprintln!("Left out {}: `digest build --drafts` includes them", drafts.join(" and "));
    }
    // The process ends here: its memory goes back to the system whole.
    std::mem::forget(loaded);
    Ok(())
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
