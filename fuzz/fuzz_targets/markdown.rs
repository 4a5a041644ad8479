//! Markdown to HTML: with raw HTML off, the page holds only the tags and attributes the renderer
//! writes itself, and no link or image URL that runs script; ids carry the document's prefix.

#![no_main]

use digest::load::markdown::{Options, render};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const PREFIXES: &[&str] = &["", "news-gateway-api-", "a-"];
const BASE_PATHS: &[&str] = &["", "/sub", "/%E4%BA%91"];
const DIRS: &[&str] = &["", "/2025-11/news/", "/2025-11/"];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(markdown) = std::str::from_utf8(rest) else { return };
    let opts = Options {
        id_prefix: PREFIXES[usize::from(flags >> 1 & 3) % PREFIXES.len()],
        base_path: BASE_PATHS[usize::from(flags >> 3 & 3) % BASE_PATHS.len()],
        dir: DIRS[usize::from(flags >> 5 & 3) % DIRS.len()],
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
