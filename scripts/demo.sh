#!/usr/bin/env bash
# Sets up whatever is missing, builds Tenant Mesh and starts it in demo mode at http://127.0.0.1:3000
# (the built-in emulator of Microsoft Graph and Entra sign-in; no configuration needed).
# Extra arguments go to the server, e.g. `scripts/demo.sh --addr 127.0.0.1:8080`, or
# `scripts/demo.sh --scenario scale:100:300` for 100 tenants in one MTO (the server then keeps its
# data in data/scale.sqlite unless TENANTMESH_DATABASE_URL names a database).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
say "building (release)"
cargo leptos build --release --cargo-locked
say "starting Tenant Mesh in demo mode"
exec target/release/server "$@"
