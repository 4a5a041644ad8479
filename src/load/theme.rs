//! Load stage: the templates and static files of the theme, with the site's overrides.
//!
//! Three layers, later ones winning file by file: the default theme compiled into the binary,
//! `themes/<name>/` when `theme = "name"`, and the site's own `templates/` and `static/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use include_dir::{Dir, include_dir};

use super::walk::{files_under, refused};
use crate::error::{Diagnostic, Diagnostics};

static DEFAULT_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");
static DEFAULT_STATIC: Dir = include_dir!("$CARGO_MANIFEST_DIR/static");

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

impl Theme {
    /// Loads the theme for the site at `root`.
    pub fn load(root: &Path, theme: Option<&str>) -> Result<Theme, Diagnostics> {
        let mut templates: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        let mut static_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut diags = Diagnostics::new();

        for f in embedded_files(&DEFAULT_TEMPLATES) {
            let name = f.path().to_string_lossy().replace('\\', "/");
            let text = String::from_utf8_lossy(f.contents()).into_owned();
            templates.insert(name.clone(), (PathBuf::from("templates").join(&name), text));
        }
        let mut static_paths: BTreeMap<String, PathBuf> = BTreeMap::new();
        for f in embedded_files(&DEFAULT_STATIC) {
            let name = f.path().to_string_lossy().replace('\\', "/");
            static_paths.insert(name.clone(), PathBuf::from("static").join(&name));
            static_files.insert(name, f.contents().to_vec());
        }

        let mut layers = Vec::new();
        if let Some(name) = theme {
            let dir = root.join("themes").join(name);
            for (path, shown) in
                [(root.join("themes"), PathBuf::from("themes")), (dir.clone(), Path::new("themes").join(name))]
            {
                if let Some(d) = refused(&path, &shown) {
                    diags.push(d);
                    return Err(diags);
                }
            }
            if !dir.is_dir() {
                diags.push(
                    Diagnostic::file("config.toml", format!("theme {name:?} not found in themes/{name}/"))
                        .with_hint("remove `theme` to use the built-in theme, or add the theme folder"),
                );
                return Err(diags);
            }
            layers.push(dir);
        }
        layers.push(root.to_path_buf());
        for layer in layers {
            for (rel, path) in files_under(root, &layer.join("templates"), &mut diags) {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                        templates.insert(rel, (shown, text));
                    }
                    Err(e) => diags.push(Diagnostic::io(&path, &e).relative_to(root)),
                }
            }
            for (rel, path) in files_under(root, &layer.join("static"), &mut diags) {
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        static_paths.insert(rel.clone(), path.strip_prefix(root).unwrap_or(&path).to_path_buf());
                        static_files.insert(rel, bytes);
                    }
                    Err(e) => diags.push(Diagnostic::io(&path, &e).relative_to(root)),
                }
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }

        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        let template_paths: BTreeMap<String, PathBuf> =
            templates.iter().map(|(n, (p, _))| (n.clone(), p.clone())).collect();
        tera.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&template_paths, &e))?;
        let size_hints = templates.keys().map(|n| (n.clone(), AtomicUsize::new(1 << 12))).collect();
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
