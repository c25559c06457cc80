#!/usr/bin/env bash
# Runs every test of Tenant Mesh: formatting, lints, the native test suites (unit, integration against
# the emulator and a throwaway PostgreSQL), then a release build with the browser tests, and prints
# the bundle sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
started=$SECONDS
step() { say "── $* ($((SECONDS - started))s)"; }

step "format"
cargo fmt --all --check

step "Graph paths only in the graph crate"
scripts/graph-paths.sh

step "lints (server side)"
cargo clippy --locked --all-targets -- -D warnings
step "lints (browser bundle)"
cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

step "throwaway PostgreSQL (kept until the browser tests end)"
# The server's tests run against it too (TENANTMESH_TEST_POSTGRES_URL; with CI set they fail without
# it). One given in the environment is used as it is.
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
if [ -n "${TENANTMESH_TEST_POSTGRES_URL:-}" ]; then
  say "using the given TENANTMESH_TEST_POSTGRES_URL"
else
  postgres_start
  say "PostgreSQL at $TENANTMESH_TEST_POSTGRES_URL"
fi

step "native tests"
# In parallel: the stall seen with several dashboards in one process was a flag of Leptos' route
# generation that is global to the process (server/src/router.rs generates the routes once).
cargo test --locked

step "Microsoft Graph SDK (Python) against the emulator"
scripts/sdk-test.sh

step "release build and browser tests"
RUST_LOG=warn CI=true cargo leptos end-to-end --release --cargo-locked 2>&1 | tee target/end2end.log
# cargo-leptos has answered 0 after a browser bundle that failed to compile: check that the bundle
# was built and that the specs ran.
compgen -G "target/site/pkg/*.wasm" >/dev/null || { say "the browser bundle was not built"; exit 1; }
grep -Eq "[0-9]+ passed" target/end2end.log || { say "no browser test ran"; exit 1; }

step "bundle size"
scripts/bundle-size.sh

step "all tests passed"
