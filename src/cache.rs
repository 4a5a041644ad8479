//! The build cache, `.digest/cache/` in the site: derived bytes (image variants, search-index
//! segments) stored under the hash of everything they derive from, so that a later build or
//! `serve` reuses them instead of making them again.
//!
//! The cache is an optimisation only: a build never depends on it, it can be deleted at any
//! time, and a build with a warm cache writes the same bytes as one with a cold cache (every
//! input that shapes the bytes, the encoder's version included, is in the key). Each file holds
//! the hash of its contents, so a corrupt or truncated entry is found on reading, removed and
//! made again. Writes go to a temporary file renamed into place, so a build that stops halfway
//! leaves whole entries only, and two processes sharing a cache at worst both make an entry.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The cache folder, relative to the site root.
pub const DIR: &str = ".digest/cache";

/// What a cache entry is keyed by: the hash of its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    /// The key of `parts`, each part delimited (its length first), so `["ab", "c"]` and
    /// `["a", "bc"]` differ.
    pub fn of(parts: &[&[u8]]) -> Key {
        let mut hasher = blake3::Hasher::new();
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key(*hasher.finalize().as_bytes())
    }

    /// The key of contents `bytes` alone: the name of a file stored by [`Cache::put_file`].
    pub fn of_contents(bytes: &[u8]) -> Key {
        Key(*blake3::hash(bytes).as_bytes())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key whose bytes are `bytes`, if they are 32.
    pub fn from_slice(bytes: &[u8]) -> Option<Key> {
        Some(Key(bytes.try_into().ok()?))
    }

    /// The key written as [`Key::hex`] writes it.
    pub fn from_hex(hex: &str) -> Option<Key> {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?;
        Key::from_slice(&bytes)
    }

    /// A key made part by part, for inputs too large to hold at once; equal to [`Key::of`] of
    /// the same parts.
    pub fn hasher() -> KeyHasher {
        KeyHasher(blake3::Hasher::new())
    }

    /// The key as 64 hexadecimal digits.
    pub fn hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }
}

/// [`Key::of`], one part at a time.
pub struct KeyHasher(blake3::Hasher);

impl KeyHasher {
    pub fn part(&mut self, part: &[u8]) -> &mut KeyHasher {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    pub fn finish(&self) -> Key {
        Key(*self.0.finalize().as_bytes())
    }
}

/// Several named files as one entry's bytes: each name and contents preceded by its length.
pub fn pack<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        for part in [name.as_bytes(), bytes] {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
    }
    out
}

/// The files of [`pack`], or `None` if `bytes` is not what it wrote.
pub fn unpack(mut bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    fn take<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
        let (len, rest) = bytes.split_first_chunk::<8>()?;
        let (part, rest) = rest.split_at_checked(usize::try_from(u64::from_le_bytes(*len)).ok()?)?;
        *bytes = rest;
        Some(part)
    }
    let mut files = Vec::new();
    while !bytes.is_empty() {
        let name = String::from_utf8(take(&mut bytes)?.to_vec()).ok()?;
        files.push((name, take(&mut bytes)?.to_vec()));
    }
    Some(files)
}

/// A content-addressed store of derived bytes; [`Cache::none`] keeps nothing.
#[derive(Debug, Default)]
pub struct Cache {
    dir: Option<PathBuf>,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// Entries found corrupt (and removed).
    corrupt: AtomicUsize,
}

/// How a cache was used, for tests and `--verbose` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub hits: usize,
    pub misses: usize,
    pub corrupt: usize,
}

impl Cache {
    /// The cache of the site at `root` (`root/.digest/cache`), made when first written to.
    pub fn open(root: &Path) -> Cache {
        Cache { dir: Some(root.join(DIR)), ..Cache::default() }
    }

    /// A cache that keeps nothing: every lookup misses.
    pub fn none() -> Cache {
        Cache::default()
    }

    fn path(&self, kind: &str, key: &Key) -> Option<PathBuf> {
        let hex = key.hex();
        Some(self.dir.as_ref()?.join(kind).join(&hex[..2]).join(&hex[2..]))
    }

    /// The bytes stored under `kind`/`key`, if they are there and whole.
    pub fn get(&self, kind: &str, key: &Key) -> Option<Vec<u8>> {
        let found = self.path(kind, key).and_then(|path| {
            let stored = fs::read(&path).ok()?;
            match stored.split_at_checked(32) {
                Some((hash, bytes)) if hash == blake3::hash(bytes).as_bytes() => Some(bytes.to_vec()),
                _ => {
                    self.corrupt.fetch_add(1, Ordering::Relaxed);
                    let _ = fs::remove_file(&path);
                    None
                }
            }
        });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `bytes` under `kind`/`key`. A cache that cannot be written is no error: the next
    /// build makes the entry again.
    pub fn put(&self, kind: &str, key: &Key, bytes: &[u8]) {
        let Some(path) = self.path(kind, key) else { return };
        let _ = write_entry(&path, bytes);
    }

    /// [`Cache::get`], or else `make` the bytes and [`Cache::put`] them.
    pub fn get_or_make<E>(
        &self,
        kind: &str,
        key: &Key,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Vec<u8>, E> {
        if let Some(bytes) = self.get(kind, key) {
            return Ok(bytes);
        }
        let bytes = make()?;
        self.put(kind, key, &bytes);
        Ok(bytes)
    }

    /// Where the file stored under `kind`/`key` by [`Cache::put_file`] is, if it is there with
    /// `len` bytes. Such files are the bytes alone, so that a build can link them into its output
    /// rather than copy them; they are checked by their size only.
    pub fn file(&self, kind: &str, key: &Key, len: u64) -> Option<PathBuf> {
        let path = self.path(kind, key)?;
        let found = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == len);
        let counter = if found { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found.then_some(path)
    }

    /// Stores `bytes` as they are under `kind` and their own key ([`Key::of_contents`]).
    pub fn put_file(&self, kind: &str, bytes: &[u8]) -> Key {
        let key = Key::of_contents(bytes);
        if let Some(path) = self.path(kind, &key) {
            if !std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
                let _ = write_file(&path, &[bytes]);
            }
        }
        key
    }

    pub fn stats(&self) -> Stats {
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            corrupt: self.corrupt.load(Ordering::Relaxed),
        }
    }
}

fn write_entry(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(path, &[blake3::hash(bytes).as_bytes(), bytes])
}

/// Writes `parts` one after the other into a new file renamed to `path`.
fn write_file(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = path.parent().expect("an entry's folder");
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile_in(dir)?;
    for part in parts {
        tmp.1.write_all(part)?;
    }
    drop(tmp.1);
    fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp.0);
    })
}

/// A new file beside the entry, named by process and a counter, for the rename into place.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(".tmp-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let path = dir.join(name);
    let file = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_delimit_their_parts() {
        assert_ne!(Key::of(&[b"ab", b"c"]), Key::of(&[b"a", b"bc"]));
        assert_eq!(Key::of(&[b"ab", b"c"]), Key::of(&[b"ab", b"c"]));
    }

    #[test]
    fn an_entry_is_read_back_and_a_corrupt_one_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::open(root.path());
        let key = Key::of(&[b"input"]);
        assert_eq!(cache.get("k", &key), None);
        cache.put("k", &key, b"derived");
        assert_eq!(cache.get("k", &key).as_deref(), Some(&b"derived"[..]));
        let path = cache.path("k", &key).unwrap();
        let mut stored = fs::read(&path).unwrap();
        *stored.last_mut().unwrap() ^= 1;
        fs::write(&path, stored).unwrap();
        assert_eq!(cache.get("k", &key), None);
        assert!(!path.exists(), "the corrupt entry is removed");
        assert_eq!(cache.stats(), Stats { hits: 1, misses: 2, corrupt: 1 });
        let made = cache.get_or_make("k", &key, || Ok::<_, ()>(b"again".to_vec())).unwrap();
        assert_eq!(made, b"again");
        assert_eq!(cache.get("k", &key).as_deref(), Some(&b"again"[..]));
    }

    #[test]
    fn a_key_made_by_parts_equals_the_key_of_the_parts() {
        assert_eq!(Key::hasher().part(b"ab").part(b"c").finish(), Key::of(&[b"ab", b"c"]));
    }

    #[test]
    fn packed_files_unpack_and_a_truncated_pack_does_not() {
        let packed = pack([("a/b.json", &b"{}"[..]), ("empty", &b""[..])]);
        let files = unpack(&packed).unwrap();
        assert_eq!(files, [("a/b.json".to_string(), b"{}".to_vec()), ("empty".to_string(), vec![])]);
        assert_eq!(unpack(&packed[..packed.len() - 1]), None);
        assert_eq!(unpack(&[]), Some(vec![]));
    }

    #[test]
    fn no_cache_keeps_nothing() {
        let cache = Cache::none();
        let key = Key::of(&[b"x"]);
        cache.put("k", &key, b"y");
        assert_eq!(cache.get("k", &key), None);
    }
}
