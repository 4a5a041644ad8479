//! The site's sources (`config.toml`, `content/`, `templates/`, `static/`, `themes/`) and the
//! one rule every writing command asks: nothing it writes lands among them.
//!
//! Paths are compared as the file system will resolve them (`..` and symbolic links followed),
//! so no spelling of a source folder slips through: a build written into `content/` would be
//! read back as content by every build after it.

use std::path::{Component, Path, PathBuf};

use crate::error::Diagnostic;

/// The source folders of a site, relative to its root; `config.toml` is the other source.
pub const SOURCE_DIRS: [&str; 4] = ["content", "templates", "static", "themes"];

/// `path` (relative to the working folder) made absolute as the file system resolves it: each
/// existing prefix canonicalised (symbolic links followed), `..` and `.` in the part that does
/// not exist yet resolved lexically.
pub fn resolve(path: &Path) -> PathBuf {
    let mut out = match path.is_relative() {
        true => std::env::current_dir().and_then(std::fs::canonicalize).unwrap_or_default(),
        false => PathBuf::new(),
    };
    // Components appended to `out` that do not exist: `..` pops them lexically, and once none
    // is left `out` is canonical again.
    let mut missing = 0usize;
    for c in path.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
                missing = missing.saturating_sub(1);
            }
            Component::Normal(name) => {
                out.push(name);
                match (missing, std::fs::canonicalize(&out)) {
                    (0, Ok(real)) => out = real,
                    _ => missing += 1,
                }
            }
        }
    }
    out
}

/// What an output must stay out of: the site's source folders, its `config.toml`, and the site
/// itself (which no output may contain).
struct Sources {
    root: PathBuf,
    config: PathBuf,
    dirs: Vec<(&'static str, PathBuf)>,
}

impl Sources {
    fn of(root: &Path) -> Sources {
        let root = resolve(root);
        let dirs = SOURCE_DIRS.iter().map(|d| (*d, resolve(&root.join(d)))).collect();
        Sources { config: resolve(&root.join("config.toml")), dirs, root }
    }
}

/// What an output is, for its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A folder replaced whole (`build --output`).
    Folder,
    /// One file (`export --output`).
    File,
}

/// Refuses an output (`option`'s value `given`, as written; `path`, where it is written) that is
/// or lies inside a source folder of the site at `root`, is its `config.toml`, or contains the
/// site or one of its source folders. Returns the resolved output path.
pub fn check_output(root: &Path, option: &str, kind: Output, given: &Path, path: &Path) -> Result<PathBuf, Diagnostic> {
    let out = resolve(path);
    let sources = Sources::of(root);
    let (what, example) = match kind {
        Output::Folder => ("folder", "public"),
        Output::File => ("file", "edition.html"),
    };
    let refuse = |problem: String| {
        Diagnostic::file(given, format!("{option}: the output {what} {problem}")).with_hint(format!(
            "write outside the site's sources (config.toml, {}), e.g. {option} {example}",
            SOURCE_DIRS.map(|d| format!("{d}/")).join(", ")
        ))
    };
    if out == sources.config {
        return Err(refuse("is the site's config.toml".into()));
    }
    if sources.root.starts_with(&out) {
        return Err(refuse("contains the site itself".into()));
    }
    for (name, dir) in &sources.dirs {
        if out.starts_with(dir) {
            let rest = out.strip_prefix(dir).ok().filter(|r| !r.as_os_str().is_empty());
            let at = rest.map_or_else(String::new, |r| format!(" (at {name}/{})", r.display()));
            return Err(refuse(format!(
                "lies inside {name}/{at}, a source folder: every later build would read it back"
            )));
        }
        if dir.starts_with(&out) && kind == Output::Folder {
            return Err(refuse(format!("contains {name}/, a source folder: replacing it would delete the sources")));
        }
    }
    Ok(out)
}

/// Refuses a file `rel` (relative to `root`) that is meant for `content/` but, through a
/// symbolic link on its way, would be written elsewhere: `fetch` writes drafts there and only
/// there.
pub fn check_in_content(root: &Path, rel: &Path) -> Result<(), Diagnostic> {
    let content = resolve(&root.join("content"));
    let at = resolve(&root.join(rel));
    if at.starts_with(&content) && at != content {
        return Ok(());
    }
    Err(Diagnostic::file(rel, format!("would be written outside content/ (at {})", at.display()))
        .with_hint("a symbolic link under content/ leads out of it; fetch writes drafts only inside content/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_follows_links_and_parents_as_the_system_does() {
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(base.join("site/content")).unwrap();
        assert_eq!(resolve(&base.join("site/public/../content/x")), base.join("site/content/x"));
        assert_eq!(resolve(&base.join("site/./a/b/../../content")), base.join("site/content"));
        assert_eq!(resolve(&base.join("site/content/new/deeper")), base.join("site/content/new/deeper"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("site/content"), base.join("link")).unwrap();
            assert_eq!(resolve(&base.join("link/x")), base.join("site/content/x"));
            // `..` after a link leaves the folder the link points at, as the system resolves it.
            assert_eq!(resolve(&base.join("link/../x")), base.join("site/x"));
        }
    }

    #[test]
    fn outputs_among_the_sources_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        let check = |rel: &str| check_output(&root, "--output", Output::Folder, Path::new(rel), &root.join(rel));
        for bad in ["content", "content/x", "themes/t/out", "static/../templates", "config.toml", ".", ".."] {
            assert!(check(bad).is_err(), "{bad}");
        }
        for good in ["public", "out/site", "../elsewhere", "contented"] {
            assert!(check(good).is_ok(), "{good}");
        }
        let err = check("public/../content/x").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "public/../content/x:1:1: error: --output: the output folder lies inside content/ (at content/x)"
            ),
            "{err}"
        );
    }
}
