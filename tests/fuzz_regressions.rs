//! Every finding of the fuzz targets (`fuzz/`, see docs/reliability.md), as the input that found
//! it or its minimal form. Each test failed before its fix.

use std::path::Path;

use digest::load::markdown::{Options, render};
use digest::site::config::Config;

fn config_with_base_url(base_url: &str) -> String {
    format!("base_url = {base_url:?}\ndefault_language = \"zh\"\n[languages.zh]\ntitle = \"z\"\n")
}

/// `frontmatter_config`: a `base_url` with a dot segment the URL parser resolves was accepted
/// and silently published elsewhere (`https://e.org/a/%2E%2e/b` became `https://e.org/b`).
#[test]
fn base_url_dot_segments_in_any_spelling_are_refused() {
    for bad in [
        "https://e.org/a/%2E%2e/b",
        "https://e.org/a/%2e%2E/b",
        "https://e.org/a/.%2E/b",
        "https://e.org/a/%2E./b",
        "https://e.org/a\\..\\b",
        "https://e.org\\..\\b",
        "https:e.org/a/../b",
        "https://e.org/a/.\t./b",
        "https://e.org/a/%2E",
    ] {
        let text = config_with_base_url(bad);
        let err = Config::parse(Path::new("config.toml"), &text).expect_err(bad);
        assert_eq!(err.0[0].message, format!("`base_url` has a `.` or `..` segment in its path: {bad:?}"), "{bad}");
        assert_eq!((err.0[0].line, err.0[0].column), (1, 12), "{bad}");
    }
    // Dots inside a segment are no dot segment.
    for good in ["https://e.org/a.b/..c/%2e%2ex", "https://e.org/v1.2/"] {
        Config::parse(Path::new("config.toml"), &config_with_base_url(good)).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

/// `markdown`: an image inside a footnote definition underflowed the nesting depth the summary
/// follows (`attempt to subtract with overflow` in debug builds).
#[test]
fn image_in_a_footnote_definition() {
    let r =
        render("Text[^n].\n\n[^n]: see ![diagram](d.png)\n", &Options::default()).expect("within the nesting limit");
    assert_eq!(r.summary_text, "Text.");
    assert!(r.html.contains("<img src=\"d.png\" alt=\"diagram\" />"), "{}", r.html);
}

/// `markdown` (the same cause): an image in a block quote made the quote's next paragraph look
/// top-level, and it became the summary instead of the first real paragraph.
#[test]
fn image_in_a_block_quote_leaves_the_summary_alone() {
    let r = render("> ![i](x.png)\n>\n> quoted\n\nFirst.\n", &Options::default()).expect("within the nesting limit");
    assert_eq!(r.summary_html, "<p>First.</p>\n");
}
