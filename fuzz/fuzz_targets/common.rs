//! Checks the fuzz targets share.

#![allow(dead_code)]

/// Whether a 1-based `line:column` (columns in characters, as `digest::error::line_col` counts
/// them) names a place inside `text`: an existing line, and at most one past its last character.
pub fn inside(text: &str, line: usize, column: usize) -> bool {
    if line == 0 || column == 0 {
        return false;
    }
    text.split('\n').nth(line - 1).is_some_and(|l| column <= l.chars().count() + 1)
}

/// Asserts that every diagnostic points inside `text`.
pub fn assert_inside(text: &str, diags: &[digest::error::Diagnostic]) {
    for d in diags {
        assert!(inside(text, d.line, d.column), "{d} is outside the input ({} lines)", text.split('\n').count());
    }
}

/// Tag names the Markdown renderer may write itself (raw HTML off).
#[rustfmt::skip]
const TAGS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
    "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "img", "input", "sup", "div",
];

/// Attributes it may write.
const ATTRIBUTES: &[&str] =
    &["href", "title", "rel", "id", "class", "src", "alt", "type", "checked", "disabled", "style", "start"];

/// Checks HTML the Markdown renderer wrote with raw HTML off: every `<` opens a known tag,
/// every attribute is known and double-quoted, and no URL attribute runs script.
/// Returns the first problem.
pub fn check_safe_html(html: &str) -> Result<(), String> {
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        let name = &rest[..name_len];
        if !TAGS.contains(&name) {
            return Err(format!("tag {name:?} at {:?}", &rest[..rest.len().min(40)]));
        }
        rest = &rest[name_len..];
        loop {
            rest = rest.trim_start_matches([' ', '\n']);
            if let Some(r) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("/>")) {
                rest = r;
                break;
            }
            if closing {
                return Err(format!("closing tag {name} has more: {:?}", &rest[..rest.len().min(40)]));
            }
            let attr_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
            let attr = &rest[..attr_len];
            if !ATTRIBUTES.contains(&attr) {
                return Err(format!("attribute {attr:?} of {name}: {:?}", &rest[..rest.len().min(40)]));
            }
            rest = &rest[attr_len..];
            let Some(r) = rest.strip_prefix("=\"") else {
                return Err(format!(
                    "attribute {attr} of {name} is not double-quoted: {:?}",
                    &rest[..rest.len().min(40)]
                ));
            };
            let Some(end) = r.find('"') else { return Err(format!("attribute {attr} of {name} never ends")) };
            let value = &r[..end];
            if value.contains(['<', '>']) {
                return Err(format!("attribute {attr} holds markup: {value:?}"));
            }
            if matches!(attr, "href" | "src") && runs_script(value) {
                return Err(format!("{attr}={value:?} runs script"));
            }
            rest = &r[end + 1..];
        }
    }
    Ok(())
}

/// The entities an HTML writer uses for attribute values.
const ENTITIES: &[(&str, &str)] =
    &[("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&#x27;", "'"), ("&#39;", "'"), ("&amp;", "&")];

/// Whether a browser would read an (HTML-escaped) attribute URL as a script or data URL: every
/// `&` must start one of the writer's entities (else the browser might decode `&colon;`), and after
/// decoding them, ASCII tabs and newlines removed and leading controls and spaces trimmed, as
/// browsers do, the URL must not start with a script or data scheme.
fn runs_script(value: &str) -> bool {
    if value.match_indices('&').any(|(i, _)| !ENTITIES.iter().any(|(e, _)| value[i..].starts_with(e))) {
        return true;
    }
    let mut decoded = value.to_string();
    for (entity, c) in ENTITIES {
        decoded = decoded.replace(entity, c);
    }
    let url: String = decoded.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let url = url.trim_start_matches(|c: char| c <= ' ').to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:", "file:"].iter().any(|s| url.starts_with(s))
}
