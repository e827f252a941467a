#!/usr/bin/env bash
# Sitemap latency at a large archive (docs/BENCHMARKS.md, "Sitemaps"):
#   scripts/bench_sitemaps.sh [ARTICLES]      (default 1,000,000)
# Makes a SQLite store with the app's schema (by importing the distribution fixture), then
# adds ARTICLES rows straight into it with one SQL statement (90 % published, the rest
# drafts, unpublished and scheduled, ~1.2 kB of body each) — the import path renders every
# body and would take hours at this size — and serves it. Measures the first (uncached)
# request of the sitemap index and of 20 article sitemap files spread over the archive,
# with curl, and prints SQLite's plan for a sitemap page. The search indexer starts
# rebuilding on the other core while this runs, so the figures are under load.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
n=${1:-1000000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
cargo build --locked --quiet -p dateline --bin dateline
bin="$CARGO_TARGET_DIR/debug/dateline"
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
clean_env=(env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR -u DATELINE_BASE_URL -u DATELINE_DATA_DIR)
"${clean_env[@]}" "$bin" import --format jsonl "$repo/crates/testkit/testdata/distribution/articles.jsonl" \
  --data-dir "$work/data" </dev/null >/dev/null 2>&1
echo "==> adding $n articles"
python3 - "$work/data/dateline.db" "$n" <<'PY'
import sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
t = time.time()
c.execute("""
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
INSERT INTO articles (slug, title, body_markdown, body_html, teaser, tags_json, authors_json,
  status, created_at, published_at, updated_at, version, word_count)
SELECT 'bench-story-' || i, 'Bench story ' || i, substr(printf('%.600c', 'x'), 1, 600),
  '<p>' || substr(printf('%.600c', 'y'), 1, 600) || '</p>', 'Teaser ' || i, '[]', '[]',
  CASE i % 20 WHEN 0 THEN 'draft' WHEN 1 THEN 'unpublished' ELSE 'published' END,
  1100000000 + i * 600, 1100000000 + i * 600, 1100000000 + i * 600 + (i % 7) * 3600, 1, 100
FROM k""", (n,))
c.commit()
c.execute("ANALYZE")
c.commit()
print(f"inserted {n} rows in {time.time() - t:.0f}s")
for row in c.execute("EXPLAIN QUERY PLAN SELECT x.slug, x.updated_at, x.published_at FROM articles x "
                     "WHERE x.id >= 500000 AND x.id < 510000 AND x.status = 'published' "
                     "AND x.published_at <= 2000000000 ORDER BY x.id"):
    print("plan:", row[3])
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
("${clean_env[@]}" "$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" </dev/null >"$work/out" 2>"$work/log") &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
t=$(curl -s -o "$work/index.xml" -w '%{time_total}' "$base/sitemap.xml")
echo "sitemap index: $(grep -o '<sitemap>' "$work/index.xml" | wc -l) sitemaps, first request ${t}s"
files=$(grep -o "$base/sitemaps/articles-[0-9]*\.xml" "$work/index.xml" | awk 'NR % 5 == 1' | head -20)
for f in $files; do
  curl -s -o "$work/page.xml" -w "%{time_total} %{size_download}\n" "$f" | while read -r secs bytes; do
    echo "$(basename "$f"): $(grep -o '<url>' "$work/page.xml" | wc -l) URLs, $bytes bytes, ${secs}s"
  done
done
