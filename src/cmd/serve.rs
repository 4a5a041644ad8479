//! `digest serve`: preview the site at http://127.0.0.1:PORT/, rebuilt and reloaded on every change.

use std::path::Path;

use digest::error::Diagnostics;
use digest::serve::{Options, start};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on, on 127.0.0.1 only
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include draft issues and entries (marked with a "draft" badge)
    #[arg(long)]
    pub drafts: bool,
    /// Serve no search index (saves the memory and processor time of indexing)
    #[arg(long)]
    pub no_search: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let running =
        start(root, &Options { port: args.port, drafts: args.drafts, quiet: false, no_search: args.no_search })?;
    let drafts = if args.drafts { " (drafts included)" } else { "" };
    eprintln!("Serving {} at {}{drafts}", root.display(), running.url());
    eprintln!("Watching config.toml, content/, templates/, static/ and themes/ for changes; press Ctrl-C to stop");
    running.wait();
    Ok(())
}
