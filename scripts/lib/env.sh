# Sourced by the scripts: where the project's own tools live and the PATH that finds them.
# The tools folder is outside the repository so a fresh clone on the same machine reuses it.
TOOLS="${TENANTMESH_TOOLS:-$HOME/.cache/tenant-mesh/tools}"
export TOOLS
export PATH="$TOOLS/bin:$TOOLS/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Pinned versions (see shared toolchain notes: these are known to work together offline).
CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
MSGRAPH_SDK_VERSION=1.65.0

say() { printf '\033[1m[tenant-mesh]\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}
