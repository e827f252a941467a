#!/bin/bash
# Search under load, two binaries side by side (docs/BENCHMARKS.md):
#   scripts/search_ab.sh OLD_BINARY NEW_BINARY [DATA_DIR]
# Alternates the binaries on the same store (default /tmp/bi, the 100,000-article store);
# each run starts `serve`, waits until the related engine is built, warms up for 5 s and
# measures 10 s of wrk at 16 connections with scripts/search.lua.
set -euo pipefail
old=$1 new=$2 data=${3:-/tmp/bi}
here=$(cd "$(dirname "$0")" && pwd)
for round in 1 2; do
  for bin in "$old" "$new"; do
    RUST_LOG=info "$bin" --data-dir "$data" serve --addr 127.0.0.1:18081 > /tmp/search_ab.log 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -qE "related articles (built|loaded)" /tmp/search_ab.log && break; sleep 1; done
    wrk -t2 -c16 -d5s -s "$here/search.lua" http://127.0.0.1:18081 > /dev/null
    echo "== $bin, round $round"
    wrk -t2 -c16 -d10s --latency -s "$here/search.lua" http://127.0.0.1:18081 | grep -E " 50%| 99%|Requests/sec"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
