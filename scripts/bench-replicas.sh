#!/usr/bin/env bash
# The load benchmark of one and two dashboard replicas on one PostgreSQL database
# (`server/benches/replicas.rs`): starts a throwaway PostgreSQL (Debian's package) unless
# TENANTMESH_TEST_POSTGRES_URL names one, runs the bench, stops the server. Loopback only, bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
if [ -z "${TENANTMESH_TEST_POSTGRES_URL:-}" ]; then
  postgres_install
  postgres_start
fi
cargo bench --locked -p server --bench replicas
