//! Load stage: one entry read again after its files changed (for `serve`), and put in place.
//!
//! Only what an edit of an entry's own files can change is handled here: its text and fields,
//! its place in its topic, its warnings. Anything more (a language file added or removed, its
//! tags, its draft state) is left to a full [`super::load`], which is always correct.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

use super::LoadOptions;
use super::assemble::{build_entry, date_warning, empty_tag, sort_topic, tag_name};
use super::parse::{Parsed, parse_file};
use super::walk::FoundFile;
use crate::error::Diagnostics;
use crate::site::naming::{file_name, split_file_name};
use crate::site::{Entry, EntryId, Site, TagId, reading_order};

/// What putting an entry in place changed beyond the entry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Its topic's entries changed order (and so their numbers).
    pub reordered: bool,
}

/// The entry whose file `path` is (`content/<issue>/<topic>/<slug>[.<lang>].md`), if any.
pub fn entry_at(site: &Site, path: &Path) -> Option<EntryId> {
    let rel = path.strip_prefix(&site.root).unwrap_or(path);
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let ["content", issue, topic, file] = parts[..] else { return None };
    let (slug, lang) = split_file_name(&site.config, file)?;
    site.config.language(lang)?;
    let topic = site.config.topic_index(topic)?;
    let issue = site.issues.position(|i| i.key == issue)?;
    site.issues[issue].topics[topic].iter().copied().find(|&e| site.entries[e].slug == slug)
}

/// Re-reads the files of entry `id`. `Ok(None)` when they now change more than the entry itself
/// (a language file added or removed, its tags, its draft state, a tag's spelling): a full load
/// handles those.
pub fn reread(site: &Site, opts: &LoadOptions, id: EntryId) -> Result<Option<Entry>, Diagnostics> {
    let old = &site.entries[id];
    let c = &site.config;
    let issue = &site.issues[old.issue];
    let dir = Path::new("content").join(&issue.key).join(&c.topics[old.topic].key);
    let mut files = BTreeMap::new();
    let mut diags = Diagnostics::new();
    for lang in &c.languages {
        let path = dir.join(file_name(c, &old.slug, &lang.code));
        if !site.root.join(&path).is_file() {
            continue;
        }
        let slug = old.slug.clone();
        let found = FoundFile { path, issue: issue.key.clone(), topic: Some(old.topic), slug, lang: lang.code.clone() };
        match parse_file(&site.root, c, &found) {
            Ok(Parsed::Entry(p)) => {
                files.insert(lang.code.clone(), p);
            }
            Ok(Parsed::Issue(_)) => return Ok(None),
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    if !files.keys().eq(old.texts.keys()) {
        return Ok(None);
    }
    let Some((mut entry, written)) = build_entry(files, old.issue, old.topic, old.slug.clone(), opts) else {
        return Ok(None);
    };
    if entry.draft != old.draft || entry.primary != old.primary {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for w in &written {
        let Some((name, slug)) = tag_name(w) else { return Err(empty_tag(&entry, w).into()) };
        let Ok(t) = site.tags.binary_search_by(|t| t.slug.as_str().cmp(&slug)).map(TagId) else { return Ok(None) };
        if site.tags[t].name != name {
            return Ok(None);
        }
        if !ids.contains(&t) {
            ids.push(t);
        }
    }
    if ids != old.tags {
        return Ok(None);
    }
    entry.tags = ids;
    entry.number = old.number;
    Ok(Some(entry))
}

/// Puts entry `id`, read again by [`reread`], in place: its topic's order and numbers, its tags'
/// order, its warnings.
pub fn apply(site: &mut Site, id: EntryId, entry: Entry) -> Change {
    let Site { issues, entries, tags, warnings, .. } = site;
    let (i, t) = (entry.issue, entry.topic);
    let old_path = entries[id].texts[&entries[id].primary].path.clone();
    entries[id] = entry;
    let before = issues[i].topics[t].clone();
    sort_topic(&mut issues[i].topics[t], entries);
    let reordered = before != issues[i].topics[t];
    if reordered {
        // Tag pages list entries in reading order.
        let position: HashMap<EntryId, usize> = reading_order(issues).enumerate().map(|(n, e)| (e, n)).collect();
        for tag in tags.iter_mut() {
            tag.entries.sort_by_key(|e| position[e]);
        }
    }
    warnings.retain(|w| w.path != old_path);
    warnings.extend(date_warning(&entries[id], &issues[i]));
    Change { reordered }
}
