#!/bin/bash
# CPU time the server spends per search request, builds side by side (docs/BENCHMARKS.md):
#   scripts/search_cpu.sh BINARY [BINARY ...]      (DATA=/tmp/bi by default)
# Two rounds; each run starts `serve`, waits for "related articles", warms up for 5 s, then
# reads the server's utime+stime from /proc/PID/stat around a 10 s wrk run (16 clients,
# scripts/search.lua) and divides by the requests wrk completed.
set -euo pipefail
data=${DATA:-/tmp/bi}
here=$(cd "$(dirname "$0")" && pwd)
tick=$(getconf CLK_TCK)
for round in 1 2; do
  for bin in "$@"; do
    RUST_LOG=info "$bin" --data-dir "$data" serve --addr 127.0.0.1:18081 > /tmp/search_cpu.log 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do grep -qE "related articles (built|loaded)" /tmp/search_cpu.log && break; sleep 1; done
    wrk -t2 -c16 -d5s -s "$here/search.lua" http://127.0.0.1:18081 > /dev/null
    t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
    out=$(wrk -t2 -c16 -d10s --latency -s "$here/search.lua" http://127.0.0.1:18081)
    t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
    reqs=$(echo "$out" | awk '/requests in/{print $1}')
    p50=$(echo "$out" | awk '$1=="50%"{print $2}')
    p99=$(echo "$out" | awk '$1=="99%"{print $2}')
    echo "$bin round $round: requests=$reqs p50=$p50 p99=$p99 cpu_ms_per_request=$(echo "scale=3; ($t1-$t0)*1000/$tick/$reqs" | bc)"
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  done
done
