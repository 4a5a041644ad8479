//! Check stage: Chinese typography in Chinese-language files.
//!
//! Two rules, as in the common Chinese copywriting guidelines: a space between Chinese
//! characters and Latin letters or digits, and full-width punctuation next to Chinese text.
//! Checked: front matter string values (not keys or comments, nor `original_title`, which
//! quotes the source) and the Markdown body's text (not code, HTML or link targets). URLs inside
//! text are skipped.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::ContentFile;
use crate::error::Diagnostic;
use crate::site::i18n::is_chinese;

/// Half-width punctuation and the full-width form Chinese text uses.
const PUNCTUATION: &[(char, char)] =
    &[(',', '，'), (':', '：'), (';', '；'), ('(', '（'), (')', '）'), ('?', '？'), ('!', '！')];

/// Front matter keys whose values are not checked.
const SKIPPED_KEYS: &[&str] = &["original_title", "source", "url", "via", "date"];

/// A Chinese character (CJK ideographs; punctuation is not one).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x30000..=0x3134F)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Typography warnings for a file, if it is in Chinese.
pub fn check(file: &ContentFile) -> Vec<Diagnostic> {
    if !is_chinese(&file.lang) {
        return Vec::new();
    }
    let mut spans = front_matter_strings(file);
    spans.extend(body_text(file));
    let mut out = Vec::new();
    for (start, end) in spans {
        check_span(file, start, end, &mut out);
    }
    out
}

/// Checks the text in `file.text[start..end]`, skipping URLs and `code`.
fn check_span(file: &ContentFile, start: usize, end: usize, out: &mut Vec<Diagnostic>) {
    let text = &file.text[start..end];
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut skip_until = 0;
    let mut prev: Option<char> = None;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if at < skip_until {
            continue;
        }
        let rest = &text[at..];
        if rest.starts_with("http://") || rest.starts_with("https://") || rest.starts_with("www.") {
            // A URL ends at whitespace or at the first character a URL would not hold unescaped.
            let len = rest.find(|ch: char| ch.is_whitespace() || !ch.is_ascii() || "\"'<>".contains(ch));
            skip_until = at + len.unwrap_or(rest.len());
            prev = None;
            continue;
        }
        if c == '`' {
            if let Some(close) = rest[1..].find('`') {
                skip_until = at + 1 + close + 1;
                prev = None;
                continue;
            }
        }
        let next = chars.get(i + 1).map(|&(_, n)| n);
        if let Some(p) = prev {
            if (is_han(p) && is_latin(c)) || (is_latin(p) && is_han(c)) {
                let (line, column) = file.line_col(start + at);
                out.push(
                    Diagnostic::warning(&file.path, line, column, format!("missing space between `{p}` and `{c}`"))
                        .with_hint("put a space between Chinese characters and Latin letters or digits"),
                );
            }
        }
        if let Some(&(half, full)) = PUNCTUATION.iter().find(|(h, _)| *h == c) {
            if prev.is_some_and(is_han) || next.is_some_and(is_han) {
                let (line, column) = file.line_col(start + at);
                out.push(
                    Diagnostic::warning(&file.path, line, column, format!("half-width `{half}` in Chinese text"))
                        .with_hint(format!("use the full-width `{full}`")),
                );
            }
        }
        prev = Some(c);
    }
}

/// Byte ranges of the text of front matter string values, split at escapes.
fn front_matter_strings(file: &ContentFile) -> Vec<(usize, usize)> {
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
                if !SKIPPED_KEYS.contains(&key.as_str()) {
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

/// Byte ranges of the body's text, outside code and HTML.
fn body_text(file: &ContentFile) -> Vec<(usize, usize)> {
    let body = &file.text[file.body..];
    let mut out = Vec::new();
    let mut in_code = false;
    for (event, range) in Parser::new_ext(body, crate::load::markdown::parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if !in_code => out.push((file.body + range.start, file.body + range.end)),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn warnings(text: &str) -> Vec<String> {
        let f = ContentFile::new(PathBuf::from("a.md"), text.to_string(), "zh".into());
        check(&f).iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect()
    }

    #[test]
    fn spacing_and_punctuation() {
        let w = warnings("+++\ntitle = \"使用Kubernetes\"\n+++\n你好,世界 v1.2 版本\n");
        assert_eq!(w, vec!["2:12 missing space between `用` and `K`", "4:3 half-width `,` in Chinese text"]);
    }

    #[test]
    fn code_urls_keys_and_comments_are_skipped() {
        let text = "+++\n# 注释,Latin\ntitle = \"标题\"\noriginal_title = \"原标题1.0版\"\n+++\n\
                    用 `kubectl`运行 https://x.org/a,b 中文\n\n```\n代码,x\n```\n[链接](https://y.org/中文)\n";
        assert_eq!(warnings(text), Vec::<String>::new());
    }

    #[test]
    fn escapes_split_strings() {
        assert_eq!(warnings("+++\ntitle = \"中\\u4e2d文\"\n+++\n"), Vec::<String>::new());
    }

    #[test]
    fn malformed_escapes_do_not_panic() {
        // The escape swallows bytes into `文`; the rest of the string is still checked.
        assert_eq!(warnings("+++\ntitle = \"\\u中文,x中\"\n+++\n"), vec!["2:16 missing space between `x` and `中`"]);
    }

    #[test]
    fn english_files_are_not_checked() {
        let f = ContentFile::new(PathBuf::from("a.en.md"), "+++\n+++\n中文,x\n".into(), "en".into());
        assert!(check(&f).is_empty());
    }
}
