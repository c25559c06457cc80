#!/usr/bin/env bash
# Installs everything Tenant Mesh needs to build, run and test, skipping what is already present.
# Safe to run again and again. Used by scripts/demo.sh and scripts/test.sh.
# `scripts/setup.sh --build`: only what a release build needs (the Containerfile's builder): no
# Chromium, PostgreSQL, Playwright or Python SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
mkdir -p "$TOOLS/bin"
build_only=
if [ "${1:-}" = "--build" ]; then build_only=1; fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Browser for the end-to-end tests (Debian's Chromium; Playwright never downloads one).
if [ -z "$build_only" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# PostgreSQL server for the tests' throwaway database (Debian's postgresql package).
# shellcheck source=lib/postgres.sh
source scripts/lib/postgres.sh
if [ -z "$build_only" ]; then postgres_install; fi

# Rust target for the browser bundle.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos, built without its run-time downloads.
if ! "$TOOLS/bin/cargo-leptos" --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on a fresh machine)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --root "$TOOLS"
fi

# wasm-bindgen CLI at exactly the library version of Cargo.lock.
WASM_BINDGEN_VERSION="$(wasm_bindgen_version)"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "cannot find the wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi
if ! "$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS" --force
fi

# wasm-opt from npm's binaryen (Debian's older binaryen breaks release bundles).
if ! "$TOOLS/binaryen/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION)"
  npm install --prefix "$TOOLS/binaryen" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi

if [ -n "$build_only" ]; then
  say "build tools ready: $(cargo-leptos --version), wasm-bindgen $WASM_BINDGEN_VERSION, $(wasm-opt --version)"
  exit 0
fi

# Playwright and axe-core for the browser tests: (re)installed from the lock file when any pinned
# devDependency of end2end/package.json is missing or at another version.
end2end_deps_missing="$(node -e "
  const deps = require('./end2end/package.json').devDependencies;
  const missing = Object.entries(deps).filter(([name, version]) => {
    try { return require('./end2end/node_modules/' + name + '/package.json').version !== version; } catch { return true; }
  });
  console.log(missing.map(([name, version]) => name + '@' + version).join(' '));
")"
if [ -n "$end2end_deps_missing" ]; then
  say "installing the browser-test dependencies ($end2end_deps_missing)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi

# Microsoft's Graph SDK for Python, for the emulator's conformance test.
if ! "$TOOLS/venv/bin/pip" show msgraph-sdk 2>/dev/null | grep -x "Version: $MSGRAPH_SDK_VERSION" >/dev/null; then
  say "installing msgraph-sdk $MSGRAPH_SDK_VERSION (Python) for the emulator conformance test"
  [ -x "$TOOLS/venv/bin/python" ] || python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "msgraph-sdk==$MSGRAPH_SDK_VERSION"
fi

say "tools ready: $(cargo-leptos --version), wasm-bindgen $WASM_BINDGEN_VERSION, $(wasm-opt --version), Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), PostgreSQL $("$POSTGRES_BIN/postgres" --version | awk '{print $3}')"
