# shellcheck shell=bash
# Sourced by the scripts: a throwaway PostgreSQL server for the tests, from Debian's `postgresql`
# package.
#
#   postgres_install   install the server if no initdb is found (idempotent; sets POSTGRES_BIN)
#   postgres_start     start a throwaway cluster in a temporary folder on a free port from 55432 up,
#                      export TENANTMESH_TEST_POSTGRES_URL, and stop and remove it when the calling
#                      shell exits (an EXIT trap, chained after any trap already set)
#
# initdb refuses to run as root: as root, the cluster belongs to and runs as the `postgres` user.

# The newest server's bin folder (/usr/lib/postgresql/<version>/bin), or pg_config's; none: empty.
postgres_bindir() {
  local initdb dir
  initdb="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
  if [ -n "$initdb" ]; then
    dirname "$initdb"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
      echo "$dir"
    fi
  fi
}

postgres_install() {
  POSTGRES_BIN="$(postgres_bindir)"
  if [ -n "$POSTGRES_BIN" ]; then
    return 0
  fi
  _postgres_say "installing PostgreSQL (Debian's postgresql package) for the tests"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "PostgreSQL is not installed and this user cannot install it (not root, no sudo):" \
        "install Debian's postgresql package (apt-get install postgresql), then run this again" >&2
      return 1
    fi
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  POSTGRES_BIN="$(postgres_bindir)"
  if [ -z "$POSTGRES_BIN" ]; then
    echo "the postgresql package was installed but no initdb was found under /usr/lib/postgresql" >&2
    return 1
  fi
}

postgres_start() {
  POSTGRES_BIN="${POSTGRES_BIN:-$(postgres_bindir)}"
  if [ -z "$POSTGRES_BIN" ]; then
    echo "PostgreSQL is not installed: run scripts/setup.sh (or apt-get install postgresql)" >&2
    return 1
  fi
  # A short path: the server's Unix socket goes in it too (at most 107 bytes).
  POSTGRES_DIR="$(mktemp -d /tmp/tenant-mesh-pg.XXXXXX)"
  POSTGRES_LOG="$POSTGRES_DIR/postgres.log"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$POSTGRES_DIR"
  fi
  # Chained before anything can be left behind; a stop before the start is harmless.
  _postgres_chain_exit_trap

  if ! _postgres_as_owner "$POSTGRES_BIN/initdb" -D "$POSTGRES_DIR/data" -A trust -U postgres \
    --no-sync -E UTF8 --locale=C >"$POSTGRES_DIR/initdb.log" 2>&1; then
    echo "initdb failed:" >&2
    tail -n 30 "$POSTGRES_DIR/initdb.log" >&2
    return 1
  fi

  # The first port from 55432 up where no server answers; if another process takes it between the
  # check and the start (the server then cannot bind), the next one.
  local port=55432 last=55532
  while [ "$port" -le "$last" ]; do
    if _postgres_port_in_use "$port"; then
      port=$((port + 1))
      continue
    fi
    if _postgres_as_owner "$POSTGRES_BIN/pg_ctl" start -w -t 60 -D "$POSTGRES_DIR/data" \
      -l "$POSTGRES_LOG" \
      -o "-p $port -k $POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      >/dev/null 2>&1; then
      export TENANTMESH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    if grep -qiE 'could not bind|address already in use|could not create any TCP/IP sockets' \
      "$POSTGRES_LOG" 2>/dev/null; then
      : >"$POSTGRES_LOG"
      port=$((port + 1))
      continue
    fi
    echo "PostgreSQL did not start; the end of its log:" >&2
    tail -n 30 "$POSTGRES_LOG" >&2 2>/dev/null || true
    return 1
  done
  echo "no free port for PostgreSQL between 55432 and $last" >&2
  return 1
}

# Stops the server (if it runs) and removes its folder. Called by the EXIT trap; safe to call twice.
postgres_stop() {
  if [ -z "${POSTGRES_DIR:-}" ] || [ ! -d "$POSTGRES_DIR" ]; then
    return 0
  fi
  if [ -f "$POSTGRES_DIR/data/postmaster.pid" ]; then
    _postgres_as_owner "$POSTGRES_BIN/pg_ctl" stop -w -D "$POSTGRES_DIR/data" -m immediate \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$POSTGRES_DIR"
  POSTGRES_DIR=
  unset TENANTMESH_TEST_POSTGRES_URL
}

_postgres_say() {
  if declare -F say >/dev/null; then say "$*"; else echo "$*"; fi
}

# Runs a PostgreSQL program as the cluster's owner: `postgres` when root, else this user. From the
# cluster's folder, so the `postgres` user is never left in a folder it may not read.
_postgres_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$POSTGRES_DIR" && runuser -u postgres -- "$@")
  else
    (cd "$POSTGRES_DIR" && "$@")
  fi
}

# True when something answers on 127.0.0.1:<port> (a PostgreSQL server or anything else).
_postgres_port_in_use() {
  local state=0
  "$POSTGRES_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2 || state=$?
  # 0 accepting, 1 rejecting (starting up), 2 no answer, 3 no attempt made.
  if [ "$state" -ne 2 ]; then
    return 0
  fi
  # Not PostgreSQL, or nothing at all: a connection that succeeds means the port is taken.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Adds postgres_stop to the EXIT trap without dropping the trap that was there: the previous
# commands run after it, with the exit status they would have seen. INT and TERM (when not trapped
# already) exit through it too.
_postgres_chain_exit_trap() {
  if [ -n "${_POSTGRES_TRAP_SET:-}" ]; then
    return 0
  fi
  _POSTGRES_TRAP_SET=1
  _POSTGRES_PREVIOUS_EXIT_TRAP=
  local previous words
  previous="$(trap -p EXIT)"
  if [ -n "$previous" ]; then
    # `trap -- '<commands>' EXIT`, quoted for eval.
    eval "words=($previous)"
    _POSTGRES_PREVIOUS_EXIT_TRAP="${words[2]}"
  fi
  trap '_postgres_on_exit' EXIT
  [ -n "$(trap -p INT)" ] || trap 'exit 130' INT
  [ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
}

_postgres_on_exit() {
  local status=$? errexit=
  postgres_stop
  if [ -n "${_POSTGRES_PREVIOUS_EXIT_TRAP:-}" ]; then
    # The previous commands see the exit status in $?; `set -e` would end the trap at that line.
    case $- in *e*) errexit=1 && set +e ;; esac
    (exit "$status")
    eval "$_POSTGRES_PREVIOUS_EXIT_TRAP"
    [ -z "$errexit" ] || set -e
  fi
  return "$status"
}
