#!/usr/bin/env bash
# Feeds and sitemaps checked by real validators against a running server:
#   scripts/validate_distribution.sh
# Installs what it needs when missing (xmllint from libxml2-utils; feedparser and jsonschema
# pinned in a virtualenv under the cargo target dir), builds `dateline`, imports the fixture
# crates/testkit/testdata/distribution/articles.jsonl (hostile headlines, right-to-left
# text, emoji, sections, tags, bylines, lead images, an old article and a draft) into a
# temporary data dir, serves it on 127.0.0.1 (free port) and runs
# scripts/validate_distribution.py: every sitemap through `xmllint --schema` (sitemaps.org
# and Google News XSDs), every feed through feedparser, Atom through `xmllint --relaxng`
# (RFC 4287), RSS through explicit RSS 2.0 rule checks, JSON Feed through its JSON schema.
# The schemas are vendored in crates/testkit/testdata/schemas (see its README). Fails on
# any validation error. Works with no stdin under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

feedparser_version=6.0.14
jsonschema_version=4.26.0

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null; then
  export CARGO_TARGET_DIR="$repo/target"
fi
export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
started=$SECONDS

need_packages=()
command -v xmllint >/dev/null || need_packages+=(libxml2-utils)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "==> installing ${need_packages[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

venv="$CARGO_TARGET_DIR/distribution-venv-$feedparser_version-$jsonschema_version"
if ! "$venv/bin/python" -c 'import feedparser, jsonschema, rfc3987, rfc3339_validator' 2>/dev/null; then
  echo "==> installing feedparser $feedparser_version and jsonschema $jsonschema_version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip without python3-venv.
    rm -rf "$venv"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  # rfc3987 and rfc3339-validator let jsonschema check the schema's "uri" and
  # "date-time" formats instead of skipping them.
  "$venv/bin/pip" install --quiet "feedparser==$feedparser_version" \
    "jsonschema==$jsonschema_version" "rfc3987==1.3.8" "rfc3339-validator==0.1.4"
fi

echo "==> building dateline"
cargo build --locked --quiet -p dateline --bin dateline
bin="$CARGO_TARGET_DIR/debug/dateline"

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The server gets only our settings: no database URL, address or config file from outside.
clean_env=(env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR
  -u DATELINE_BASE_URL -u DATELINE_DATA_DIR -u DATELINE_SITE_NAME)
(cd "$work" && "${clean_env[@]}" "$bin" import --format jsonl \
  "$repo/crates/testkit/testdata/distribution/articles.jsonl" --data-dir "$work/data" \
  </dev/null >"$work/import.log" 2>&1) || { echo "import failed:"; cat "$work/import.log"; exit 1; }

# A fixed free port rather than :0, because feeds and sitemaps print absolute URLs built
# from the base URL, which defaults to the address given.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$work/serve.log"
(cd "$work" && exec "${clean_env[@]}" DATELINE_SITE_NAME="The Gazette & Co <Test>" \
  "$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" --log-format json \
  </dev/null >"$work/serve.out" 2>"$log") &
server=$!

base=
for _ in $(seq 1 300); do
  base=$(grep -ao 'serving on http://127\.0\.0\.1:[0-9]*' "$log" "$work/serve.out" 2>/dev/null \
    | head -1 | sed 's/.*serving on //') || true
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { echo "dateline serve exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "dateline serve did not say where it listens:"; cat "$log"; exit 1; }

echo "==> validating feeds and sitemaps at $base"
rc=0
"$venv/bin/python" "$repo/scripts/validate_distribution.py" "$base" \
  "$repo/crates/testkit/testdata/schemas" </dev/null || rc=$?
if grep -aq 'panicked' "$log"; then
  echo "the server panicked:"
  grep -a 'panicked' "$log" | head -20
  rc=1
fi
if [ "$rc" != 0 ]; then
  echo "==> feed and sitemap validation failed (exit $rc)"
  exit "$rc"
fi
echo "==> feeds and sitemaps valid in $((SECONDS - started))s"
