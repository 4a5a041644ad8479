//! Write stage: publishes rendered files into a fresh sibling folder, then swaps it into place.
//!
//! A failed build never touches the previous output (Zola cleans `public/` first and
//! #1378 wiped a project; we never delete anything we did not write).

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics};
use crate::render::{Sink, Writing};
use std::io::Write;

/// A sink writing files below a folder.
pub struct DirSink {
    pub dir: PathBuf,
}

impl Sink for DirSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        }
        std::fs::write(&target, bytes).map_err(|e| Diagnostic::io(&target, &e))
    }

    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        }
        let file = std::fs::File::create(&target).map_err(|e| Diagnostic::io(&target, &e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.flush().map_err(|e| Diagnostic::io(&target, &e))
    }
}

/// Runs `fill` into a temporary sibling of `out`, and replaces `out` with it only on success.
pub fn publish(
    root: &Path,
    out: &Path,
    fill: impl FnOnce(&DirSink) -> Result<(), Diagnostics>,
) -> Result<(), Diagnostics> {
    check_target(root, out)?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "public".into());
    let tmp = parent.join(format!(".{name}.digest-new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.digest-old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Diagnostic::io(&tmp, &e))?;

    if let Err(d) = fill(&DirSink { dir: tmp.clone() }) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(d);
    }
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            Diagnostic::io(out, &e)
        })?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Diagnostic::io(out, &e).into());
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Refuses output folders whose replacement would lose someone's work.
fn check_target(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_abs, out_abs) = (abs(root), abs(out));
    if root_abs.starts_with(&out_abs) {
        return Err(Diagnostic::file(out, "the output folder contains the site itself")
            .with_hint("choose a separate folder, e.g. --output public"));
    }
    for protected in ["content", "templates", "static", "themes"] {
        if out_abs.starts_with(root_abs.join(protected)) {
            return Err(Diagnostic::file(out, format!("the output folder lies inside {protected}/"))
                .with_hint("choose a separate folder, e.g. --output public"));
        }
    }
    if out.is_file() {
        return Err(
            Diagnostic::file(out, "the output path is a file").with_hint("choose a folder, e.g. --output public")
        );
    }
    if out.is_dir() {
        let mut entries = std::fs::read_dir(out).map_err(|e| Diagnostic::io(out, &e))?;
        let empty = entries.next().is_none();
        if !empty && !out.join("index.html").is_file() {
            return Err(Diagnostic::file(out, "the output folder is not empty and holds no earlier build").with_hint(
                "digest replaces its output folder whole; point --output at an empty or earlier output folder",
            ));
        }
    }
    Ok(())
}
