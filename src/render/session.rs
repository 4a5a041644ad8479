//! Render stage: incremental rebuilds, a loaded site kept in memory and updated file by file, for `serve`.
//!
//! A change to entry files re-reads just those files, updates the [`Site`] and the entries'
//! template values, and names the pages to render again: those whose values changed, by the
//! explicit dependency list of [`render::pages_showing_entry`]. Anything else (configuration,
//! templates, static files, an issue's `_index`, files added or removed, tags or draft state
//! changed) loads the whole site again, which is always correct.
//!
//! ```no_run
//! # use std::path::PathBuf;
//! # use digest::{write::MemorySink, render::session::{Dirty, Session}, load::LoadOptions};
//! # fn f(root: PathBuf, changed: Vec<PathBuf>) -> Result<(), digest::error::Diagnostics> {
//! let mut session = Session::load(&root, LoadOptions::default())?;
//! let outputs = MemorySink::default();
//! session.render(&Dirty::All, &outputs)?;
//! // … files changed on disk:
//! match session.update(&changed)? {
//!     Dirty::All => { let fresh = MemorySink::default(); session.render(&Dirty::All, &fresh)?; /* swap in */ }
//!     pages => session.render(&pages, &outputs)?, // overwrites just those outputs
//! }
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use crate::error::Diagnostics;
use crate::load::assemble::{build_entry, date_warning, empty_tag, sort_topic, tag_name};
use crate::load::parse::{Parsed, parse_file};
use crate::load::theme::Theme;
use crate::load::walk::FoundFile;
use crate::load::{self, LoadOptions};
use crate::render::view::Views;
use crate::render::{self, Page};
use crate::site::naming::{file_name, split_file_name};
use crate::site::{Entry, EntryId, Site};
use crate::write::Sink;

/// What an update leaves to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dirty {
    /// Everything: the site was loaded again. Outputs of the previous render may be gone (a
    /// deleted entry), so render into an empty sink.
    All,
    /// These pages only (possibly none); every other output is as the last render left it.
    Pages(Vec<Page>),
}

/// A site loaded with its theme and the template values of every language.
pub struct Session {
    root: PathBuf,
    opts: LoadOptions,
    site: Site,
    theme: Theme,
    views: Views,
}

impl Session {
    /// Loads the site at `root`, its theme, and builds every language's views.
    pub fn load(root: &Path, opts: LoadOptions) -> Result<Session, Diagnostics> {
        let site = load::load(root, &opts)?;
        let theme = Theme::load(root, site.config.theme.as_deref())?;
        let views = Views::build(&site);
        Ok(Session { root: root.to_path_buf(), opts, site, theme, views })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Renders what `dirty` names into `sink`.
    pub fn render(&self, dirty: &Dirty, sink: &dyn Sink) -> Result<(), Diagnostics> {
        let all;
        let pages = match dirty {
            Dirty::All => {
                render::outputs::check_outputs(&self.site, &self.theme)?;
                all = render::all_pages(&self.site);
                &all
            }
            Dirty::Pages(pages) => pages,
        };
        render::render_pages(&self.site, &self.theme, &self.views, pages, sink)
    }

    /// Takes in the files changed on disk (absolute, or relative to the site root) and says what
    /// to render again. On error (a file that does not parse) the session is left as it was.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Dirty, Diagnostics> {
        let mut ids = Vec::new();
        for path in changed {
            match self.entry_at(path) {
                Some(id) => ids.push(id),
                None => return self.reload(),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        // Read every changed entry before touching anything, so that an error changes nothing.
        let mut fresh = Vec::new();
        for id in ids {
            match reread(&self.site, &self.opts, id)? {
                Some(entry) => fresh.push((id, entry)),
                None => return self.reload(),
            }
        }
        let mut dirty = BTreeSet::new();
        for (id, entry) in fresh {
            self.apply(id, entry, &mut dirty);
        }
        Ok(Dirty::Pages(dirty.into_iter().collect()))
    }

    /// Loads everything again; the session stays as it was when that fails.
    fn reload(&mut self) -> Result<Dirty, Diagnostics> {
        *self = Session::load(&self.root, self.opts.clone())?;
        Ok(Dirty::All)
    }

    /// The entry whose file `path` is (`content/<issue>/<topic>/<slug>[.<lang>].md`), if any.
    fn entry_at(&self, path: &Path) -> Option<EntryId> {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let parts: Vec<&str> = rel
            .components()
            .map(|c| match c {
                Component::Normal(s) => s.to_str(),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let ["content", issue, topic, file] = parts[..] else { return None };
        let (slug, lang) = split_file_name(&self.site.config, file)?;
        self.site.config.language(lang)?;
        let topic = self.site.config.topic_index(topic)?;
        let issue = self.site.issues.iter().position(|i| i.key == issue)?;
        self.site.issues[issue].topics[topic].iter().copied().find(|&e| self.site.entries[e].slug == slug)
    }

    /// Puts a re-read entry in place: its topic's order, its tags' order, its warnings and the
    /// template values that changed, collecting the pages that show them.
    fn apply(&mut self, id: EntryId, entry: Entry, dirty: &mut BTreeSet<Page>) {
        let Site { issues, entries, tags, warnings, .. } = &mut self.site;
        let (i, t) = (entry.issue, entry.topic);
        let old_path = entries[id].texts[&entries[id].primary].path.clone();
        entries[id] = entry;
        let before = issues[i].topics[t].clone();
        sort_topic(&mut issues[i].topics[t], entries);
        let reordered = before != issues[i].topics[t];
        if reordered {
            // Tag pages list entries in reading order.
            let position: HashMap<EntryId, usize> = issues
                .iter()
                .flat_map(|i| i.topics.iter().flatten().copied())
                .enumerate()
                .map(|(n, e)| (e, n))
                .collect();
            for tag in tags.iter_mut() {
                tag.entries.sort_by_key(|e| position[e]);
            }
        }
        warnings.retain(|w| w.path != old_path);
        warnings.extend(date_warning(&entries[id], &issues[i]));

        let site = &self.site;
        let list = &site.issues[i].topics[t];
        for (l, lv) in self.views.langs.iter_mut().enumerate() {
            // Numbers follow the order, so every entry of the topic may have changed.
            for &e in list {
                if lv.replace_entry(site, e) {
                    dirty.extend(render::pages_showing_entry(site, l, e));
                }
            }
            if reordered {
                for &e in list {
                    dirty.extend(render::pages_showing_entry(site, l, e));
                }
                let issue_entries = site.issues[i].topics.iter().flatten();
                dirty.extend(issue_entries.map(|&e| Page::Entry(l, e)));
            }
        }
    }
}

/// Re-reads the files of entry `id`. `Ok(None)` when they now change more than the entry itself
/// (a language file added or removed, its tags, its draft state, a tag's spelling): a full load
/// handles those.
fn reread(site: &Site, opts: &LoadOptions, id: EntryId) -> Result<Option<Entry>, Diagnostics> {
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
        let Ok(t) = site.tags.binary_search_by(|t| t.slug.as_str().cmp(&slug)) else { return Ok(None) };
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
