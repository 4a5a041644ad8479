//! Serve stage: watches a site's sources and reports changes in debounced batches.
//!
//! Only `config.toml`, `content/`, `templates/`, `static/` and `themes/` are watched, each folder
//! recursively: watching the whole root would also watch `public/`, `.git/` or `target/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::EventKind;
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::error::Diagnostic;

/// The folders whose changes trigger a rebuild: the site's sources.
pub use crate::site::sources::SOURCE_DIRS;

/// How long the files must be quiet before a batch is reported: editors save in several steps.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// A batch is reported after this long even if changes keep coming.
const MAX_DELAY: Duration = Duration::from_secs(2);

/// How often the watcher thread looks at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// A running watcher; dropping it stops the watch.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type NotifyResult = notify::Result<notify::Event>;

/// Watches the sources of the site at `root` and calls `on_change` with the changed paths
/// (relative to `root`) after each quiet period, on the watcher's own thread.
pub fn watch(root: &Path, mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static) -> Result<Watcher, Diagnostic> {
    // Some platforms report canonical paths; compare against the canonical root.
    let root = std::fs::canonicalize(root).map_err(|e| Diagnostic::io(root, &e))?;
    let (tx, rx) = channel::<NotifyResult>();
    let mut watcher = RecommendedWatcher::new(tx, notify::Config::default()).map_err(|e| watch_error(&root, &e))?;
    // The root itself, not recursively: `config.toml`, and source folders created later.
    watcher.watch(&root, RecursiveMode::NonRecursive).map_err(|e| watch_error(&root, &e))?;
    for dir in SOURCE_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive).map_err(|e| watch_error(&path, &e))?;
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let thread_stop = stop.clone();
    let thread = std::thread::Builder::new()
        .name("digest-watch".into())
        .spawn(move || {
            while let Some(changed) = next_batch(&root, &rx, &thread_stop) {
                // A source folder that appeared (or was replaced) needs a watch of its own.
                for dir in SOURCE_DIRS {
                    if changed.iter().any(|p| p == Path::new(dir)) && root.join(dir).is_dir() {
                        let _ = watcher.watch(&root.join(dir), RecursiveMode::Recursive);
                    }
                }
                on_change(changed);
            }
        })
        .map_err(|e| Diagnostic::io(Path::new("."), &e))?;
    Ok(Watcher { stop, thread: Some(thread) })
}

/// Waits for a change, then for the files to be quiet; `None` once stopped.
fn next_batch(root: &Path, rx: &Receiver<NotifyResult>, stop: &AtomicBool) -> Option<Vec<PathBuf>> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut first: Option<Instant> = None;
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        let wait = if first.is_some() { DEBOUNCE } else { POLL };
        match rx.recv_timeout(wait) {
            Ok(event) => {
                let paths = relevant(root, event);
                if !paths.is_empty() {
                    first.get_or_insert_with(Instant::now);
                    changed.extend(paths);
                }
                if first.is_none_or(|t| t.elapsed() < MAX_DELAY) {
                    continue;
                }
            }
            Err(RecvTimeoutError::Timeout) if first.is_none() => continue,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
        changed.sort();
        changed.dedup();
        return Some(changed);
    }
}

fn watch_error(path: &Path, err: &notify::Error) -> Diagnostic {
    Diagnostic::file(path, format!("cannot watch for changes: {err}"))
        .with_hint("on Linux, raise fs.inotify.max_user_watches if the limit was reached")
}

/// The paths of an event that matter to the site, relative to `root`. Reads are no change: the
/// build itself opens every file, and reporting that would rebuild forever.
fn relevant(root: &Path, event: NotifyResult) -> Vec<PathBuf> {
    let Ok(event) = event else {
        return Vec::new();
    };
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    event
        .paths
        .iter()
        .filter_map(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|p| is_source(p))
        .collect()
}

/// Whether a path relative to the root is a source of the site (hidden files and editor backups are not).
pub fn is_source(rel: &Path) -> bool {
    let names: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let Some(first) = names.first() else {
        return false;
    };
    let top = first == "config.toml" && names.len() == 1 || SOURCE_DIRS.contains(&first.as_str());
    top && !names.iter().any(|n| n.starts_with('.') || n.ends_with('~') || n.ends_with(".swp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_config_and_the_source_folders() {
        for p in [
            "config.toml",
            "content",
            "content/2025-11/news/a.md",
            "templates/base.html",
            "static/x.css",
            "themes/t/templates/a.html",
        ] {
            assert!(is_source(Path::new(p)), "{p}");
        }
        for p in [
            "public/index.html",
            "target/debug/x",
            "README.md",
            "content/.a.md.swp",
            "content/a.md~",
            ".git/HEAD",
            "content/x/config.toml.swp",
            "",
        ] {
            assert!(!is_source(Path::new(p)), "{p}");
        }
    }
}
