//! The serve resolver: for any request target, what it serves is an output key without `.`,
//! `..` or empty components, `\` or NUL, and a redirect stays on the site and leads to a folder.

#![no_main]

use digest::serve::path::{Target, content_type, not_found_page, resolve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(target) = std::str::from_utf8(data) else { return };
    // Every key exists: the resolver alone must refuse what could escape.
    check_key(target, resolve(target, |_| true));
    // Only folders exist: plain names redirect.
    let folders = |k: &str| k.ends_with("index.html");
    match resolve(target, folders) {
        Target::Redirect(to) => {
            assert!(to.starts_with('/') && !to.starts_with("//") && to.ends_with('/'), "{target:?} → {to:?}");
            assert!(!to.contains(['\\', '?', '#']) && to.is_ascii(), "{target:?} → {to:?}");
            match resolve(&to, folders) {
                Target::File(key) => assert!(key.ends_with("index.html"), "{to:?} → {key:?}"),
                other => panic!("redirect {target:?} → {to:?} leads to {other:?}"),
            }
        }
        other => check_key(target, other),
    }
    if let Some(page) = not_found_page(target, |_| true) {
        check_key(target, Target::File(page));
    }
    let _ = content_type(target);
    let _ = digest::serve::path::host_allowed(Some(target), 1111);
});

fn check_key(target: &str, t: Target) {
    if let Target::File(key) = t {
        assert!(!key.starts_with('/') && !key.contains(['\\', '\0']), "{target:?} → {key:?}");
        for c in key.split('/') {
            assert!(!c.is_empty() && c != "." && c != "..", "{target:?} → {key:?}");
        }
    }
}
