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
use crate::site::images::{Format, Picture, Pictures, cover_file};
use crate::site::{Asset, Rendered, Site, layout};
use crate::write::Sink;

/// The cache's folder for image variants.
const KIND: &str = "images";

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
        .map(|asset| {
            let bytes = read(site, asset)?;
            let made = picture(asset, &bytes, cache)?;
            Ok((asset.output.clone(), made))
        })
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

/// The cache key of the image at `file` with contents `bytes`.
fn key(file: &str, bytes: &[u8]) -> Key {
    Key::of(&[codec::RECIPE.as_bytes(), file.as_bytes(), bytes])
}

/// The picture of `asset`, from the cache or made (and then cached).
fn picture(asset: &Asset, bytes: &[u8], cache: &Cache) -> Result<Picture, Diagnostic> {
    let key = key(&asset.output, bytes);
    if let Some(p) = cache.get(KIND, &key).and_then(|blob| unpack(&blob).map(|(p, _)| p)) {
        return Ok(p);
    }
    let made = make(asset, bytes)?;
    cache.put(KIND, &key, &pack(&made));
    Ok(made.picture)
}

fn make(asset: &Asset, bytes: &[u8]) -> Result<codec::Made, Diagnostic> {
    let refused = |m: String| {
        Diagnostic::file(&asset.path, m)
            .with_hint("publish images as PNG, JPEG, GIF, WebP or SVG, of at most 50 megapixels")
    };
    let probe = probe::probe(&asset.output, bytes).map_err(|r| refused(format!("image refused: {r}")))?;
    codec::make(&asset.output, bytes, probe).map_err(|m| refused(format!("image cannot be published: {m}")))
}

/// A picture and its files as one cache entry: the picture's JSON, its length first, then the
/// files one after the other (their lengths are in the picture).
fn pack(made: &codec::Made) -> Vec<u8> {
    let json = serde_json::to_vec(&made.picture).expect("a picture serialises");
    let mut blob = Vec::with_capacity(8 + json.len() + made.files.iter().map(Vec::len).sum::<usize>());
    blob.extend((json.len() as u64).to_le_bytes());
    blob.extend(json);
    made.files.iter().for_each(|f| blob.extend(f));
    blob
}

/// The picture and the files of a cache entry; `None` if it does not hold what it should.
fn unpack(blob: &[u8]) -> Option<(Picture, Vec<&[u8]>)> {
    let (len, rest) = blob.split_at_checked(8)?;
    let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
    let (json, mut rest) = rest.split_at_checked(len)?;
    let picture: Picture = serde_json::from_slice(json).ok()?;
    let mut files = Vec::new();
    for v in picture.files() {
        let (file, more) = rest.split_at_checked(usize::try_from(v.bytes).ok()?)?;
        files.push(file);
        rest = more;
    }
    rest.is_empty().then_some((picture, files))
}

/// Writes the variants of every picture of `site` into `sink`: read back from `cache`, or made
/// again when the cache lost them (deleted during the build, or not writable).
pub fn write(site: &Site, cache: &Cache, sink: &dyn Sink) -> Result<(), Diagnostic> {
    images(site).filter(|a| site.pictures.get(&a.output).is_some()).par_bridge().try_for_each(|asset| {
        let bytes = read(site, asset)?;
        let key = key(&asset.output, &bytes);
        let blob = match cache.get(KIND, &key) {
            Some(blob) => blob,
            None => pack(&make(asset, &bytes)?),
        };
        let (picture, files) = unpack(&blob).ok_or_else(|| Diagnostic::file(&asset.path, "image variants lost"))?;
        for (v, bytes) in picture.files().zip(files) {
            sink.put(&v.file, bytes.to_vec())?;
        }
        Ok(())
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
