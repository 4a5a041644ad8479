//! `digest init`: a new, buildable site folder with one example issue in both languages, and a
//! GitHub Pages workflow that builds and publishes it with a released digest.

use std::path::{Path, PathBuf};

use digest::error::Diagnostics;
use digest::scaffold::{InitOptions, WORKFLOW_PATH, init};
use digest::site::config::BUILT_IN_THEMES;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create (relative to --root); it must be empty or not exist yet
    pub dir: PathBuf,
    /// A built-in theme for the site: `default` or `links` (written as `theme` in config.toml)
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(BUILT_IN_THEMES))]
    pub theme: Option<String>,
    /// Leave out the GitHub Pages workflow (.github/workflows/pages.yml)
    #[arg(long)]
    pub no_workflow: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let dir = root.join(&args.dir);
    let options = InitOptions { workflow: !args.no_workflow, theme: args.theme.clone() };
    let files = init(&dir, chrono::Local::now().date_naive(), options.clone())?;
    for f in &files {
        println!("Created {}", dir.join(f).display());
    }
    println!(
        "Build it with `digest --root {} build`, check it with `digest --root {} check`.",
        dir.display(),
        dir.display()
    );
    if options.workflow {
        println!(
            "Push it to a GitHub repository whose Pages source is \"GitHub Actions\" (Settings → Pages), \
             and {WORKFLOW_PATH} publishes it on every push to main."
        );
    }
    Ok(())
}
