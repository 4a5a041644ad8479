#!/usr/bin/env bash
# The benchmark of docs/performance.md: full builds of synthetic 120- and 240-issue archives
# (without the search index, `--no-search`), what the search index adds (120 issues), the
# sample site (with its index), the incremental rebuild after one entry is saved (library level), and
# `digest serve` from saving an entry to the reloaded page (scripts/serve_bench.py).
#
#   scripts/bench.sh [RUNS]        RUNS builds of each archive (default 5); medians and spread;
#                                  SEARCH_RUNS=N builds with the search index (default 3)
#
# Needs a tmpfs at /dev/shm (archives and outputs go there, so the disk is not measured) and
# GNU time for peak RSS (`apt-get install time`; installed here when missing and run as root).
# Uses hyperfine for the sample site when present (`apt-get install hyperfine`), a loop otherwise.
# Wall-clock figures need a quiet machine: the script prints the load average first.
set -euo pipefail

RUNS=${1:-5}
cd "$(dirname "$0")/.."
WORK=/dev/shm/digest-bench
BIN=target/release/digest

if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "GNU time is missing: apt-get install time" >&2
        apt-get install -y time >/dev/null
    else
        echo "GNU time is needed for peak RSS: apt-get install time" >&2
        exit 2
    fi
fi

cargo build --release --quiet --bin digest --example gen_archive --example bench_site

echo "== machine"
echo "cpus: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "digest: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

# median, min and max of numbers on stdin, one per line
stats() { sort -g | awk '{v[NR] = $1} END {printf "%s (%s–%s)", v[int((NR + 1) / 2)], v[1], v[NR]}'; }
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

declare -A WALL
for n in 120 240; do
    target/release/examples/gen_archive --issues "$n" --out "$WORK/a$n" 2>/dev/null
    out="$WORK/out$n"
    "$BIN" --root "$WORK/a$n" build --no-search --output "$out" 2>/dev/null # warm-up; later runs replace it
    : >"$WORK/times$n"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$WORK/t" "$BIN" --root "$WORK/a$n" build --no-search --output "$out" 2>/dev/null
        tail -n1 "$WORK/t" >>"$WORK/times$n"
    done
    WALL[$n]=$(cut -d' ' -f1 "$WORK/times$n" | median)
    echo "== $n issues: $(find "$out" -type f | wc -l) files, $(du -sm "$out" | cut -f1) MB," \
        "of which HTML $(find "$out" -name '*.html' -print0 | du -cm --files0-from=- | tail -n1 | cut -f1) MB"
    echo "build wall s, median (min–max) of $RUNS: $(cut -d' ' -f1 "$WORK/times$n" | stats)"
    echo "peak RSS MB, median (min–max):     $(awk '{printf "%.0f\n", $2 / 1024}' "$WORK/times$n" | stats)"
done
echo "240/120 wall ratio: $(awk -v a="${WALL[240]}" -v b="${WALL[120]}" 'BEGIN {printf "%.2f", a / b}')"

SEARCH_RUNS=${SEARCH_RUNS:-3}
echo "== 120 issues with the search index (pagefind), cold cache, $SEARCH_RUNS runs"
: >"$WORK/search120"
for _ in $(seq "$SEARCH_RUNS"); do
    rm -rf "$WORK/a120/.digest" # the build cache: every segment indexed
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$BIN" --root "$WORK/a120" build --output "$WORK/search-out" 2>/dev/null
    tail -n1 "$WORK/t" >>"$WORK/search120"
done
SWALL=$(cut -d' ' -f1 "$WORK/search120" | median)
echo "build wall s, median (min–max): $(cut -d' ' -f1 "$WORK/search120" | stats)"
echo "peak RSS MB, median (min–max):  $(awk '{printf "%.0f\n", $2 / 1024}' "$WORK/search120" | stats)"
echo "index: $(du -sh "$WORK/search-out/pagefind" | cut -f1), $(find "$WORK/search-out/pagefind" -type f | wc -l) files"
echo "with/without search wall ratio: $(awk -v a="$SWALL" -v b="${WALL[120]}" 'BEGIN {printf "%.2f", a / b}')"

# The monthly build: the cache holds the index of the archive without its newest issue, then
# that issue is added (its year, the newest period, is indexed again; the others are reused).
# Each run is paired with a --no-search build of the same archive, in the same minute.
echo "== 120 issues, a build after adding the newest issue (warm cache), $SEARCH_RUNS runs"
newest=$(find "$WORK/a120/content" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tail -n1)
: >"$WORK/warm120"
for _ in $(seq "$SEARCH_RUNS"); do
    rm -rf "$WORK/a120/.digest"
    mv "$WORK/a120/content/$newest" "$WORK/held"
    "$BIN" --root "$WORK/a120" build --output "$WORK/search-out" >/dev/null 2>&1
    mv "$WORK/held" "$WORK/a120/content/$newest"
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$BIN" --root "$WORK/a120" build --output "$WORK/search-out" 2>/dev/null
    warm=$(tail -n1 "$WORK/t")
    /usr/bin/time -f "%e %M" -o "$WORK/t" "$BIN" --root "$WORK/a120" build --no-search --output "$WORK/search-out" 2>/dev/null
    echo "$warm $(tail -n1 "$WORK/t")" >>"$WORK/warm120"
done
echo "warm build wall s, median (min–max): $(cut -d' ' -f1 "$WORK/warm120" | stats)"
echo "--no-search wall s, same minutes:    $(cut -d' ' -f3 "$WORK/warm120" | stats)"
echo "warm/--no-search ratio per pair:     $(awk '{printf "%.2f ", $1 / $3}' "$WORK/warm120")"
rm -rf "$WORK/search-out" "$WORK/a120/.digest"

echo "== copying the finished 120-issue output (rm -rf + cp -r), for scale"
: >"$WORK/copy"
for _ in $(seq "$RUNS"); do
    rm -rf "$WORK/copy120"
    /usr/bin/time -f "%e" -a -o "$WORK/copy" cp -r "$WORK/out120" "$WORK/copy120"
done
echo "copy wall s, median (min–max): $(stats <"$WORK/copy")"
rm -rf "$WORK/copy120"

echo "== sample site (repository root), including process start"
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 3 --runs 30 --style basic "$BIN --root . build --output $WORK/sample" 2>/dev/null |
        grep -E "Time|Range"
else
    : >"$WORK/sample-times"
    for _ in $(seq 30); do
        start=$(date +%s%N)
        "$BIN" --root . build --output "$WORK/sample" 2>/dev/null
        echo $(( ($(date +%s%N) - start) / 1000000 )) >>"$WORK/sample-times"
    done
    echo "sample build ms, median (min–max) of 30: $(stats <"$WORK/sample-times")"
fi

echo "== library stages and the incremental rebuild after saving one entry (120 issues; ms, medians)"
target/release/examples/bench_site "$WORK/a120" "$RUNS"

echo "== digest serve on the 120-issue archive: one entry saved → page reloaded"
if command -v python3 >/dev/null; then
    python3 scripts/serve_bench.py "$WORK/a120" "$((RUNS * 4))"
else
    echo "python3 is needed: skipped"
fi
