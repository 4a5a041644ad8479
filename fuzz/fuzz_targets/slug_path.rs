//! Slug and path rules: a slug holds only letters, digits, `_` and single inner `-`, and is
//! idempotent; an encoded segment decodes back; a file name written by `naming` splits back into
//! its slug and language; an issue key is `YYYY-MM` exactly.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use digest::site::config::Config;
use digest::site::naming::{INDEX, file_name, language_of, split_file_name};
use digest::site::slug::{encode_segment, is_safe_segment, slugify};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    let text = "base_url = \"https://e.org\"\ndefault_language = \"zh\"\n[languages.zh]\ntitle = \"z\"\n\
                [languages.en]\ntitle = \"e\"\n[languages.pt-br]\ntitle = \"p\"\n";
    Config::parse(Path::new("config.toml"), text).unwrap()
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let slug = slugify(text);
    assert!(slug.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-'), "{text:?} → {slug:?}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{text:?} → {slug:?}");
    assert!(slug.is_empty() || is_safe_segment(&slug), "{text:?} → {slug:?}");
    assert_eq!(slugify(&slug), slug, "slugify is not idempotent on {text:?}");

    let encoded = encode_segment(text);
    assert!(!encoded.contains(['/', '?', '#', ' ']), "{text:?} → {encoded:?}");
    let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().expect("UTF-8 in, UTF-8 out");
    assert_eq!(decoded, text);

    let config = &*CONFIG;
    if is_safe_segment(text) || text == INDEX {
        for l in &config.languages {
            let name = file_name(config, text, &l.code);
            assert_eq!(split_file_name(config, &name), Some((text, l.code.as_str())), "{name:?}");
            assert_eq!(language_of(config, &name), l.code, "{name:?}");
        }
    }
    if let Some((stem, lang)) = split_file_name(config, text) {
        let written = format!("{stem}.{lang}.md");
        assert!(written == text || (format!("{stem}.md") == text && lang == config.default_language()), "{text:?}");
        assert!(config.language(language_of(config, text)).is_some());
    }

    if let Some((y, m)) = digest::site::month::parse_issue_key(text) {
        assert_eq!(format!("{y:04}-{m:02}"), text);
        let last = digest::site::month::last_day_of_month(y, m).expect("every YYYY-MM has a last day");
        assert_eq!(last.format("%Y-%m").to_string(), text);
    }
});
