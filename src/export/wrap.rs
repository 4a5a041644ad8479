//! Export stage: lines wrapped at a width in columns, CJK characters counting as two, for the
//! plain-text edition.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Starts a line that must not be wrapped (preformatted text); removed from the output.
pub const NO_WRAP: char = '\u{1}';

/// Wraps every line of `text` longer than `width` columns. A continuation line is indented
/// under the text of the first (after its indentation and a list marker `- `, `1. ` or
/// `[1] `), and a quoted line (`> `) continues the quote. Breaks fall at spaces and beside
/// CJK characters, never before closing punctuation nor after opening punctuation; a word
/// wider than the line stays whole.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split('\n') {
        if let Some(rest) = line.strip_prefix(NO_WRAP) {
            out.push_str(rest.trim_end());
        } else {
            wrap_line(line.trim_end(), width, &mut out);
        }
        out.push('\n');
    }
    out.pop();
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    if line.width() <= width {
        out.push_str(line);
        return;
    }
    let (first, rest, next) = split_prefix(line);
    let mut prefix = first.to_string();
    // The tokens of the line being filled.
    let mut current: Vec<Token> = Vec::new();
    for token in tokens(rest) {
        if token.space && current.is_empty() {
            continue;
        }
        current.push(token);
        // Past the width: break at the last opportunity that leaves text on the line.
        while prefix.width() + tokens_width(&current) > width {
            let Some(at) = (1..current.len())
                .rev()
                .find(|&j| current[j].break_before && !current[j].space && current[..j].iter().any(|t| !t.space))
            else {
                break;
            };
            let tail = current.split_off(at);
            out.push_str(&prefix);
            out.push_str(joined(&current).trim_end());
            out.push('\n');
            prefix.clone_from(&next);
            current = tail;
        }
    }
    out.push_str(&prefix);
    out.push_str(joined(&current).trim_end());
}

/// The width of the tokens, trailing spaces left out (they vanish at a break).
fn tokens_width(tokens: &[Token]) -> usize {
    let end = tokens.iter().rposition(|t| !t.space).map_or(0, |i| i + 1);
    tokens[..end].iter().map(|t| if t.space { 1 } else { t.text.width() }).sum()
}

fn joined(tokens: &[Token]) -> String {
    tokens.iter().map(|t| if t.space { " " } else { t.text }).collect()
}

/// The first line's prefix, the text after it, and the prefix of continuation lines.
fn split_prefix(line: &str) -> (&str, &str, String) {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let body = &line[indent..];
    let mut quote = String::new();
    let mut rest = body;
    while let Some(r) = rest.strip_prefix("> ") {
        quote.push_str("> ");
        rest = r;
    }
    let marker = list_marker(rest);
    let prefix_len = indent + quote.len() + marker;
    let continuation = format!("{}{quote}{}", " ".repeat(indent), " ".repeat(rest[..marker].width()));
    (&line[..prefix_len], &line[prefix_len..], continuation)
}

/// The length of a list marker (`- `, `* `, `12. `, `[3] `) at the start of `s`, or 0.
fn list_marker(s: &str) -> usize {
    if s.starts_with("- ") || s.starts_with("* ") {
        return 2;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && s[digits..].starts_with(". ") {
        return digits + 2;
    }
    if let Some(r) = s.strip_prefix('[') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && r[digits..].starts_with("] ") {
            return digits + 3;
        }
    }
    0
}

struct Token<'a> {
    text: &'a str,
    space: bool,
    /// Whether the line may break before this token.
    break_before: bool,
}

fn is_wide(c: char) -> bool {
    c.width().unwrap_or(0) >= 2
}

fn no_break_before(c: char) -> bool {
    "，。、；：？！）」』》〉】〕”’…·,.;:?!)]}%".contains(c)
}

fn no_break_after(c: char) -> bool {
    "（「『《〈【〔“‘([{".contains(c)
}

/// Words, spaces and single wide characters.
fn tokens(s: &str) -> Vec<Token<'_>> {
    let mut out: Vec<Token> = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut after_space = false;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == ' ' {
            let mut end = i + 1;
            while let Some(&(j, ' ')) = chars.peek() {
                end = j + 1;
                chars.next();
            }
            out.push(Token { text: &s[i..end], space: true, break_before: false });
            after_space = true;
            prev = Some(' ');
            start = end;
            continue;
        }
        // A word runs on while neither side of the boundary is wide.
        let mut end = i + c.len_utf8();
        if !is_wide(c) {
            while let Some(&(j, d)) = chars.peek() {
                if d == ' ' || is_wide(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
        }
        let text = &s[start.max(i)..end];
        let first = text.chars().next().unwrap_or(' ');
        let break_before = (after_space || prev.is_some_and(is_wide) || is_wide(first))
            && !no_break_before(first)
            && !prev.is_some_and(no_break_after);
        out.push(Token { text, space: false, break_before: break_before || prev.is_none() });
        prev = text.chars().last();
        after_space = false;
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_wraps_at_spaces_with_hanging_indent() {
        let w = wrap("1. one two three four five six seven", 16);
        assert_eq!(w, "1. one two three\n   four five six\n   seven");
        for line in w.lines() {
            assert!(line.width() <= 16, "{line}");
        }
    }

    #[test]
    fn cjk_counts_two_columns_and_breaks_between_characters() {
        let w = wrap("云原生月报每月发布一期，介绍新版本。", 10);
        for line in w.lines() {
            assert!(line.width() <= 10, "{line:?}");
        }
        assert!(!w.lines().any(|l| l.starts_with('，') || l.starts_with('。')), "{w}");
        assert_eq!(w.replace('\n', ""), "云原生月报每月发布一期，介绍新版本。");
    }

    #[test]
    fn quotes_continue_and_long_words_stay_whole() {
        assert_eq!(wrap("> aa bb cc", 7), "> aa bb\n> cc");
        assert_eq!(wrap("[1] https://example.org/a/very/long/path", 10), "[1] https://example.org/a/very/long/path");
        assert_eq!(wrap("\u{1}    code that is long", 5), "    code that is long");
    }
}
