//! The image stage's header and size path: for any bytes under any image name, `probe` answers
//! without panicking and never lets through a size past the limits; an image it accepts (small
//! enough to decode here quickly) is made into variants without panicking, each variant within
//! the original's width, with the aspect ratio kept and its bytes where the picture says.

#![no_main]

use digest::images::{codec, probe};
use digest::site::images::{MAX_PIXELS, scaled_height};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = ["a.png", "a.jpg", "a.gif", "a.webp", "a.svg", "a.jpeg"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let name = NAMES[pick as usize % NAMES.len()];
    let Ok(p) = probe::probe(name, bytes) else { return };
    assert!(p.width > 0 && p.height > 0, "{p:?}");
    if name.ends_with(".svg") {
        return;
    }
    assert!(u64::from(p.width) * u64::from(p.height) <= MAX_PIXELS, "{p:?}");
    // Decoding is bounded by the limits; the fuzzer's time is not: small images only.
    if u64::from(p.width) * u64::from(p.height) > 1 << 20 {
        return;
    }
    let Ok(made) = codec::make(name, bytes, p) else { return };
    let picture = &made.picture;
    assert_eq!(picture.files().count(), made.files.len());
    for (v, file) in picture.files().zip(&made.files) {
        assert_eq!(v.bytes, file.len() as u64, "{v:?}");
        assert!(v.width <= picture.width.max(1), "{v:?} wider than {}", picture.width);
        if v.width < picture.width {
            assert_eq!(v.height, scaled_height(picture.width, picture.height, v.width), "{v:?}");
        }
    }
});
