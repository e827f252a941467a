#!/usr/bin/env bash
# The fast edit-test loop: formatting, lints and every test that needs nothing installed
# (SQLite only: no PostgreSQL, no root; browser tests skip when Chromium is missing).
#   scripts/check.sh            # everything below
#   scripts/check.sh store      # only tests whose name contains "store"
# The whole suite, as CI runs it, is scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/dateline/target}
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null; then
  export CARGO_TARGET_DIR="$PWD/target"
fi
unset DATELINE_TEST_DATABASE_URL CI

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo test (SQLite)"
cargo test --workspace --locked -- --test-threads="${TEST_THREADS:-4}" "$@"
echo "==> checks passed (SQLite only; scripts/test.sh runs PostgreSQL and the rest)"
