//! Check stage: images a reader may miss: one without alt text (a screen reader says nothing of
//! it, and a mail client that blocks images shows nothing), and one hotlinked from another site
//! (it may change or vanish, and it tells that site who reads the newsletter).

use super::Files;
use crate::error::Diagnostic;
use crate::site::layout::has_scheme;
use crate::site::{ImageRef, Rendered, Site};

/// The image findings of every text of `site`.
pub fn check(site: &Site, files: &Files) -> Vec<Diagnostic> {
    let entries = site.entries.iter().flat_map(|e| e.texts.values().map(|t| (&t.path, &t.body)));
    let texts = entries.chain(site.issues.iter().flat_map(|i| i.texts.values().map(|t| (&t.path, &t.intro))));
    let mut out = Vec::new();
    for (path, rendered) in texts {
        for (image, message, hint) in findings(rendered) {
            let (with_alt, link) = (format!("![{}]({}", image.alt, image.written), format!("]({}", image.written));
            // The image with its alt text first: the same file may be shown twice, with and without.
            let at = files.get(path).and_then(|f| {
                let found = f.find(&[with_alt.as_str()]);
                found.or_else(|| f.find(&[link.as_str(), image.written.as_str()])).map(|(at, _)| at)
            });
            let (line, column) = at.unwrap_or((1, 1));
            out.push(Diagnostic::warning(path, line, column, message).with_hint(hint));
        }
    }
    out
}

fn findings(rendered: &Rendered) -> impl Iterator<Item = (&ImageRef, String, &'static str)> {
    rendered.images.iter().flat_map(|image| {
        let mut found = Vec::new();
        if image.alt.trim().is_empty() {
            let message = format!("image `{}` has no alt text", image.written);
            found.push((image, message, "say what the picture shows: `![Gateway API's resource model](diagram.png)`"));
        }
        let remote = image.src.starts_with("//") || (has_scheme(&image.src) && !image.src.starts_with("data:"));
        if remote {
            let message = format!("image `{}` is hotlinked from another site", image.written);
            found.push((image, message, "save the picture beside the entry and link it by its file name, so it is resized, kept and served with the site"));
        }
        found
    })
}
