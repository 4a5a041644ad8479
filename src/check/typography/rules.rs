//! Check stage: the typography rules themselves: autocorrect's, configured per check, and the
//! project's three of its own.

use std::sync::Mutex;

use super::Rules;
use crate::site::config::TYPOGRAPHY_RULES;

/// The rules that are the project's own; the others of [`TYPOGRAPHY_RULES`] are autocorrect's.
pub const OWN_RULES: &[&str] = &["fullwidth-after-latin", "fullwidth-after-chinese", "fullwidth-bracket"];

/// A Chinese character (CJK ideographs; punctuation is not one).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x30000..=0x3134F)
}

/// autocorrect's rules read a process-wide configuration: it is set for `rules` while `f` runs,
/// and the lock keeps two checks with different rules (tests, a library user) apart.
pub(super) fn with_autocorrect<R>(rules: &Rules, f: impl FnOnce() -> R) -> R {
    static LOADED: Mutex<Option<Rules>> = Mutex::new(None);
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if loaded.as_ref() != Some(rules) {
        let severities: Vec<String> = TYPOGRAPHY_RULES
            .iter()
            .filter(|r| !OWN_RULES.contains(r))
            .map(|r| format!("{r:?}: {}", u8::from(rules.on(r))))
            .chain(["\"space-dollar\": 0".into(), "\"spellcheck\": 0".into()])
            .collect();
        let json = format!("{{\"rules\": {{{}}}}}", severities.join(", "));
        if let Err(e) = autocorrect::config::load(&json) {
            unreachable!("autocorrect refused its configuration {json}: {e}");
        }
        *loaded = Some(rules.clone());
    }
    f()
}

/// `text` as the typography rules would write it (a piece of prose: no code, no URLs).
pub fn correct(text: &str, rules: &Rules) -> String {
    with_autocorrect(rules, || correct_locked(text, rules))
}

/// [`correct`], with autocorrect configured: the project's rules, then autocorrect's, until the
/// text no longer changes (autocorrect turns `１２３` into `123` after it has spaced digits).
///
/// Text without a Chinese character (a table cell or a list item of names in a Chinese file)
/// gets only the project's rules and autocorrect's `halfwidth-word`: autocorrect would treat it
/// as English and turn `Tim Hockin（Google）` into `Tim Hockin (Google)`.
pub(super) fn correct_locked(text: &str, rules: &Rules) -> String {
    if !text.chars().any(is_han) {
        let text = own_rules(text, rules);
        return match rules.on("halfwidth-word") {
            true => autocorrect::halfwidth::format_word(&text).into_owned(),
            false => text,
        };
    }
    let mut text = text.to_string();
    for _ in 0..4 {
        let next = autocorrect::format(&own_rules(&text, rules));
        if next == text {
            break;
        }
        text = next;
    }
    text
}

/// The project's own rules.
fn own_rules(text: &str, rules: &Rules) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if rules.on("fullwidth-bracket") {
        fullwidth_brackets(&mut chars);
    }
    let (chinese, latin) = (rules.on("fullwidth-after-chinese"), rules.on("fullwidth-after-latin"));
    if chinese || latin {
        chars = fullwidth_punctuation(&chars, chinese, latin);
    }
    chars.into_iter().collect()
}

/// Half-width parentheses in Chinese text become full-width: a pair holding a Chinese
/// character, with one just outside it (`见(附录)`, `VCF(VKS)是`) or written against a Latin
/// word as no English text would (`Kat Cosgrove(Minimus)`, beside `Tim Hockin（Google）`; not
/// `O(n)`); one paired with a full-width bracket (`（如 Istio)`); and a lone one next to a Chinese
/// character.
fn fullwidth_brackets(c: &mut [char]) {
    let han_at = |c: &[char], i: Option<usize>| i.and_then(|i| c.get(i)).is_some_and(|&ch| is_han(ch));
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    let mut lone = Vec::new();
    for (i, &ch) in c.iter().enumerate() {
        match ch {
            '(' | '（' => open.push(i),
            ')' | '）' => match open.pop() {
                Some(a) => pairs.push((a, i)),
                None => lone.push(i),
            },
            _ => {}
        }
    }
    lone.extend(open);
    let half = |c: &[char], i: usize| c[i] == '(' || c[i] == ')';
    let mut change = Vec::new();
    for (a, b) in pairs {
        // A pair of one full-width bracket and one half-width: `（如 Istio)`.
        if !half(c, a) || !half(c, b) {
            change.extend([a, b].into_iter().filter(|&i| half(c, i)));
            continue;
        }
        // Against a word of two letters or more: `O(n)` and `f(x)` are notation.
        let attached = a >= 2 && c[a - 2..a].iter().all(char::is_ascii_alphanumeric);
        if attached || c[a + 1..b].iter().any(|&ch| is_han(ch)) || han_at(c, a.checked_sub(1)) || han_at(c, Some(b + 1))
        {
            change.extend([a, b]);
        }
    }
    for i in lone.into_iter().filter(|&i| half(c, i)) {
        if han_at(c, i.checked_sub(1)) || han_at(c, Some(i + 1)) {
            change.push(i);
        }
    }
    for i in change {
        c[i] = if c[i] == '(' { '（' } else { '）' };
    }
}

/// Chinese punctuation: the CJK symbols (`、` `。` `《》` `「」` `【】`…) and the full-width forms of
/// ASCII punctuation (`（）` `，` `：` `；`…).
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// The full-width form of the half-width punctuation the project's rules convert.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '!' => '！',
        '?' => '？',
        _ => return None,
    })
}

/// Half-width `,` `;` `:` `!` `?` in Chinese text become full-width where autocorrect leaves
/// them (it converts `,` `?` after a Chinese character, `:` `!` only between two, `;` never):
///
/// - `fullwidth-after-chinese`: right after a Chinese character or Chinese punctuation, before
///   anything (`发布:in-place`, `百分点;GitOps`, `》,与`, `（如 Istio）,或`, `相关;` at the end);
/// - `fullwidth-after-latin`: after a Latin word, a number or a closing bracket or quote, before
///   Chinese text (`KFServing;随后`, `10%, 另外`), at the end of Chinese text (`当时名为
///   KFServing;`), and, but for `:`, run into a Latin word (`缩小 90%,Java 负载`).
///
/// The spaces after a converted mark go, unless they end the text. Left alone: `1,000`, `10:30`,
/// `3:1`, `::`, `Run:ai`, `Hello, world: yes`, and text without Chinese characters.
fn fullwidth_punctuation(c: &[char], after_chinese: bool, after_latin: bool) -> Vec<char> {
    let has_han = c.iter().any(|&x| is_han(x));
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut seen_han = false;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        seen_han |= is_han(ch);
        let prev = out.last().copied();
        let chinese_before = after_chinese && has_han && prev.is_some_and(|p| is_han(p) || is_cjk_punctuation(p));
        let latin_before = after_latin && prev.is_some_and(|p| p.is_ascii_alphanumeric() || "%)]+”’".contains(p));
        let full = full_width(ch).filter(|_| c.get(i + 1) != Some(&':') && (chinese_before || latin_before));
        if let Some(full) = full {
            let mut j = i + 1;
            while c.get(j) == Some(&' ') {
                j += 1;
            }
            let before_han = c.get(j).is_some_and(|&n| is_han(n) || is_cjk_punctuation(n));
            let into_word = ch != ':'
                && j == i + 1
                && seen_han
                && c.get(j).is_some_and(char::is_ascii_alphabetic)
                && c[j..].iter().any(|&x| is_han(x));
            if chinese_before || before_han || into_word || (j == c.len() && seen_han) {
                out.push(full);
                i = if j < c.len() { j } else { i + 1 };
                continue;
            }
        }
        out.push(ch);
        i += 1;
    }
    out
}
