#!/usr/bin/env bash
# Schema-driven fuzzing of the HTTP API against a running server:
#   scripts/api_fuzz.sh
# Builds `dateline`, starts `dateline serve --demo` on 127.0.0.1 (free port) with a temporary
# data dir and an editor API key, and runs schemathesis (pinned, in a virtualenv under the
# cargo target dir) against /api/v1/openapi.json: every operation, valid and invalid
# requests, and the stateful phase that follows the document's links from a created article.
# Fails on any 5xx, any response that does not match the document (status, Content-Type,
# headers, body schema), an authenticated operation that answers without the key, a deleted
# article that is still there, or a panic in the server log. Bounded: at most
# API_FUZZ_TIMEOUT seconds (default 150) for schemathesis itself.
#
#   API_FUZZ_EXAMPLES  test cases per operation and phase (default 25)
#   API_FUZZ_SEED      random seed (default fixed, so CI runs are repeatable; set it to explore)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

schemathesis_version=4.32.5
examples=${API_FUZZ_EXAMPLES:-25}
seed=${API_FUZZ_SEED:-20260901}
fuzz_timeout=${API_FUZZ_TIMEOUT:-150}

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null; then
  export CARGO_TARGET_DIR="$repo/target"
fi
export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
started=$SECONDS

venv="$CARGO_TARGET_DIR/schemathesis-$schemathesis_version"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$schemathesis_version"; then
  echo "==> installing schemathesis $schemathesis_version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 has no ensurepip without python3-venv.
    rm -rf "$venv"
    as_root apt-get update -qq
    as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet "schemathesis==$schemathesis_version"
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
run() {
  (cd "$work" && env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR \
    -u DATELINE_BASE_URL -u DATELINE_DATA_DIR "$bin" "$@" --data-dir "$work/data")
}

key=$(run key create --role editor --name fuzz 2>>"$work/cli.log" </dev/null | tail -1) || true
case "$key" in
  dl_*) ;;
  *) echo "dateline key create printed no key:"; cat "$work/cli.log"; exit 1 ;;
esac

log="$work/serve.log"
(cd "$work" && exec env -u DATELINE_DATABASE_URL -u DATELINE_CONFIG -u DATELINE_ADDR \
  -u DATELINE_BASE_URL -u DATELINE_DATA_DIR \
  "$bin" serve --data-dir "$work/data" --demo --addr 127.0.0.1:0 --log-format json \
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

# Ready = search and related articles loaded (so the fuzzer sees the real answers).
"$venv/bin/python" - "$base/readyz" <<'PY'
import sys, time, urllib.request, urllib.error
deadline = time.time() + 60
while True:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
            if r.status == 200:
                break
    except (urllib.error.URLError, OSError):
        pass
    if time.time() > deadline:
        sys.exit(f"{sys.argv[1]} did not answer 200 within 60 s")
    time.sleep(0.2)
PY

echo "==> schemathesis $schemathesis_version against $base/api/v1/openapi.json (seed $seed, $examples examples)"
checks=not_a_server_error,status_code_conformance,content_type_conformance
checks+=,response_headers_conformance,response_schema_conformance
checks+=,negative_data_rejection,missing_required_header,unsupported_method,ignored_auth
checks+=,use_after_free,ensure_resource_availability
# One worker: with several, Python <= 3.11.7 (Debian 12 has 3.11.2) can fail inside
# schemathesis with "SystemError: AST constructor recursion depth mismatch" (CPython
# gh-106905, ast.parse from two threads), an error of the tool, not of the API.
rc=0
(cd "$work" && timeout --kill-after=10 "$fuzz_timeout" "$venv/bin/schemathesis" --no-color run \
  "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks "$checks" \
  --max-examples "$examples" \
  --seed "$seed" \
  --workers 1 \
  --request-timeout 10 \
  </dev/null) || rc=$?

if grep -aq 'panicked' "$log"; then
  echo "the server panicked during the fuzz run:"
  grep -a 'panicked' "$log" | head -20
  rc=1
fi
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  echo "schemathesis did not finish within ${fuzz_timeout}s"
fi
if [ "$rc" != 0 ]; then
  echo "==> API fuzzing failed (exit $rc); last server log lines:"
  tail -n 30 "$log"
  exit "$rc"
fi
echo "==> API fuzzing passed in $((SECONDS - started))s"
