#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Rust toolchain:
#   scripts/test.sh
# Installs and starts what the tests need (PostgreSQL on loopback, Chromium + chromedriver),
# then runs formatting, lints and every test on SQLite and PostgreSQL, then validates every
# feed and sitemap with real validators (scripts/validate_distribution.sh), fuzzes the HTTP API
# from its OpenAPI document (scripts/api_fuzz.sh) and checks share cards and JSON-LD with real
# extractors (scripts/validate_metadata.sh). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null; then
  export CARGO_TARGET_DIR="$PWD/target"
fi
export DEBIAN_FRONTEND=noninteractive

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

need_packages=()
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_packages+=(postgresql)
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || need_packages+=(chromium-driver)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "==> installing ${need_packages[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

echo "==> starting PostgreSQL on loopback"
read -r pg_version pg_cluster pg_port _ < <(pg_lsclusters -h | head -1)
if [ -z "${pg_version:-}" ]; then
  pg_version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  as_root pg_createcluster "$pg_version" main >/dev/null
  read -r pg_version pg_cluster pg_port _ < <(pg_lsclusters -h | head -1)
fi
if ! pg_lsclusters -h | awk '{print $4}' | head -1 | grep -q online; then
  as_root pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
  sleep 0.2
done
as_root runuser -u postgres -- psql -q -p "$pg_port" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dateline_test') THEN
    CREATE ROLE dateline_test LOGIN CREATEDB PASSWORD 'dateline_test';
  END IF;
END $$;
SQL
export DATELINE_TEST_DATABASE_URL="postgres://dateline_test:dateline_test@127.0.0.1:${pg_port}/postgres"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
echo "==> cargo test (SQLite and PostgreSQL, headless Chromium)"
cargo test --workspace --locked --no-fail-fast -- --test-threads="${TEST_THREADS:-4}"
echo "==> feeds and sitemaps against real validators (feedparser, xmllint, JSON schema)"
scripts/validate_distribution.sh
echo "==> API fuzzing (schemathesis against a running server)"
scripts/api_fuzz.sh
echo "==> share cards and JSON-LD (extruct, schema.org vocabulary)"
scripts/validate_metadata.sh
echo "==> all tests passed"
