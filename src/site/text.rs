//! The data model's text rule: characters HTML and XML cannot hold are removed wherever
//! untrusted or edited text enters the site (front matter, feed items, drafts, feeds).

/// Removes characters that are invalid in HTML and XML text (C0/C1 controls but tab and newlines).
pub fn clean_text(s: &str) -> String {
    clean(s).into_owned()
}

/// [`clean_text`] without a copy when there is nothing to remove.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !may_hold_forbidden(s.as_bytes()) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars().filter(|c| !is_forbidden(*c)).collect()
}

/// A byte scan that is true exactly when `s` holds a forbidden character: C0 controls other than
/// tab and newlines, DEL, C1 controls (`C2 80`..`C2 9F`) and U+FFFE/U+FFFF (`EF BF BE/BF`).
/// Feeds pass megabytes through here, where decoding every char showed in profiles; the
/// branch-free loop over three shifted views lets the compiler vectorise it.
fn may_hold_forbidden(s: &[u8]) -> bool {
    fn at(x: u8, y: u8, z: u8) -> bool {
        (x < 0x20 && x != b'\t' && x != b'\n' && x != b'\r')
            | (x == 0x7f)
            | (x == 0xc2 && (y & 0xe0) == 0x80)
            | (x == 0xef && y == 0xbf && (z & 0xfe) == 0xbe)
    }
    const BLOCK: usize = 4096;
    let n = s.len();
    let mut start = 0;
    while start + 2 < n {
        let end = (start + BLOCK).min(n - 2);
        let (a, b, c) = (&s[start..end], &s[start + 1..end + 1], &s[start + 2..end + 2]);
        if a.iter().zip(b).zip(c).fold(false, |hit, ((&x, &y), &z)| hit | at(x, y, z)) {
            return true;
        }
        start = end;
    }
    // The last two bytes, with nothing (0) after them.
    (n.saturating_sub(2)..n).any(|i| at(s[i], s.get(i + 1).copied().unwrap_or(0), 0))
}

fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_drops_controls_and_noncharacters_only() {
        assert_eq!(clean_text("a\tb\nc\r\n中文，：\u{fffd}\u{a0}é"), "a\tb\nc\r\n中文，：\u{fffd}\u{a0}é");
        assert_eq!(clean_text("a\u{0}b\u{7}c\u{7f}d\u{85}e\u{9f}f\u{fffe}g\u{ffff}h"), "abcdefgh");
        // Every character near the forbidden ones, and a sample of the rest (debug builds are slow).
        let near = |c: u32| c < 0x800 || (0xfe00..0x10000).contains(&c) || c % 97 == 0;
        for c in (0u32..0x110000).filter(|&c| near(c)).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(may_hold_forbidden(s.as_bytes()), is_forbidden(c), "{c:?}");
            // Across the scan's block boundary and at every distance from the end.
            let long = format!("{}{s}{}", "中".repeat(1365), "a".repeat(c as usize % 7));
            assert_eq!(may_hold_forbidden(long.as_bytes()), is_forbidden(c), "{c:?}");
        }
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(clean_text("a\u{1}b\tc\u{7f}"), "ab\tc");
    }
}
