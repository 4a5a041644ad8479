//! Write stage: every [`Sink`] rendered files go to, and the atomic publish of a build: a
//! fresh sibling folder swapped into place. Also the one way new source files are created.
//!
//! A failed build never touches the previous output (Zola cleans `public/` first and
//! #1378 wiped a project; we never delete anything we did not write).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Diagnostic, Diagnostics};

/// Where rendered files go: a folder for `build`, memory for `serve`, `check` and tests.
pub trait Sink: Sync {
    /// Stores one output file; `path` is relative to the output root, with `/` separators.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic>;

    /// Stores one output file that `write` produces piece by piece. Sinks that can stream (to
    /// disk) override this, so that a large feed never sits in memory whole.
    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.put(path, bytes)
    }

    /// Stores one output file with the contents of file `from`, which must stay as it is (a
    /// file of the build cache). Sinks writing to disk link it rather than copy it.
    fn put_file(&self, path: &str, from: &Path) -> Result<(), Diagnostic> {
        let bytes = std::fs::read(from).map_err(|e| Diagnostic::io(from, &e))?;
        self.put(path, bytes)
    }
}

/// Produces the contents of one output file into a writer (see [`Sink::put_with`]).
pub type Writing<'a> = dyn FnMut(&mut dyn std::io::Write) -> Result<(), Diagnostic> + 'a;

/// A sink keeping every output in memory, sorted by path.
#[derive(Default)]
pub struct MemorySink(pub Mutex<BTreeMap<String, Vec<u8>>>);

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.lock().expect("sink lock").insert(path.to_string(), bytes);
        Ok(())
    }
}

impl MemorySink {
    pub fn into_inner(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().expect("sink lock")
    }
}

/// A sink writing files below a folder.
pub struct DirSink {
    pub dir: PathBuf,
    /// Folders known to exist: most outputs (every entry page) need a folder of their own, and
    /// asking the file system first cost several path lookups per file.
    made: Mutex<HashSet<PathBuf>>,
}

impl Sink for DirSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        let mut file = self.create(path)?;
        file.write_all(&bytes).map_err(|e| Diagnostic::io(&self.dir.join(path), &e))
    }

    fn put_with(&self, path: &str, write: &mut Writing) -> Result<(), Diagnostic> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, self.create(path)?);
        write(&mut out)?;
        out.flush().map_err(|e| Diagnostic::io(&self.dir.join(path), &e))
    }

    /// A hard link when `from` is on the same file system (no byte copied: thousands of image
    /// variants cost a link each), a copy otherwise.
    fn put_file(&self, path: &str, from: &Path) -> Result<(), Diagnostic> {
        let target = self.dir.join(path);
        self.parent_of(&target)?;
        std::fs::hard_link(from, &target)
            .or_else(|_| std::fs::copy(from, &target).map(drop))
            .map_err(|e| Diagnostic::io(&target, &e))
    }
}

impl DirSink {
    pub fn new(dir: PathBuf) -> DirSink {
        DirSink { dir, made: Mutex::new(HashSet::new()) }
    }

    /// Creates the file, and its folder the first time one of its files is written.
    fn create(&self, path: &str) -> Result<std::fs::File, Diagnostic> {
        let target = self.dir.join(path);
        self.parent_of(&target)?;
        std::fs::File::create(&target).map_err(|e| Diagnostic::io(&target, &e))
    }

    /// Makes the folder of `target`, the first time one of its files is written.
    fn parent_of(&self, target: &Path) -> Result<(), Diagnostic> {
        if let Some(parent) = target.parent() {
            if !self.made.lock().expect("folder set").contains(parent) {
                make_dir(parent).map_err(|e| Diagnostic::io(parent, &e))?;
                let mut made = self.made.lock().expect("folder set");
                for dir in parent.ancestors().take_while(|d| d.starts_with(&self.dir)) {
                    if !made.insert(dir.to_path_buf()) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// `create_dir_all` that tries the folder itself first: one system call when its parent exists.
fn make_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::create_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent() {
                make_dir(parent)?;
            }
            match std::fs::create_dir(dir) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
                other => other,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Removes a folder tree, its second-level folders in parallel: removing the previous output of a
/// large site file by file took a tenth of a build on one core.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let children = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default()
    };
    let mut parts = Vec::new();
    for child in children(dir) {
        if child.is_dir() && !child.is_symlink() {
            parts.extend(children(&child));
        }
    }
    parts.par_iter().for_each(|p| {
        let _ = match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
            _ => std::fs::remove_file(p),
        };
    });
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs `fill` into a temporary sibling of `out`, and replaces `out` with it only on success.
pub fn publish(out: &Path, fill: impl FnOnce(&DirSink) -> Result<(), Diagnostics>) -> Result<(), Diagnostics> {
    check_target(out)?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "public".into());
    let tmp = parent.join(format!(".{name}.digest-new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.digest-old-{}", std::process::id()));
    remove_stale(parent, &name);
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Diagnostic::io(&tmp, &e))?;

    if let Err(d) = fill(&DirSink::new(tmp.clone())) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(d);
    }
    if out.exists() {
        // One step where the system has one: `out` is never missing, not even for a moment.
        if exchange(&tmp, out).is_ok() {
            remove_tree(&tmp);
            return Ok(());
        }
        std::fs::rename(out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            Diagnostic::io(out, &e)
        })?;
        if let Err(e) = std::fs::rename(&tmp, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(Diagnostic::io(out, &e).into());
        }
        remove_tree(&old);
        return Ok(());
    }
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        Diagnostic::io(out, &e)
    })?;
    Ok(())
}

/// Swaps two folders atomically (Linux `renameat2` with `RENAME_EXCHANGE`). Elsewhere, or on
/// a file system without it, an error, and the caller falls back to two renames (during which
/// `out` is briefly missing).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes the temporary folders of earlier builds of `name` that were killed before cleaning
/// up (`.public.digest-new-PID`, `.public.digest-old-PID`) when their process is gone.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(dir) = std::fs::read_dir(parent) else { return };
    for e in dir.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.digest-")) else { continue };
        let Some(pid) = rest.strip_prefix("new-").or_else(|| rest.strip_prefix("old-")) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive && cfg!(target_os = "linux") {
            remove_tree(&e.path());
        }
    }
}

/// Refuses output folders whose replacement would lose someone's work. (That the output lies
/// outside the site's sources is the caller's rule: `site::sources::check_output`.)
fn check_target(out: &Path) -> Result<(), Diagnostic> {
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

/// Writes `bytes` to a fresh temporary file beside `path` (with `permissions` when given),
/// synced to disk, and hands it to `finish` to put in place; the temporary file never outlives
/// the call. Every write of a file that must never be seen half-written goes through here.
fn via_temporary(
    path: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
    finish: impl FnOnce(&Path, &Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Some(p) = permissions {
            std::fs::set_permissions(&tmp, p)?;
        }
        finish(&tmp, path)
    })();
    if written.is_err() || tmp.exists() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Replaces an existing file's contents without ever leaving it half-written: the text goes to
/// a temporary file in the same folder (with the file's permissions), which is then renamed
/// over it. A failure leaves the file as it was.
pub fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let permissions = std::fs::metadata(path)?.permissions();
    via_temporary(path, text.as_bytes(), Some(permissions), |tmp, path| std::fs::rename(tmp, path))
}

/// Writes a file that must not exist yet, creating its folder: an editor's file is never
/// overwritten, even by a race (the final hard link fails when the name is taken), and an
/// interrupted write never leaves a half-written file under the name.
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    via_temporary(path, text.as_bytes(), None, |tmp, path| std::fs::hard_link(tmp, path))
}

/// Replaces the file at `path` with `bytes` atomically (or creates it): written to a temporary
/// file in the same folder, then renamed over it, so a reader sees the old file or the new
/// one, never a part.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    via_temporary(path, bytes, None, |tmp, path| std::fs::rename(tmp, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_never_overwrites_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.md");
        write_new(&path, "first").unwrap();
        let err = write_new(&path, "second").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        replace_file(&path, b"third").unwrap();
        replace(&path, "fourth").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fourth");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["b.md"], "no temporary file left");
    }
}
