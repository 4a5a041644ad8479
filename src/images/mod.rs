//! Image stage, between load and render: every image of the site's content sized from its
//! header, checked, and made into the variants pages, feeds, editions and social cards show
//! ([`crate::site::images`] says which), each made once per source bytes and kept in the build
//! cache ([`crate::cache`]).
//!
//! [`process`] fills [`Site::pictures`](crate::site::Site) (what the render needs: sizes and
//! file names), making in parallel what the cache lacks; [`write`] puts the variants into the
//! output. A warm build reads each image's variants back from the cache; a cold one makes them;
//! both write the same bytes. Images are processed a few at a time per thread, so memory stays
//! bounded by the threads, not by the site.

pub mod codec;
pub mod probe;

use std::path::Path;

use rayon::prelude::*;

use crate::cache::{Cache, Key};
use crate::error::{Diagnostic, Diagnostics, line_col};
use crate::site::images::{Format, Picture, Pictures, Variant, cover_file};
use crate::site::{Asset, Rendered, Site, layout};
use crate::write::Sink;

/// The images of `site`'s content: each checked and its variants made (or found in `cache`).
/// A missing, unreadable, corrupt or too large image is an error; nothing is written.
pub fn process(site: &Site, cache: &Cache) -> Result<Pictures, Diagnostics> {
    let missing = missing_images(site);
    let pictures = process_where(site, cache, &|_| true);
    match pictures {
        Ok(pictures) => missing.into_result(pictures),
        Err(mut diags) => {
            diags.extend(missing);
            Err(diags.sorted())
        }
    }
}

/// The image files at the paths `keep` keeps, each checked and its variants made (or found in
/// `cache`); links to images that do not exist are `check`'s to report, as broken links.
pub fn process_where(
    site: &Site,
    cache: &Cache,
    keep: &(dyn Fn(&Path) -> bool + Sync),
) -> Result<Pictures, Diagnostics> {
    let mut diags = Diagnostics::new();
    let made: Vec<Result<(String, Picture), Diagnostic>> = images(site)
        .filter(|a| keep(&a.path))
        .par_bridge()
        .map(|asset| Ok((asset.output.clone(), picture(site, asset, cache)?)))
        .collect();
    let mut pictures = Pictures::default();
    for m in made {
        match m {
            Ok((file, p)) => pictures.insert(file, p),
            Err(d) => diags.push(d),
        }
    }
    diags.sorted().into_result(pictures)
}

/// The assets of `site` that are images.
fn images(site: &Site) -> impl Iterator<Item = &Asset> + Send {
    site.assets.iter().filter(|a| Format::of_name(&a.output).is_some())
}

fn read(site: &Site, asset: &Asset) -> Result<Vec<u8>, Diagnostic> {
    std::fs::read(site.root.join(&asset.path)).map_err(|e| Diagnostic::io(&asset.path, &e))
}

/// The cache's folders: pictures (their sizes and the keys of their files), the variants' bytes
/// (each under its own hash, linked into the output), and which source bytes a file had when
/// last seen.
const PICTURES: &str = "images";
const FILES: &str = "images-files";
const SOURCES: &str = "images-sources";

/// The key of `asset`'s picture: the recipe, its output file and the hash of its bytes; and the
/// bytes, when they had to be read. A file seen before with the same size and modification
/// time is known by the hash then taken, so a warm build reads no image.
fn key(site: &Site, asset: &Asset, cache: &Cache) -> Result<(Key, Option<Vec<u8>>), Diagnostic> {
    let path = site.root.join(&asset.path);
    let meta = std::fs::metadata(&path).map_err(|e| Diagnostic::io(&asset.path, &e))?;
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    let seen = Key::of(&[
        asset.path.to_string_lossy().as_bytes(),
        &meta.len().to_le_bytes(),
        &modified.map_or(0, |d| d.as_nanos()).to_le_bytes(),
    ]);
    let picture_key = |hash: &Key| Key::of(&[codec::RECIPE.as_bytes(), asset.output.as_bytes(), hash.as_bytes()]);
    if let Some(hash) = cache.get(SOURCES, &seen).and_then(|h| Key::from_slice(&h)) {
        return Ok((picture_key(&hash), None));
    }
    let bytes = read(site, asset)?;
    let hash = Key::of_contents(&bytes);
    cache.put(SOURCES, &seen, hash.as_bytes());
    Ok((picture_key(&hash), Some(bytes)))
}

/// The stored picture under `key`, if it has the hash of each of its files (whether the files
/// are still there is [`write`]'s to see: it makes them again when they are not).
fn stored(cache: &Cache, key: &Key) -> Option<Picture> {
    let picture: Picture = serde_json::from_slice(&cache.get(PICTURES, key)?).ok()?;
    let complete = picture.files().all(|v| Key::from_hex(&v.hash).is_some());
    complete.then_some(picture)
}

/// Where the cache keeps the bytes of variant `v`.
fn file_of(cache: &Cache, v: &Variant) -> Option<std::path::PathBuf> {
    cache.file(FILES, &Key::from_hex(&v.hash)?, v.bytes)
}

/// The picture of `asset`, from the cache or made (and then cached).
fn picture(site: &Site, asset: &Asset, cache: &Cache) -> Result<Picture, Diagnostic> {
    let (key, bytes) = key(site, asset, cache)?;
    if let Some(picture) = stored(cache, &key) {
        return Ok(picture);
    }
    let bytes = match bytes {
        Some(b) => b,
        None => read(site, asset)?,
    };
    Ok(make_and_store(asset, &bytes, cache, &key)?.picture)
}

/// Makes the variants of `asset` and keeps them in the cache, each under the hash of its bytes
/// (which the picture records), the picture under `key`.
fn make_and_store(asset: &Asset, bytes: &[u8], cache: &Cache, key: &Key) -> Result<codec::Made, Diagnostic> {
    let mut made = make(asset, bytes)?;
    let hashes: std::collections::HashMap<String, String> = made
        .picture
        .files()
        .zip(&made.files)
        .map(|(v, bytes)| (v.file.clone(), cache.put_file(FILES, bytes).hex()))
        .collect();
    let p = &mut made.picture;
    for v in p.variants.iter_mut().chain(&mut p.webp).chain([&mut p.edition]).chain(p.card.as_mut()) {
        v.hash = hashes[&v.file].clone();
    }
    cache.put(PICTURES, key, &serde_json::to_vec(&made.picture).expect("a picture serialises"));
    Ok(made)
}

fn make(asset: &Asset, bytes: &[u8]) -> Result<codec::Made, Diagnostic> {
    let refused = |m: String| {
        Diagnostic::file(&asset.path, m)
            .with_hint("publish images as PNG, JPEG, GIF, WebP or SVG, of at most 50 megapixels")
    };
    let probe = probe::probe(&asset.output, bytes).map_err(|r| refused(format!("image refused: {r}")))?;
    codec::make(&asset.output, bytes, probe).map_err(|m| refused(format!("image cannot be published: {m}")))
}

/// Writes the variants of every picture of `site` into `sink`: linked from `cache`, or made
/// again when the cache lost them (deleted during the build, or not writable).
pub fn write(site: &Site, cache: &Cache, sink: &dyn Sink) -> Result<(), Diagnostic> {
    let pictures = images(site).filter_map(|a| Some((a, site.pictures.get(&a.output)?)));
    pictures.par_bridge().try_for_each(|(asset, picture)| {
        let paths: Option<Vec<_>> = picture.files().map(|v| file_of(cache, v)).collect();
        if let Some(paths) = paths {
            return picture.files().zip(&paths).try_for_each(|(v, path)| sink.put_file(&v.file, path));
        }
        let (key, _) = key(site, asset, cache)?;
        let made = make_and_store(asset, &read(site, asset)?, cache, &key)?;
        made.picture.files().zip(made.files).try_for_each(|(v, bytes)| sink.put(&v.file, bytes))
    })
}

/// A local image a text shows that is no file of the site, as an error where it is written.
fn missing_images(site: &Site) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let known: std::collections::HashSet<&str> = site.assets.iter().map(|a| a.output.as_str()).collect();
    let texts = site.entries.iter().flat_map(|e| e.texts.values().map(|t| (&t.path, &t.body)));
    let texts = texts.chain(site.issues.iter().flat_map(|i| i.texts.values().map(|t| (&t.path, &t.intro))));
    for (path, rendered) in texts {
        for image in missing_in(site, rendered, &known) {
            let text = std::fs::read_to_string(site.root.join(path)).unwrap_or_default();
            let at = text.find(&format!("({}", image.written)).map_or(0, |i| i + 1);
            let (line, column) = line_col(&text, at);
            let message = format!("image `{}` not found: no such file in the site's content", image.written);
            let hint = "put the image beside the entry and link it by its file name, as `![alt](diagram.png)`";
            diags.push(Diagnostic::error(path, line, column, message).with_hint(hint));
        }
    }
    for issue in &site.issues {
        let (Some(cover), Some(text)) = (&issue.cover, issue.texts.get(&issue.primary)) else { continue };
        let file = cover_file(&site.config, issue);
        if !file.is_some_and(|f| known.contains(f.as_str()) && Format::of_name(&f).is_some()) {
            let message = format!("cover `{}` is no image of the issue's folder", cover.written);
            let hint = "put the picture in the issue's folder and name it, as `cover = \"cover.png\"`";
            diags.push(Diagnostic::error(&text.path, cover.line, cover.column, message).with_hint(hint));
        }
    }
    diags
}

/// The local images of `rendered` that lead to no file of the site.
fn missing_in<'r>(
    site: &Site,
    rendered: &'r Rendered,
    known: &std::collections::HashSet<&str>,
) -> impl Iterator<Item = &'r crate::site::ImageRef> {
    rendered.images.iter().filter(move |image| {
        // A file: its last segment has an extension (`diagram.png`); any other link that leads
        // nowhere is a broken link, for `check`.
        let last = image.src.split(['?', '#']).next().unwrap_or("").rsplit('/').next().unwrap_or("");
        let local = !layout::has_scheme(&image.src) && !image.src.starts_with("//") && last.contains('.');
        local && layout::file_of_src(&site.config.base_path, &image.src).is_some_and(|f| !known.contains(f.as_str()))
    })
}

#[cfg(test)]
mod tests;
