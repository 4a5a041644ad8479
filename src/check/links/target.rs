//! Check stage: what a link points at, resolved against the page it is on and the site's
//! address.

use percent_encoding::percent_decode_str;
use url::Url;

use crate::site::config::Config;
use crate::site::layout::has_scheme;

/// What a link points at.
#[derive(Debug, PartialEq)]
pub enum Target {
    /// Not a web link (`mailto:`, `#`), or nothing to check.
    Skip,
    /// A page of another site; the URL without its fragment.
    Outside(String),
    /// A path below the base path (decoded, starting with `/`) and a decoded fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// A root-relative path that misses the base path.
    OutsideBase(String),
    Malformed,
}

/// Resolves a link found on the page at `page_url` (below the base path).
pub fn classify(config: &Config, page_url: &str, value: &str) -> Target {
    match page_base(config, page_url) {
        Some(base) => classify_at(config, &base, value),
        None => Target::Skip,
    }
}

/// The absolute address of a page, which its relative links resolve against.
pub(super) fn page_base(config: &Config, page_url: &str) -> Option<Url> {
    Url::parse(&format!("{}{}", config.base_url, page_url)).ok()
}

/// Whether a link resolves to the same target from every page of the site: a root-relative path
/// or an absolute URL. Relative links, `//host` ones (kept simple) and `#anchors` depend on the page.
pub(super) fn resolves_alike(value: &str) -> bool {
    let v = value.trim_start();
    (v.starts_with('/') && !v.starts_with("//")) || has_scheme(v)
}

/// [`classify`] with the page's address already parsed (once per page, not per link).
pub(super) fn classify_at(config: &Config, base: &Url, value: &str) -> Target {
    let v = value.trim();
    if v.is_empty() || v == "#" {
        return Target::Skip;
    }
    let absolute = v.starts_with("//") || has_scheme(v);
    let Ok(url) = base.join(v) else { return Target::Malformed };
    if !matches!(url.scheme(), "http" | "https") {
        return Target::Skip;
    }
    let bp = config.base_path.as_str();
    let path = url.path();
    let inside = bp.is_empty() || path == bp || (path.starts_with(bp) && path.as_bytes().get(bp.len()) == Some(&b'/'));
    let same_site = url.host_str() == base.host_str() && url.port_or_known_default() == base.port_or_known_default();
    if absolute && !(same_site && inside) {
        return Target::Outside(url[..url::Position::AfterQuery].to_string());
    }
    if !inside {
        return Target::OutsideBase(decode(path));
    }
    let rest = decode(&path[bp.len()..]);
    let path = if rest.is_empty() { "/".to_string() } else { rest };
    Target::Internal { path, fragment: url.fragment().map(decode) }
}

pub(super) fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}
