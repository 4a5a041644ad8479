//! `digest new`: scaffold an issue or an entry, never overwriting a file.

use std::path::Path;

use digest::error::Diagnostics;
use digest::scaffold::{new_entry, new_issue};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Create content/YYYY-MM/ with the issue's _index file in every language (a draft)
    Issue {
        /// The issue's month, YYYY-MM
        month: String,
    },
    /// Create content/YYYY-MM/TOPIC/SLUG.md, or with --lang its translation SLUG.<lang>.md
    Entry {
        /// The issue's month, YYYY-MM (the issue must exist)
        month: String,
        /// A topic key of config.toml, e.g. releases
        topic: String,
        /// The file name and URL segment: letters, digits and hyphens, e.g. gateway-api-1-4
        slug: String,
        /// Create the translation into this (non-default) language
        #[arg(long)]
        lang: Option<String>,
    },
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let created = match &args.what {
        What::Issue { month } => new_issue(root, month)?,
        What::Entry { month, topic, slug, lang } => vec![new_entry(root, month, topic, slug, lang.as_deref())?],
    };
    for path in created {
        println!("Created {}", path.display());
    }
    Ok(())
}
