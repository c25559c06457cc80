# shellcheck shell=bash
# Sourced by scripts/bench-load.sh: the HTTP load generator, installed only when a load benchmark
# runs (never by scripts/setup.sh or the tests).
#
#   load_tool_install   sets LOAD_TOOL to `wrk` (Debian's package, installed with apt-get when
#                       missing) or, where apt-get cannot install it, `oha` (cargo install into
#                       $TOOLS, slow to build); idempotent.

# shellcheck disable=SC2034 # LOAD_TOOL is read by the script that sources this file
load_tool_install() {
  if command -v wrk >/dev/null 2>&1; then
    LOAD_TOOL=wrk
    return 0
  fi
  if command -v oha >/dev/null 2>&1; then
    LOAD_TOOL=oha
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  fi
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ "${#sudo[@]}" -gt 0 ]; }; then
    _load_tool_say "installing wrk (Debian's package) for the load benchmark"
    if "${sudo[@]}" apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null &&
      command -v wrk >/dev/null 2>&1; then
      LOAD_TOOL=wrk
      return 0
    fi
  fi
  _load_tool_say "wrk cannot be installed here: building oha instead (several minutes)"
  mkdir -p "$TOOLS/bin"
  cargo install oha --locked --root "$TOOLS"
  LOAD_TOOL=oha
}

_load_tool_say() {
  if declare -F say >/dev/null; then say "$*"; else echo "$*"; fi
}
