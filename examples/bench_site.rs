//! Library-level timings of a build: `cargo run --release --example bench_site -- SITE_DIR`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use digest::error::Diagnostic;
use digest::render::Sink;

#[derive(Default)]
struct Count(AtomicUsize, AtomicUsize);

impl Sink for Count {
    fn put(&self, _path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.0.fetch_add(1, Ordering::Relaxed);
        self.1.fetch_add(bytes.len(), Ordering::Relaxed);
        Ok(())
    }
}

fn peak_kb() -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("site dir"));
    let t = Instant::now();
    let site = digest::load::load(&root, &Default::default()).expect("load");
    eprintln!("load   {:>6} ms  peak {} MB", t.elapsed().as_millis(), peak_kb() / 1024);
    let t = Instant::now();
    let theme = digest::theme::Theme::load(&root, None).expect("theme");
    eprintln!("theme  {:>6} ms", t.elapsed().as_millis());
    let t = Instant::now();
    let sink = Count::default();
    digest::render::render(&site, &theme, &sink).expect("render");
    eprintln!(
        "render {:>6} ms  {} files {} MB  peak {} MB",
        t.elapsed().as_millis(),
        sink.0.load(Ordering::Relaxed),
        sink.1.load(Ordering::Relaxed) >> 20,
        peak_kb() / 1024
    );
}
