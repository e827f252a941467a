#!/usr/bin/env bash
# Soak test (issue 14, item 8): a release `serve` on 127.0.0.1 under a steady reader mix
# (article pages, home, sections, search) while one article a second is published or
# edited through the admin API; prints errors, latency (p50/p99 per minute and overall)
# and an RSS series. Bounded in time; loopback only.
#
#   cargo build --release -p dateline
#   scripts/soak.sh                                  # 30 minutes, 20,000 articles
#   SOAK_SECS=300 SOAK_ARTICLES=5000 scripts/soak.sh # shorter
#
# Needs wrk, curl, python3 and ../shared/corpus/bbc.jsonl (DATELINE_SHARED_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/dateline}
SECS=${SOAK_SECS:-1800}
ARTICLES=${SOAK_ARTICLES:-20000}
CONNS=${SOAK_CONNECTIONS:-32}
PORT=${SOAK_PORT:-18099}
SHARED=${DATELINE_SHARED_DIR:-../shared}
WINDOW=60
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh needs $tool" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "no release binary at $BIN (cargo build --release -p dateline)" >&2; exit 2; }
W=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

echo "== store: $ARTICLES articles"
scripts/bench_corpus.py "$SHARED/corpus/bbc.jsonl" "$ARTICLES" > "$W/corpus.jsonl"
RUST_LOG=warn "$BIN" --data-dir "$W/data" import --format jsonl "$W/corpus.jsonl" >/dev/null
KEY=$("$BIN" --data-dir "$W/data" key create --name soak --role editor 2>/dev/null | tail -1)
RUST_LOG=warn "$BIN" --data-dir "$W/data" serve --addr "127.0.0.1:$PORT" > "$W/serve.log" 2>&1 &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/readyz" >/dev/null || { echo "server not ready" >&2; cat "$W/serve.log" >&2; exit 1; }

# The reader mix: 2,000 article pages, the home page, five sections, twenty searches.
python3 - "$BASE" "$W/paths.txt" <<'PY'
import json, random, sys, urllib.request
base, out = sys.argv[1], sys.argv[2]
slugs, cursor = [], None
while len(slugs) < 2000:
    url = base + "/api/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else "")
    page = json.load(urllib.request.urlopen(url))
    slugs += [i["slug"] for i in page["items"]]
    cursor = page.get("next_cursor")
    if not cursor:
        break
paths = [f"/articles/{s}" for s in slugs]
paths += ["/"] * 200
for s in ["business", "politics", "sport", "tech", "entertainment"]:
    paths += [f"/section/{s}"] * 40
for q in ["budget", "election", "football", "music", "oil+prices", "broadband", "film", "tax", "rugby", "economy"]:
    paths += [f"/search?q={q}", f"/api/v1/search?q={q}&limit=10"] * 10
random.seed(7)
random.shuffle(paths)
open(out, "w").write("\n".join(paths) + "\n")
PY
export SOAK_PATHS="$W/paths.txt"

# One write a second: publish a new article, or edit the last one's summary (alternating;
# a published article's text changes only with a correction note).
writer() {
  local n=0 last=
  while true; do
    n=$((n + 1))
    if [ -z "$last" ] || [ $((n % 2)) -eq 1 ]; then
      last=$(curl -s -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
        -d "{\"title\":\"Soak publish $n\",\"body\":\"Written by the soak, number $n.\",\"section\":\"business\",\"status\":\"published\"}" \
        -w '\n%{http_code}' "$BASE/api/v1/admin/articles" | python3 -c 'import sys,json
lines=sys.stdin.read().rsplit("\n",1); code=lines[-1]
print(json.loads(lines[0])["id"] if code=="201" else ""); sys.stderr.write(code+"\n")' 2>>"$W/write-codes.txt")
    else
      version=$(curl -s -H "Authorization: Bearer $KEY" "$BASE/api/v1/admin/articles/$last" | python3 -c 'import sys,json; print(json.load(sys.stdin)["version"])')
      curl -s -o /dev/null -w '%{http_code}\n' -X PATCH -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
        -d "{\"version\":$version,\"summary\":\"Edited by the soak at step $n.\"}" "$BASE/api/v1/admin/articles/$last" >> "$W/write-codes.txt"
    fi
    sleep 1
  done
}
writer &
WRITER=$!

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
echo "== soak: $SECS s, wrk $CONNS connections, one write a second"
echo "minute  requests  req/s   p50      p99      non-2xx/errors  RSS (MB)"
START=$(date +%s)
minute=0
total_requests=0
while [ $(( $(date +%s) - START )) -lt "$SECS" ]; do
  minute=$((minute + 1))
  left=$(( SECS - ($(date +%s) - START) ))
  d=$(( left < WINDOW ? left : WINDOW ))
  [ "$d" -le 0 ] && break
  out=$(wrk -t2 -c"$CONNS" -d"${d}s" --latency -s scripts/soak.lua "$BASE")
  req=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}')
  total_requests=$((total_requests + req))
  printf "%6d  %8d  %6.0f  %-7s  %-7s  %14d  %8.1f\n" "$minute" "$req" "$rps" "$p50" "$p99" "$bad" "$(awk -v k="$(rss_kb)" 'BEGIN {print k / 1000}')"
done
kill "$WRITER" 2>/dev/null || true
echo "== writes: $(sort "$W/write-codes.txt" | uniq -c | tr '\n' ' ')"
echo "== requests: $total_requests; peak RSS $(awk '/^VmHWM/ {printf "%.1f MB", $2/1000}' "/proc/$SERVER/status")"
