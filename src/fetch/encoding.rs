//! Fetch stage: a feed's bytes made UTF-8 before they are parsed, where that can be decided
//! here. UTF-16 (known by its byte-order mark, or by a first `<` of two bytes, as in appendix F
//! of XML) is decoded and its declaration made to say UTF-8: the XML parser mixes up UTF-16's
//! two byte orders. A document that is UTF-8 by its declaration or by default has invalid bytes
//! replaced with U+FFFD, so one bad byte costs a character, not the whole feed. A document that
//! declares another encoding (`ISO-8859-1`, `GBK`) is left to the XML parser, which decodes it.

/// The feed's bytes as UTF-8, when they are UTF-16 or meant to be UTF-8; else as they came.
pub fn to_utf8(bytes: Vec<u8>) -> Vec<u8> {
    if let Some((big_endian, skip)) = utf16(&bytes) {
        let units = bytes[skip..].chunks_exact(2).map(|p| {
            let pair = [p[0], p[1]];
            if big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
        });
        let mut text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
        if (bytes.len() - skip) % 2 == 1 {
            text.push(char::REPLACEMENT_CHARACTER);
        }
        if let Some(range) = declared_encoding(text.as_bytes()) {
            text.replace_range(range, "UTF-8");
        }
        return text.into_bytes();
    }
    let utf8 = declared_encoding(&bytes)
        .map(|r| String::from_utf8_lossy(&bytes[r]).to_ascii_lowercase())
        .is_none_or(|name| name == "utf-8" || name == "utf8");
    if utf8 && std::str::from_utf8(&bytes).is_err() {
        return String::from_utf8_lossy(&bytes).into_owned().into_bytes();
    }
    bytes
}

/// Whether the bytes are UTF-16, and then (big-endian, bytes of the byte-order mark).
fn utf16(bytes: &[u8]) -> Option<(bool, usize)> {
    match bytes {
        [0xfe, 0xff, ..] => Some((true, 2)),
        [0xff, 0xfe, ..] => Some((false, 2)),
        [0x00, b'<', ..] => Some((true, 0)),
        [b'<', 0x00, ..] => Some((false, 0)),
        _ => None,
    }
}

/// Where the value of `encoding="…"` lies in an XML declaration at the start (after a UTF-8 BOM).
fn declared_encoding(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let start = if bytes.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
    let rest = bytes.get(start..)?;
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = start + memchr::memmem::find(rest, b"?>")?;
    let decl = &bytes[..end];
    let key = start + memchr::memmem::find(&decl[start..], b"encoding")? + b"encoding".len();
    let mut at = key;
    let skip_space = |at: &mut usize| {
        while decl.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    skip_space(&mut at);
    if decl.get(at) != Some(&b'=') {
        return None;
    }
    at += 1;
    skip_space(&mut at);
    let quote = *decl.get(at).filter(|q| **q == b'"' || **q == b'\'')?;
    let value = at + 1;
    let close = value + memchr::memchr(quote, &decl[value..])?;
    Some(value..close)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let bom = if bom { vec![0xff, 0xfe] } else { vec![] };
        bom.into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
    }

    #[test]
    fn utf16_becomes_utf8_and_says_so() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>云</rss>";
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>云</rss>";
        assert_eq!(String::from_utf8(to_utf8(utf16le(xml, true))).unwrap(), expected);
        assert_eq!(String::from_utf8(to_utf8(utf16le(xml, false))).unwrap(), expected);
        let be: Vec<u8> = [0xfe, 0xff].into_iter().chain(xml.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(String::from_utf8(to_utf8(be)).unwrap(), expected);
        // A lone surrogate and an odd last byte are replaced.
        let mut broken = utf16le("<a>", true);
        broken.extend_from_slice(&[0x00, 0xd8, b'x']);
        assert_eq!(String::from_utf8(to_utf8(broken)).unwrap(), "<a>\u{fffd}\u{fffd}");
    }

    #[test]
    fn invalid_utf8_is_replaced_only_when_utf8_is_meant() {
        assert_eq!(
            to_utf8(b"<?xml version='1.0'?><a>caf\xe9</a>".to_vec()),
            "<?xml version='1.0'?><a>caf\u{fffd}</a>".as_bytes()
        );
        assert_eq!(
            to_utf8(b"<?xml encoding = 'utf8' ?><a>\xe4\xb8</a>".to_vec()),
            "<?xml encoding = 'utf8' ?><a>\u{fffd}</a>".as_bytes()
        );
        assert_eq!(to_utf8(b"{\"title\": \"\xff\"}".to_vec()), "{\"title\": \"\u{fffd}\"}".as_bytes());
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>".to_vec();
        assert_eq!(to_utf8(latin1.clone()), latin1, "left to the parser, which knows Latin-1");
        let valid = "<?xml version=\"1.0\"?><a>云</a>".as_bytes().to_vec();
        assert_eq!(to_utf8(valid.clone()), valid);
    }

    #[test]
    fn the_declared_encoding_is_found() {
        let at = |s: &str| declared_encoding(s.as_bytes()).map(|r| s[r].to_string());
        assert_eq!(at("<?xml version=\"1.0\" encoding=\"GBK\"?>"), Some("GBK".into()));
        assert_eq!(at("\u{feff}<?xml encoding='utf-8' ?>"), Some("utf-8".into()));
        assert_eq!(at("<?xml version=\"1.0\"?><a encoding=\"x\"/>"), None, "only inside the declaration");
        assert_eq!(at("<rss/>"), None);
        assert_eq!(at("<?xml encoding=\"unterminated?>"), None);
    }
}
