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

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::error::Diagnostics;
use crate::images;
use crate::load::theme::Theme;
use crate::load::{self, LoadOptions};
use crate::render::view::Views;
use crate::render::{self, Output};
use crate::site::{Entry, EntryId, Site};
use crate::write::Sink;

/// What an update leaves to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dirty {
    /// Everything: the site was loaded again. Outputs of the previous render may be gone (a
    /// deleted entry), so render into an empty sink.
    All,
    /// These pages only (possibly none); every other output is as the last render left it.
    Pages(Vec<Output>),
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
        let mut site = load::load(root, &opts)?;
        let theme = Theme::for_site(root, &site.config)?;
        site.pictures = images::process(&site, &Cache::open(root))?;
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
                images::write(&self.site, &Cache::open(&self.root), sink)?;
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
            match load::update::entry_at(&self.site, path) {
                Some(id) => ids.push(id),
                None => return self.reload(),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        // Read every changed entry before touching anything, so that an error changes nothing.
        let mut fresh = Vec::new();
        for id in ids {
            match load::update::reread(&self.site, &self.opts, id)? {
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

    /// Puts a re-read entry in place ([`load::update::apply`]) and the template values that
    /// changed, collecting the pages that show them.
    fn apply(&mut self, id: EntryId, entry: Entry, dirty: &mut BTreeSet<Output>) {
        let change = load::update::apply(&mut self.site, id, entry);
        let site = &self.site;
        let (i, t) = (site.entries[id].issue, site.entries[id].topic);
        let list = &site.issues[i].topics[t];
        for l in self.views.langs.ids() {
            let lv = &mut self.views.langs[l];
            // Numbers follow the order, so every entry of the topic may have changed.
            for &e in list {
                if lv.replace_entry(site, e) {
                    dirty.extend(render::pages_showing_entry(site, l, e));
                }
            }
            if change.reordered {
                for &e in list {
                    dirty.extend(render::pages_showing_entry(site, l, e));
                }
                let issue_entries = site.issues[i].topics.iter().flatten();
                dirty.extend(issue_entries.map(|&e| Output::Entry(l, e)));
            }
        }
    }
}
