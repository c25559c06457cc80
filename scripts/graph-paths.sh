#!/usr/bin/env bash
# Graph's paths, queries and request bodies are written in the graph crate only (graph/src/ops, built
# from validated ids): none may appear in the dashboard's own code (server/src, app/src), comments
# aside. Prints each offending line and fails if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='/tenantRelationships|/policies/|/servicePrincipals|/auditLogs|/groups([/?"]|$)|findTenantInformation|/v1\.0|/me/|/users\?\$|\$(select|filter|expand|top|count|search|orderby)='
if grep -rnE --include='*.rs' "$pattern" server/src app/src | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//'; then
  echo "Graph paths and queries belong in graph/src/ops (lines above)" >&2
  exit 1
fi
echo "no Graph path or query outside the graph crate"
