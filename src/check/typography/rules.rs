//! Check stage: the typography rules themselves: autocorrect's, configured per check, and the
//! project's two of its own.

use std::sync::Mutex;

use super::Rules;
use crate::site::config::TYPOGRAPHY_RULES;

/// The rules that are the project's own; the others of [`TYPOGRAPHY_RULES`] are autocorrect's.
pub const OWN_RULES: &[&str] = &["fullwidth-after-latin", "fullwidth-bracket"];

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
    if rules.on("fullwidth-after-latin") {
        chars = fullwidth_after_latin(&chars);
    }
    chars.into_iter().collect()
}

/// Half-width parentheses in Chinese text become full-width: a pair holding a Chinese
/// character, with one just outside it (`见(附录)`, `VCF(VKS)是`) or written against a Latin
/// word as no English text would (`Kat Cosgrove(Minimus)`, beside `Tim Hockin（Google）`; not
/// `O(n)`); and
/// a lone one next to a Chinese character.
fn fullwidth_brackets(c: &mut [char]) {
    let han_at = |c: &[char], i: Option<usize>| i.and_then(|i| c.get(i)).is_some_and(|&ch| is_han(ch));
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    let mut lone = Vec::new();
    for (i, &ch) in c.iter().enumerate() {
        match ch {
            '(' => open.push(i),
            ')' => match open.pop() {
                Some(a) => pairs.push((a, i)),
                None => lone.push(i),
            },
            _ => {}
        }
    }
    lone.extend(open);
    let mut change = Vec::new();
    for (a, b) in pairs {
        // Against a word of two letters or more: `O(n)` and `f(x)` are notation.
        let attached = a >= 2 && c[a - 2..a].iter().all(char::is_ascii_alphanumeric);
        if attached || c[a + 1..b].iter().any(|&ch| is_han(ch)) || han_at(c, a.checked_sub(1)) || han_at(c, Some(b + 1))
        {
            change.extend([a, b]);
        }
    }
    for i in lone {
        if han_at(c, i.checked_sub(1)) || han_at(c, Some(i + 1)) {
            change.push(i);
        }
    }
    for i in change {
        c[i] = if c[i] == '(' { '（' } else { '）' };
    }
}

/// Half-width `,` `;` `:` after a Latin word or a number, in Chinese text, become full-width
/// (autocorrect only converts those after a Chinese character): before Chinese text
/// (`KFServing;随后`, `10%, 另外`; the spaces after them go), at the end of a piece of Chinese
/// text (`当时名为 KFServing;`), and, for `,` `;`, run into a Latin word of a Chinese sentence
/// (`缩小 90%,Java 负载`). Left alone: `1,000`, `10:30`, `::`, `Run:ai`, and text without
/// Chinese characters.
fn fullwidth_after_latin(c: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut seen_han = false;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        seen_han |= is_han(ch);
        let full = match ch {
            ',' => Some('，'),
            ';' => Some('；'),
            ':' => Some('：'),
            _ => None,
        };
        let prev = out.last().copied();
        let after_latin = prev.is_some_and(|p| p.is_ascii_alphanumeric() || "%)]+".contains(p));
        if let Some(full) = full.filter(|_| after_latin && c.get(i + 1) != Some(&':')) {
            let mut j = i + 1;
            while c.get(j) == Some(&' ') {
                j += 1;
            }
            let before_han = c.get(j).is_some_and(|&n| is_han(n));
            let at_end = j == c.len() && seen_han;
            let into_word = ch != ':'
                && j == i + 1
                && seen_han
                && c.get(j).is_some_and(char::is_ascii_alphabetic)
                && c[j..].iter().any(|&x| is_han(x));
            if before_han || into_word {
                out.push(full);
                i = j;
                continue;
            }
            if at_end {
                out.push(full);
                i += 1;
                continue;
            }
        }
        out.push(ch);
        i += 1;
    }
    out
}
