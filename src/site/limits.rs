//! The data model's limits: how large a source file and how full an issue may be. Each is far
//! beyond what an editor writes and each gives an error naming the file and the limit, rather
//! than a build that runs for minutes (docs/reliability.md, "Limits"). The Markdown nesting limit
//! lives with the Markdown ([`crate::load::markdown::MAX_NESTING`]).

use std::io::Read;
use std::path::Path;

use crate::error::Diagnostic;

/// The largest Markdown file or `config.toml` digest reads: 1 MiB, a few hundred times the
/// longest entry of the sample archive (a search index of a megabyte of words already takes
/// seconds to build).
pub const MAX_SOURCE_BYTES: u64 = 1 << 20;

/// The most entries (slugs, whatever their languages) one issue may hold: five times the
/// largest issue of a links newsletter (370).
pub const MAX_ENTRIES_PER_ISSUE: usize = 2_000;

/// Reads a source file of the site, refusing one over [`MAX_SOURCE_BYTES`] without reading it
/// all; `shown` is its path in diagnostics.
pub fn read_source(path: &Path, shown: &Path) -> Result<Vec<u8>, Diagnostic> {
    let file = std::fs::File::open(path).map_err(|e| Diagnostic::io(shown, &e))?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Diagnostic::io(shown, &e))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_large(shown));
    }
    Ok(bytes)
}

/// The error for a source file over [`MAX_SOURCE_BYTES`].
pub fn too_large(shown: &Path) -> Diagnostic {
    Diagnostic::file(shown, format!("the file is larger than the limit of {} MiB", MAX_SOURCE_BYTES >> 20))
        .with_hint("split it: an entry is one news item, a few paragraphs; put large files beside it as assets")
}
