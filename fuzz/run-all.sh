#!/bin/bash
# Runs the fuzz targets one after another: run-all.sh SECONDS TAG [TARGET...]
cd "$(dirname "$0")"
secs=$1; tag=$2; shift 2
targets=${*:-frontmatter_config markdown feed_to_draft slug_path serve_path image_probe}
for t in $targets; do
  nice -n 10 cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 \
    > "logs/$t.$tag.log" 2>&1
  echo "$t exit $?" >> "logs/run-all.$tag.done"
done
echo ALL DONE >> "logs/run-all.$tag.done"
