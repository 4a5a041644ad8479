//! Check stage: where the prose of a content file is: the front matter's prose values and the
//! Markdown text, without code, raw HTML, link destinations or URLs.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::check::ContentFile;

/// Front matter keys whose string values are prose (`title` also in `[[further_reading]]`).
const PROSE_KEYS: &[&str] = &["title", "summary", "editor_note"];

/// A piece of prose text, or an inline code span (whose neighbours may need a space).
pub(super) enum Piece {
    Text(Range<usize>),
    Code(Range<usize>),
}

/// The text and the code spans of Markdown `text`, which starts at `base` in the file; text
/// pieces that touch are joined.
pub(super) fn markdown_pieces(text: &str, base: usize, out: &mut Vec<Piece>) {
    let mut in_code = false;
    for (event, range) in Parser::new_ext(text, crate::load::markdown::parser_options()).into_offset_iter() {
        let range = base + range.start..base + range.end;
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if !in_code => match out.last_mut() {
                Some(Piece::Text(last)) if last.end == range.start => last.end = range.end,
                _ => out.push(Piece::Text(range)),
            },
            Event::Code(_) => out.push(Piece::Code(range)),
            _ => {}
        }
    }
}

/// The parts of `text[range]` between URLs (`https://…`, `www.…`).
pub(super) fn without_urls(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = range.start;
    let mut i = range.start;
    while i < range.end {
        let rest = &text[i..range.end];
        if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
            // A URL ends at whitespace or at the first character a URL would not hold unescaped.
            let len = rest.find(|ch: char| ch.is_whitespace() || !ch.is_ascii() || "\"'<>".contains(ch));
            out.push(from..i);
            i += len.unwrap_or(rest.len());
            from = i;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    out.push(from..range.end);
    out.retain(|r| !r.is_empty());
    out
}

/// Byte ranges of the text of the front matter's prose values, split at escapes.
pub(super) fn front_matter_strings(file: &ContentFile) -> Vec<(usize, usize)> {
    let Some(front) = file.front.clone() else { return Vec::new() };
    let bytes = file.text.as_bytes();
    let mut out = Vec::new();
    let mut i = front.start;
    let mut key = String::new();
    let mut line_start = true;
    while i < front.end {
        let b = bytes[i];
        if line_start && !b.is_ascii_whitespace() {
            // A `key =` line starts a new value; table headers and array lines keep the last key.
            let line_end = file.text[i..front.end].find('\n').map_or(front.end, |n| i + n);
            let line = &file.text[i..line_end];
            if let Some((k, _)) = line.split_once('=').filter(|_| !line.starts_with(['[', '"', '\'', '#'])) {
                key = k.trim().to_string();
            }
            line_start = false;
        }
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => i = file.text[i..front.end].find('\n').map_or(front.end, |n| i + n),
            b'"' | b'\'' => {
                let triple = file.text[i..].starts_with(if b == b'"' { "\"\"\"" } else { "'''" });
                let delim = if triple { 3 } else { 1 };
                let (spans, end) = string_spans(&file.text, i + delim, front.end, b, triple);
                if PROSE_KEYS.contains(&key.as_str()) {
                    out.extend(spans);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The text spans of a TOML string starting at `start` (after its quotes), split at escapes;
/// returns them and the offset after the closing quotes.
fn string_spans(text: &str, start: usize, limit: usize, quote: u8, triple: bool) -> (Vec<(usize, usize)>, usize) {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut from = start;
    let mut i = start;
    while i < limit {
        let b = bytes[i];
        if b == quote && (!triple || text[i..].starts_with(if quote == b'"' { "\"\"\"" } else { "'''" })) {
            spans.push((from, i));
            return (spans, i + if triple { 3 } else { 1 });
        }
        if b == b'\n' && !triple {
            break;
        }
        if b == b'\\' && quote == b'"' {
            spans.push((from, i));
            let skip = match bytes.get(i + 1) {
                Some(b'u') => 6,
                Some(b'U') => 10,
                _ => 2,
            };
            i = (i + skip).min(limit);
            // A malformed escape may end inside a character; the loader reports the escape.
            while !text.is_char_boundary(i) {
                i += 1;
            }
            from = i;
            continue;
        }
        i += 1;
    }
    spans.push((from, i.min(limit)));
    (spans, i)
}
