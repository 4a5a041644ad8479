//! Slugs: URL-safe names for tags and heading ids that keep Chinese characters.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use unicode_normalization::UnicodeNormalization;

/// Lowercases, folds compatibility forms (full-width letters) and joins words with `-`.
/// Letters and digits of every script are kept, so `"网关 API"` becomes `"网关-api"`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// Whether a file stem or key can be used as one URL path segment as it is.
pub fn is_safe_segment(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/');

/// Percent-encodes a path segment for use in URLs (non-ASCII characters become UTF-8 escapes).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s);
    out
}

/// [`encode_segment`], appended to `out`.
pub fn push_encoded(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, SEGMENT));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_meet_on_one_slug() {
        assert_eq!(slugify("Gateway API"), "gateway-api");
        assert_eq!(slugify("gateway  api"), "gateway-api");
        assert_eq!(slugify("  Gateway-API! "), "gateway-api");
        assert_eq!(slugify("ＧＡＴＥＷＡＹ api"), "gateway-api");
    }

    #[test]
    fn chinese_is_kept() {
        assert_eq!(slugify("后量子 密码学:简介"), "后量子-密码学-简介");
        assert_eq!(slugify("Kubernetes v1.35 抢先看"), "kubernetes-v1-35-抢先看");
    }

    #[test]
    fn segments() {
        assert!(is_safe_segment("gateway-api-1-4"));
        assert!(is_safe_segment("网关"));
        assert!(!is_safe_segment("a b"));
        assert!(!is_safe_segment(".."));
        assert_eq!(encode_segment("网关"), "%E7%BD%91%E5%85%B3");
    }
}
