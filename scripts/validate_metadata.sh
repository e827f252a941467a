#!/usr/bin/env bash
# Share cards and structured data as real extractors read them:
#   scripts/validate_metadata.sh
# Builds `dateline`, starts `dateline serve` on 127.0.0.1 (free port) with a temporary data
# dir, a small config (a site name with `&` and quotes, an X account) and an editor API key,
# then runs crates/testkit/testdata/metadata/validate_metadata.py (pinned `extruct` in a
# virtualenv under the cargo target dir): it arranges hostile fixtures through the admin API,
# extracts Open Graph, Twitter and JSON-LD from the article, home, section, tag and author
# pages, asserts them field by field, and validates every JSON-LD node against the vendored
# schema.org vocabulary (crates/testkit/testdata/schemaorg/), after a self-test that shows
# the validator refusing wrong properties and types. Works under CI=true with no stdin.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

extruct_version=0.18.0

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null; then
  export CARGO_TARGET_DIR="$repo/target"
fi
export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

need_packages=()
command -v python3 >/dev/null || need_packages+=(python3)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "==> installing ${need_packages[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

venv="$CARGO_TARGET_DIR/extruct-$extruct_version"
if ! "$venv/bin/python" -c "import extruct, lxml.html" 2>/dev/null; then
  echo "==> installing extruct $extruct_version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip without python3-venv.
    rm -rf "$venv"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet "extruct==$extruct_version" </dev/null
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

cat >"$work/dateline.toml" <<'TOML'
site_name = "The Gazette & \"Post\""
twitter_site = "@gazette"
TOML

# The server gets only our settings: no database URL, address or config file from outside.
run() {
  (cd "$work" && env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR \
    -u DATELINE_BASE_URL -u DATELINE_DATA_DIR -u DATELINE_SITE_NAME "$bin" "$@" \
    --config "$work/dateline.toml" --data-dir "$work/data")
}

key=$(run key create --role editor --name metadata 2>>"$work/cli.log" </dev/null | tail -1) || true
case "$key" in
  dl_*) ;;
  *) echo "dateline key create printed no key:"; cat "$work/cli.log"; exit 1 ;;
esac

# A fixed free port rather than :0: pages print absolute URLs from the base URL, which
# `serve` derives from --addr before it binds.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log="$work/serve.log"
(cd "$work" && exec env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR \
  -u DATELINE_BASE_URL -u DATELINE_DATA_DIR -u DATELINE_SITE_NAME \
  "$bin" serve --config "$work/dateline.toml" --data-dir "$work/data" \
  --addr "127.0.0.1:$port" --log-format json </dev/null >"$work/serve.out" 2>"$log") &
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

echo "==> extracting and validating share cards and JSON-LD from $base"
rc=0
"$venv/bin/python" "$repo/crates/testkit/testdata/metadata/validate_metadata.py" --self-test \
  "$base" "$key" "$repo/crates/testkit/testdata/schemaorg/schemaorg-current-https.jsonld" \
  </dev/null || rc=$?
if grep -aq 'panicked' "$log"; then
  echo "the server panicked:"; grep -a 'panicked' "$log" | head -20; rc=1
fi
if [ "$rc" != 0 ]; then
  echo "==> metadata validation failed; last server log lines:"
  tail -n 20 "$log"
  exit "$rc"
fi
echo "==> metadata validation passed"
