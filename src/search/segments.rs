//! The segments of the search index: one pagefind bundle per language and period (the newest
//! year, and runs of the years before it: [`super::records::periods`]), each made from its
//! records alone, so that an unchanged year is taken from the build cache byte for
//! byte instead of being indexed again (`docs/templates.md#search`, `docs/performance.md`).
//!
//! A segment's key is the hash of everything that shapes its bytes: its records (URL and
//! document, in order), its language, pagefind's version and digest's patch to it, and the
//! options. A bundle's files are named by their contents and its URLs are root-relative, so the
//! same records give the same files wherever the bundle is written: a language's newest year
//! sits in its folder (`pagefind/zh/`, with pagefind's browser files, which the search page
//! loads), the years before it below it (`pagefind/zh/2016-2020/`), and
//! `pagefind/segments.json` lists them.

use std::collections::BTreeMap;

use super::records::{Period, Record, each_record, periods};
use super::{Files, SearchIndex, index_error};
use crate::cache::{Cache, Key, pack, unpack};
use crate::error::Diagnostic;
use crate::site::layout::{self, BUNDLE_ENTRY, BUNDLE_SEGMENTS};
use crate::site::{LangId, Site};

/// The cache kind of search segments and of pagefind's browser files.
const KIND: &str = "search";

/// What shapes a segment's bytes besides its records: pagefind's version (a test holds it to
/// the bundle's) and digest's options. The patch itself is hashed into every key too.
pub const INDEXER: &str = "version 1.6.0; keep_index_url";
const PATCH: &[u8] = include_bytes!("../../vendor/pagefind/digest.patch");

/// A segment to make: the records of one language in one period, and their key.
#[derive(Debug, Clone)]
pub struct Segment {
    pub lang: String,
    pub period: Period,
    pub key: Key,
    /// The other languages whose pages show some of its records (fallbacks).
    pub shown_in: Vec<String>,
    /// Its records, when the caller has them (see [`plan`]).
    pub records: Option<Vec<Record>>,
}

/// The segments of language `l` of the periods that hold one of the years `only` (every period
/// when `None`), newest first, with their keys; each with its records when `keep` is set.
/// Periods without records of the language have no segment.
pub fn plan(site: &Site, l: LangId, only: Option<&[i32]>, keep: bool) -> Vec<Segment> {
    let lang = site.config.languages[l].code.clone();
    let mut segments = Vec::new();
    let wanted = |p: &Period| only.is_none_or(|only| only.iter().any(|&y| p.contains(y)));
    for period in periods(site, l).into_iter().filter(wanted) {
        let mut hasher = Key::hasher();
        hasher.part(INDEXER.as_bytes()).part(PATCH).part(lang.as_bytes());
        let (mut count, mut shown_in, mut records) = (0, Vec::new(), Vec::new());
        each_record(site, l, period, |record, others| {
            hasher.part(record.url.as_bytes()).part(record.html.as_bytes());
            count += 1;
            shown_in.extend(others.iter().map(|&o| site.config.languages[o].code.clone()));
            if keep {
                records.push(record);
            }
        });
        if count == 0 {
            continue;
        }
        shown_in.sort();
        shown_in.dedup();
        let records = keep.then_some(records);
        segments.push(Segment { lang: lang.clone(), period, key: hasher.finish(), shown_in, records });
    }
    segments
}

/// The records of `segment`, made again from the site when the plan did not keep them.
pub fn records_of(site: &Site, segment: &Segment) -> Vec<Record> {
    let l = site.config.languages.iter_enumerated().find(|(_, lang)| lang.code == segment.lang).map(|(l, _)| l);
    let mut records = Vec::new();
    if let Some(l) = l {
        each_record(site, l, segment.period, |record, _| records.push(record));
    }
    records
}

/// A segment's files: its own (index, fragments, filters, metadata, paths relative to its
/// folder), and pagefind's browser files for its language (when it was indexed).
pub struct Made {
    pub data: Files,
    pub browser: Option<Files>,
    /// Whether it was indexed now rather than taken from the cache.
    pub built: bool,
}

/// The files of `segment`: from the cache (unless `force`), or else indexed from `records`
/// (then cached).
pub fn make(
    segment: &Segment,
    cache: &Cache,
    force: bool,
    records: impl FnOnce() -> Option<Vec<Record>>,
) -> Result<Made, Diagnostic> {
    if let Some(data) = (!force).then(|| cache.get(KIND, &segment.key).and_then(|bytes| unpack(&bytes))).flatten() {
        return Ok(Made { data, browser: None, built: false });
    }
    let Some(records) = records() else {
        return Err(index_error(format!(
            "the records of segment {}/{} are missing",
            segment.lang,
            segment.period.name()
        )));
    };
    let mut index = SearchIndex::new()?;
    index.add_all(records.into_iter().map(|r| (r.url, r.html)).collect())?;
    let (data, browser): (Files, Files) = index.into_files()?.into_iter().partition(|(name, _)| is_data(name));
    cache.put(KIND, &segment.key, &pack(data.iter().map(|(n, b)| (n.as_str(), b.as_slice()))));
    cache.put(KIND, &browser_key(&segment.lang), &pack(browser.iter().map(|(n, b)| (n.as_str(), b.as_slice()))));
    Ok(Made { data, browser: Some(browser), built: true })
}

/// Pagefind's browser files for language `lang`, from the cache.
pub fn cached_browser(cache: &Cache, lang: &str) -> Option<Files> {
    cache.get(KIND, &browser_key(lang)).and_then(|bytes| unpack(&bytes))
}

fn browser_key(lang: &str) -> Key {
    Key::of(&[INDEXER.as_bytes(), PATCH, lang.as_bytes(), b"browser files"])
}

/// Whether a file of pagefind's output belongs to the segment's records, rather than being
/// pagefind's browser code, the same for every segment of a language.
fn is_data(name: &str) -> bool {
    name == BUNDLE_ENTRY
        || name.ends_with(".pf_meta")
        || ["index/", "fragment/", "filter/"].iter().any(|d| name.starts_with(d))
}

/// The segments of every language, assembled into the output: each segment's files in its
/// folder, the browser files in each language's newest folder, and the list of segments.
#[derive(Default)]
pub struct Assembly {
    files: Files,
    languages: BTreeMap<String, Listed>,
}

/// A language's entry in `segments.json`.
#[derive(Default, serde::Serialize)]
struct Listed {
    /// Folders below the bundle, newest first: the first is loaded, the others merged.
    bundles: Vec<String>,
    /// The languages whose search pages search this language's index for their fallbacks.
    shown_in: Vec<String>,
}

impl Assembly {
    /// Adds the files of `segment`, `newest` if it is its language's newest.
    pub fn add(&mut self, segment: &Segment, newest: bool, data: Files, browser: Option<Files>) {
        let folder = layout::segment_folder(&segment.lang, (!newest).then(|| segment.period.name()).as_deref());
        let listed = self.languages.entry(segment.lang.clone()).or_default();
        listed.bundles.push(folder.clone());
        listed.shown_in.extend(segment.shown_in.iter().cloned());
        listed.shown_in.sort();
        listed.shown_in.dedup();
        let files = data.into_iter().chain(browser.into_iter().flatten());
        self.files.extend(files.map(|(name, bytes)| (layout::bundle_file(&format!("{folder}{name}")), bytes)));
    }

    /// Every file of the search bundle, `segments.json` last.
    pub fn finish(mut self) -> Files {
        let list = serde_json::json!({ "languages": self.languages });
        self.files.push((layout::bundle_file(BUNDLE_SEGMENTS), serde_json::to_vec(&list).expect("JSON")));
        self.files
    }
}

/// The files of every segment of `segments` (one language's, newest first), made by `make`,
/// into `assembly`. The newest needs the browser files: when it came from the cache and they
/// did not, it is indexed again.
pub fn assemble_language(
    assembly: &mut Assembly,
    segments: &[Segment],
    cache: &Cache,
    mut make_one: impl FnMut(&Segment, bool) -> Result<Made, Diagnostic>,
) -> Result<(), Diagnostic> {
    for (n, segment) in segments.iter().enumerate() {
        let newest = n == 0;
        let mut made = make_one(segment, false)?;
        if newest && made.browser.is_none() {
            made.browser = cached_browser(cache, &segment.lang);
            if made.browser.is_none() {
                made = make_one(segment, true)?;
            }
        }
        if newest && made.browser.is_none() {
            return Err(index_error(format!("no browser files were made for language {}", segment.lang)));
        }
        let browser = if newest { made.browser } else { None };
        assembly.add(segment, newest, made.data, browser);
    }
    Ok(())
}
