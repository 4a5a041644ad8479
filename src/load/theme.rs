//! Load stage: the templates and static files of the theme, with the site's overrides.
//!
//! Layers, later ones winning file by file: the default theme compiled into the binary, the
//! built-in `links` theme when `theme = "links"`, the site's `themes/<name>/` when `theme =
//! "name"`, and the site's own `templates/` and `static/`. A site with `default_theme_source =
//! true` (this repository) reads its `templates/` and `static/` as the default theme, right
//! above the compiled-in copy and under every other layer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use include_dir::{Dir, include_dir};

use super::walk::{files_under, refused};
use crate::error::{Diagnostic, Diagnostics};
use crate::site::config::{BUILT_IN_THEMES, Config};

static DEFAULT_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");
static DEFAULT_STATIC: Dir = include_dir!("$CARGO_MANIFEST_DIR/static");
static LINKS_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/links/templates");
static LINKS_STATIC: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/links/static");

/// A loaded theme: compiled templates and the static files to publish.
pub struct Theme {
    pub tera: tera::Tera,
    /// Output path (with `/`) → contents.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Where each static file came from (`static/style.css`, `themes/links/static/x.css`), for
    /// error messages.
    pub static_paths: BTreeMap<String, PathBuf>,
    /// Where each template came from, for error messages.
    pub template_paths: BTreeMap<String, PathBuf>,
    /// The largest output of each template so far: pages start with a buffer that fits, instead
    /// of growing (and copying) an issue page of 300 KB five times.
    size_hints: BTreeMap<String, AtomicUsize>,
}

/// The files of the layers read so far: name → (shown path, contents).
#[derive(Default)]
struct Files {
    templates: BTreeMap<String, (PathBuf, String)>,
    statics: BTreeMap<String, (PathBuf, Vec<u8>)>,
}

impl Files {
    /// A theme compiled into the binary, its files shown under `shown` (`templates`,
    /// `themes/links/templates`).
    fn embedded(&mut self, templates: &Dir, statics: &Dir, shown: &Path) {
        for f in embedded_files(templates) {
            let name = f.path().to_string_lossy().replace('\\', "/");
            let text = String::from_utf8_lossy(f.contents()).into_owned();
            self.templates.insert(name.clone(), (shown.join("templates").join(&name), text));
        }
        for f in embedded_files(statics) {
            let name = f.path().to_string_lossy().replace('\\', "/");
            self.statics.insert(name.clone(), (shown.join("static").join(&name), f.contents().to_vec()));
        }
    }

    /// The `templates/` and `static/` of folder `layer` of the site at `root`.
    fn folder(&mut self, root: &Path, layer: &Path, diags: &mut Diagnostics) {
        let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        for (rel, path) in files_under(root, &layer.join("templates"), diags) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    self.templates.insert(rel, (shown(&path), text));
                }
                Err(e) => diags.push(Diagnostic::io(&path, &e).relative_to(root)),
            }
        }
        for (rel, path) in files_under(root, &layer.join("static"), diags) {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    self.statics.insert(rel, (shown(&path), bytes));
                }
                Err(e) => diags.push(Diagnostic::io(&path, &e).relative_to(root)),
            }
        }
    }
}

impl Theme {
    /// Loads the theme `config` selects for the site at `root`.
    pub fn for_site(root: &Path, config: &Config) -> Result<Theme, Diagnostics> {
        Theme::layered(root, config.theme.as_deref(), config.theme_at, config.default_theme_source)
    }

    /// Loads theme `theme` (`None`: the default) for the site at `root`, whose own `templates/`
    /// and `static/` override it.
    pub fn load(root: &Path, theme: Option<&str>) -> Result<Theme, Diagnostics> {
        Theme::layered(root, theme, (1, 1), false)
    }

    fn layered(root: &Path, theme: Option<&str>, at: (usize, usize), source: bool) -> Result<Theme, Diagnostics> {
        let mut files = Files::default();
        let mut diags = Diagnostics::new();
        files.embedded(&DEFAULT_TEMPLATES, &DEFAULT_STATIC, Path::new(""));
        if source {
            // The default theme as it is now on disk, under the selected theme.
            files.folder(root, root, &mut diags);
        }
        if let Some(name) = theme {
            if name == "links" {
                files.embedded(&LINKS_TEMPLATES, &LINKS_STATIC, Path::new("themes/links"));
            }
            let dir = root.join("themes").join(name);
            for (path, shown) in
                [(root.join("themes"), PathBuf::from("themes")), (dir.clone(), Path::new("themes").join(name))]
            {
                if let Some(d) = refused(&path, &shown) {
                    diags.push(d);
                    return Err(diags);
                }
            }
            if dir.is_dir() {
                files.folder(root, &dir, &mut diags);
            } else if !BUILT_IN_THEMES.contains(&name) {
                let message = format!("theme {name:?} is neither built in nor a folder of themes/");
                let hint =
                    format!("the built-in themes are {}; or add the folder themes/{name}/", BUILT_IN_THEMES.join(", "));
                diags.push(Diagnostic::error("config.toml", at.0, at.1, message).with_hint(hint));
                return Err(diags);
            }
        }
        if !source {
            files.folder(root, root, &mut diags);
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Theme::compile(files)
    }

    fn compile(files: Files) -> Result<Theme, Diagnostics> {
        let Files { templates, statics } = files;
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        let template_paths: BTreeMap<String, PathBuf> =
            templates.iter().map(|(n, (p, _))| (n.clone(), p.clone())).collect();
        tera.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&template_paths, &e))?;
        let size_hints = templates.keys().map(|n| (n.clone(), AtomicUsize::new(1 << 12))).collect();
        let static_paths = statics.iter().map(|(n, (p, _))| (n.clone(), p.clone())).collect();
        let static_files = statics.into_iter().map(|(n, (_, b))| (n, b)).collect();
        Ok(Theme { tera, static_files, static_paths, template_paths, size_hints })
    }

    /// Renders a template, reporting errors against the template's file.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        let bytes = self.render_bytes(name, ctx)?;
        String::from_utf8(bytes).map_err(|e| {
            let err = tera::Error::message(format!("the template wrote invalid UTF-8: {e}"));
            template_error(&self.template_paths, &err)
        })
    }

    /// Renders a template into bytes: what pages need, without validating the UTF-8 that Tera
    /// writes anyway (a tenth of a big build went to that check).
    pub fn render_bytes(&self, name: &str, ctx: &tera::Context) -> Result<Vec<u8>, Diagnostic> {
        let hint = self.size_hints.get(name);
        let mut out = Vec::with_capacity(hint.map_or(1 << 12, |h| h.load(Ordering::Relaxed)));
        self.tera.render_to(name, ctx, &mut out).map_err(|e| template_error(&self.template_paths, &e))?;
        if let Some(h) = hint {
            h.fetch_max(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }
}

/// Turns a Tera error into a diagnostic at the template's file, line and column.
fn template_error(paths: &BTreeMap<String, PathBuf>, err: &tera::Error) -> Diagnostic {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push('\n');
        message.push_str(&s.to_string());
        source = s.source();
    }
    // Tera reports `--> name.html:LINE:COL` under the message.
    let location = message.lines().find_map(|l| l.trim().strip_prefix("--> ")).and_then(|loc| {
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next()?.trim().parse::<usize>().ok()?;
        let line = parts.next()?.trim().parse::<usize>().ok()?;
        Some((parts.next()?.to_string(), line, col))
    });
    let first = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").trim_start_matches("error: ");
    let summary = format!("template error: {first}");
    let d = match location {
        Some((name, line, col)) => {
            let path = paths.get(&name).cloned().unwrap_or_else(|| PathBuf::from("templates").join(&name));
            Diagnostic::error(path, line, col, summary)
        }
        None => {
            let path = paths
                .iter()
                .find(|(name, _)| message.contains(name.as_str()))
                .map_or_else(|| PathBuf::from("templates"), |(_, p)| p.clone());
            Diagnostic::file(path, format!("template error: {}", message.replace('\n', " ")))
        }
    };
    d.with_hint("see docs/templates.md for the variables each template receives")
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out = Vec::new();
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => out.extend(embedded_files(d)),
            include_dir::DirEntry::File(f) => out.push(f),
        }
    }
    out
}
