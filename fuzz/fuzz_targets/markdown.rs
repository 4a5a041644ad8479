//! Markdown to HTML: with raw HTML off, the page holds only the tags and attributes the renderer
//! writes itself, and no link or image URL that runs script; ids carry the document's prefix.

#![no_main]

use std::sync::OnceLock;

use digest::load::markdown::{Options, render};
use digest::site::config::Config;
use digest::site::layout::Address;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const PREFIXES: &[&str] = &["", "news-gateway-api-", "a-"];
const BASE_PATHS: &[&str] = &["", "/sub", "/%E4%BA%91"];
const DIRS: &[Address<'static>] = &[Address::IssueTopic { issue: "2025-11", topic: "news" }, Address::Issue("2025-11")];
const LANGS: &[&str] = &["zh", "en"];

/// A bilingual site with a base path: relative links resolve through the real layout rule.
fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let text = "base_url = \"https://e.org/sub\"\ndefault_language = \"zh\"\n[languages.zh]\ntitle = \"月报\"\n[languages.en]\ntitle = \"Digest\"\n";
        Config::parse(std::path::Path::new("config.toml"), text).expect("parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(markdown) = std::str::from_utf8(rest) else { return };
    let (dir, lang) = (DIRS[usize::from(flags >> 5 & 1)], LANGS[usize::from(flags >> 6 & 1)]);
    let resolve = |link: &str| config().relative_link(lang, dir, link);
    let opts = Options {
        id_prefix: PREFIXES[usize::from(flags >> 1 & 3) % PREFIXES.len()],
        base_path: BASE_PATHS[usize::from(flags >> 3 & 3) % BASE_PATHS.len()],
        relative: (flags & 0x80 == 0).then_some(&resolve as _),
        allow_html: flags & 1 == 1,
    };
    // Markdown nested past the limit is refused with an error: a valid outcome.
    let Ok(r) = render(markdown, &opts) else { return };
    if !opts.allow_html {
        if let Err(e) = common::check_safe_html(&r.html) {
            panic!("unsafe HTML: {e}\n{}", r.html);
        }
        if let Err(e) = common::check_safe_html(&r.summary_html) {
            panic!("unsafe summary HTML: {e}\n{}", r.summary_html);
        }
    }
    assert!(!r.summary_text.contains(['\n', '\t']) && !r.summary_text.contains("  "), "{:?}", r.summary_text);
    assert_eq!(r.summary_text.trim(), r.summary_text);
    for h in &r.toc {
        assert!((2..=3).contains(&h.level));
        assert!(h.id.starts_with(opts.id_prefix) && h.id.len() > opts.id_prefix.len(), "{:?}", h.id);
    }
});
