//! `digest init`: a new, buildable site folder with one example issue in both languages.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::cmd::new::{last_day_of_month, write_new};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::scaffold;

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

/// Creates a site in `dir` whose example issue is the month of `today`; returns the files
/// written, relative to `dir`.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>, Diagnostics> {
    if dir.is_file() {
        return Err(Diagnostic::file(dir, "a file of this name exists").with_hint("choose a new folder name").into());
    }
    if dir.is_dir() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Diagnostic::io(dir, &e))?;
        if entries.next().is_some() {
            return Err(Diagnostic::file(dir, "the folder is not empty; digest init only fills an empty folder")
                .with_hint("choose a new folder name, or empty the folder first")
                .into());
        }
    }
    let config = Config::parse(Path::new("config.toml"), scaffold::CONFIG)?;
    let key = format!("{:04}-{:02}", today.year(), today.month());
    let issue = Path::new("content").join(&key);
    let entry = issue.join("news");
    let default = config.default_language().to_string();
    let date = last_day_of_month(today.year(), today.month());

    let mut files: Vec<(PathBuf, String)> = vec![
        ("config.toml".into(), scaffold::CONFIG.to_string()),
        (".gitignore".into(), scaffold::GITIGNORE.to_string()),
        (issue.join("_index.md"), scaffold::example_issue(&config, &key, &default, date)),
        (entry.join("hello-digest.md"), scaffold::example_entry(&default, today)),
    ];
    for lang in config.languages.iter().filter(|l| l.code != default) {
        let code = &lang.code;
        files.push((issue.join(format!("_index.{code}.md")), scaffold::example_issue_translation(&config, &key, code)));
        files.push((entry.join(format!("hello-digest.{code}.md")), scaffold::example_entry_translation(code)));
    }
    for (path, text) in &files {
        write_new(dir, path, text).map_err(|mut d| {
            d.path = dir.join(&d.path);
            d
        })?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
