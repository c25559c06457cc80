#!/usr/bin/env bash
# Prints the size of the browser bundle (raw and gzip) of the last build in target/site/pkg.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
if [ ! -d "$pkg" ]; then
  echo "no bundle in $pkg: build first (cargo leptos build --release)" >&2
  exit 1
fi
printf '%-28s %12s %12s\n' "file" "raw bytes" "gzip bytes"
for file in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/*.css; do
  [ -f "$file" ] || continue
  raw=$(wc -c <"$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  printf '%-28s %12d %12d\n' "$(basename "$file")" "$raw" "$gz"
done
