//! `digest init`: a new, buildable site folder with one example issue in both languages.

use std::path::{Path, PathBuf};

use digest::error::Diagnostics;
use digest::scaffold::init;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create (relative to --root); it must be empty or not exist yet
    pub dir: PathBuf,
}

pub fn run(root: &Path, args: &Args) -> Result<(), Diagnostics> {
    let dir = root.join(&args.dir);
    let files = init(&dir, chrono::Local::now().date_naive())?;
    for f in &files {
        println!("Created {}", dir.join(f).display());
    }
    println!(
        "Build it with `digest --root {} build`, check it with `digest --root {} check`.",
        dir.display(),
        dir.display()
    );
    Ok(())
}
