#!/usr/bin/env bash
# Peak memory of `digest serve` once its search index is served (or, with --no-search, once the
# home page is), for docs/performance.md:
#
#   scripts/serve_memory.sh SITE PORT [--no-search]
#
# Starts target/release/digest serve on SITE, polls until /pagefind/segments.json (or /)
# answers, waits 3 s more, prints the seconds to ready and the process's peak RSS (VmHWM), and
# stops the server.
set -euo pipefail
root=$1 port=$2
shift 2
bin=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/release/digest
"$bin" --root "$root" serve --port "$port" "$@" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
start=$(date +%s.%N)
want=/pagefind/segments.json
[[ ${1:-} == --no-search ]] && want=/
until curl -sf -o /dev/null "http://127.0.0.1:$port$want"; do sleep 0.5; done
ready=$(date +%s.%N)
sleep 3
echo "${*:-with the index}: ready after $(awk -v a="$ready" -v b="$start" 'BEGIN {printf "%.1f", a - b}') s; $(grep VmHWM "/proc/$pid/status")"
