#!/bin/sh
# Archive export and import time for a 10,000-article store (issue 11, item 6).
#   cargo build --release -p dateline && scripts/bench_archive.sh
# Set PG_URL=postgres://…/empty_db to also time an import into PostgreSQL (the database
# must be empty). BIN overrides the binary.
set -eu
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/dateline}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
scripts/bench_corpus.py ../shared/corpus/bbc.jsonl 10000 > "$W/10k.jsonl"
"$BIN" --data-dir "$W/a" import --format jsonl "$W/10k.jsonl"
echo "== export (SQLite)"
/usr/bin/time -f '%e s wall, %M KiB peak RSS' "$BIN" --data-dir "$W/a" export --format archive "$W/archive"
du -sh "$W/archive"
echo "== import (SQLite), including the search/related rebuild"
/usr/bin/time -f '%e s wall, %M KiB peak RSS' "$BIN" --data-dir "$W/b" import --format archive "$W/archive"
"$BIN" --data-dir "$W/b" export --format archive "$W/again"
diff -r "$W/archive" "$W/again" && echo "second export: identical bytes"
if [ -n "${PG_URL:-}" ]; then
  echo "== import (PostgreSQL), including the search/related rebuild"
  /usr/bin/time -f '%e s wall, %M KiB peak RSS' "$BIN" --data-dir "$W/c" --database-url "$PG_URL" import --format archive "$W/archive"
  echo "== export (PostgreSQL)"
  /usr/bin/time -f '%e s wall, %M KiB peak RSS' "$BIN" --data-dir "$W/c" --database-url "$PG_URL" export --format archive "$W/pg"
  diff -r "$W/archive" "$W/pg" && echo "PostgreSQL export: identical bytes"
fi
