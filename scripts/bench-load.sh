#!/usr/bin/env bash
# The pages under load: the release server in demo mode on a free loopback port with a throwaway
# SQLite database, one browser session signed in to Contoso, Fabrikam and Woodgrove Bank as their
# admins (the real sign-in flow, with curl and a cookie jar), then each page for BENCH_SECONDS
# (default 30) at BENCH_CONNECTIONS (default 64) concurrent connections with that session's
# cookie. Prints per page: p50, p99 and the slowest latency, requests per second, non-2xx answers
# and socket errors, the server's resident set after the page's run and the size of the page.
#
#   scripts/bench-load.sh                     every page, 30 s each
#   BENCH_SECONDS=5 scripts/bench-load.sh     a quick run
#   BENCH_PAGES="/ /joins" scripts/bench-load.sh
#   BENCH_SERVER=/path/to/server scripts/bench-load.sh   another build of the server (no build)
#   BENCH_LOG=/path/to/file scripts/bench-load.sh         keep the server's log there
#
# Loopback only; bounded: each page's run stops after BENCH_SECONDS (and the load tool is killed if
# it overruns), the server is stopped and its database removed on exit. Builds the release first
# when the sources are newer than target/release/server. The load tool (Debian's `wrk`, else `oha`)
# is installed on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
# shellcheck source=lib/loadtool.sh
source scripts/lib/loadtool.sh

DURATION="${BENCH_SECONDS:-30}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
# Contoso's tenant id in the demo scenario (`emulator::scenario::CONTOSO`), for the segmented users.
CONTOSO_ID=2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11
PAGES="${BENCH_PAGES:-/ /sync /users /users?tenant=$CONTOSO_ID /joins}"
ACCOUNTS=(
  "contoso.onmicrosoft.com admin@contoso.onmicrosoft.com"
  "fabrikam.onmicrosoft.com admin@fabrikam.onmicrosoft.com"
  "woodgrovebank.onmicrosoft.com admin@woodgrovebank.onmicrosoft.com"
)
case "$DURATION" in '' | *[!0-9]* | 0) echo "BENCH_SECONDS must be a positive whole number" >&2 && exit 2 ;; esac
case "$CONNECTIONS" in '' | *[!0-9]* | 0) echo "BENCH_CONNECTIONS must be a positive whole number" >&2 && exit 2 ;; esac

fail() {
  echo "bench-load: $*" >&2
  exit 1
}

load_tool_install

# ── build (only when something the binary is made of is newer than it) ──────────────────────────
stale_build() {
  [ -x target/release/server ] || return 0
  [ -n "$(find Cargo.toml Cargo.lock app server graph emulator frontend style public \
    -newer target/release/server -type f ! -path '*/target/*' -print -quit 2>/dev/null)" ]
}
SERVER="${BENCH_SERVER:-target/release/server}"
if [ -n "${BENCH_SERVER:-}" ]; then
  [ -x "$SERVER" ] || fail "BENCH_SERVER=$SERVER is not an executable"
  say "using $SERVER as it is"
elif stale_build; then
  scripts/setup.sh --build
  say "building (release)"
  cargo leptos build --release --cargo-locked
else
  say "reusing target/release/server (no source is newer)"
fi

# ── the server ──────────────────────────────────────────────────────────────────────────────────
WORK="$(mktemp -d /tmp/tenant-mesh-bench.XXXXXX)"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${BENCH_LOG:-}" ] && [ -f "$WORK/server.log" ]; then cp "$WORK/server.log" "$BENCH_LOG"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=$((20000 + RANDOM % 20000))
for _ in $(seq 1 200); do
  port_in_use "$PORT" || break
  PORT=$((PORT + 1))
done
port_in_use "$PORT" && fail "no free loopback port found"
BASE="http://127.0.0.1:$PORT"

TENANTMESH_DATABASE_URL="sqlite://$WORK/bench.sqlite" TENANTMESH_ADDR="127.0.0.1:$PORT" \
  TENANTMESH_SITE_ROOT="${TENANTMESH_SITE_ROOT:-target/site}" RUST_LOG="${RUST_LOG:-warn}" \
  "$SERVER" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  if curl -fs -o /dev/null "$BASE/healthz"; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; fail "the server stopped at start"; }
  sleep 0.1
done
curl -fs -o /dev/null "$BASE/healthz" || fail "the server did not answer /healthz within 30 s"

# ── one session, three sign-ins, the way a browser goes through them ────────────────────────────
JAR="$WORK/cookies"
for account in "${ACCOUNTS[@]}"; do
  read -r tenant upn <<<"$account"
  authorize="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$JAR" -c "$JAR" \
    "$BASE/auth/login?tenant=$tenant&login_hint=$upn&next=%2F")"
  [ -n "$authorize" ] || fail "/auth/login for $tenant did not redirect to the authorize page"
  # The emulator answers at once with a code for `prompt=none` and a known `login_hint`.
  callback="$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize&prompt=none")"
  case "$callback" in "$BASE/auth/callback"*) ;; *) fail "no code from the authorize page for $upn (got '$callback')" ;; esac
  done_at="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$JAR" -c "$JAR" "$callback")"
  case "$done_at" in 30[23]" $BASE/"*) ;; *) fail "the callback for $upn answered '$done_at'" ;; esac
  case "$done_at" in *"/signin"*) fail "the sign-in of $upn was refused: $done_at" ;; esac
done
COOKIE="$(awk '$6 == "tenant_mesh_session" { value = $7 } END { print value }' "$JAR")"
[ -n "$COOKIE" ] || fail "no session cookie after signing in"
COOKIE="tenant_mesh_session=$COOKIE"
home="$(curl -s -b "$COOKIE" "$BASE/")"
for account in "${ACCOUNTS[@]}"; do
  read -r _ upn <<<"$account"
  grep -q "$upn" <<<"$home" || fail "/ does not show the sign-in of $upn"
done

# Checks that a page answers 200 to the session (not a redirect to /signin), warming its caches;
# prints the size of its body.
page_size() {
  local answer code size
  answer="$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{redirect_url}' -b "$COOKIE" "$BASE$1")"
  read -r code size _ <<<"$answer"
  [ "$code" = 200 ] || fail "$1 answered '$answer' (a redirect to /signin: the session is not signed in)"
  echo "$size"
}

# Panics the server logged since the page's run began: a page whose render panics after its status
# line was sent ends short, which the load tool counts as an answer.
PANICS_BEFORE=0
panics() {
  local now
  now="$(grep -c 'panicked' "$WORK/server.log" || true)"
  echo $((now - PANICS_BEFORE))
}

rss_mib() {
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?"
}

# Seconds with a decimal point from a wrk duration ("1.23ms", "812.00us", "2.01s", "1.5m").
wrk_ms() {
  awk -v d="$1" 'BEGIN {
    n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.1f", n }'
}

# Bytes from a wrk size ("12.34MB", "512.00KB", "900B").
wrk_bytes() {
  awk -v d="$1" 'BEGIN {
    n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    if (u == "KB") n *= 1024; else if (u == "MB") n *= 1048576; else if (u == "GB") n *= 1073741824
    printf "%.0f", n }'
}

run_wrk() {
  local page=$1 size=$2 out
  out="$(timeout $((DURATION + 60)) wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --timeout 30s --latency \
    -H "Cookie: $COOKIE" "$BASE$page")" || fail "wrk failed on $page: $out"
  echo "$out" >"$WORK/wrk.out"
  local p50 p99 max rps requests bytes non2xx errors
  p50="$(wrk_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(wrk_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  max="$(wrk_ms "$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' <<<"$out")")"
  rps="$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' <<<"$out")"
  requests="$(awk '/requests in/ { print $1 }' <<<"$out")"
  bytes="$(wrk_bytes "$(awk '/requests in/ { print $5 }' <<<"$out")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  errors="$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' <<<"$out")"
  # wrk counts a 3xx as a success: a body much smaller than the page's means redirects (a session
  # that is not signed in) or error pages.
  local short=0
  if [ "${requests:-0}" -gt 0 ] && [ "$((bytes / requests))" -lt "$((size / 2))" ]; then short=1; fi
  printf '%-58s %8s %8s %8s %7s %6s %6s %6s %7s %8s\n' "$page" "$p50" "$p99" "$max" "$rps" \
    "${non2xx:-0}" "${errors:-0}" "$(panics)" "$(rss_mib)" "$((size / 1024))"
  [ "$short" = 0 ] || fail "$page: $requests answers of $((bytes / requests)) bytes on average, the page has $size: not the page"
}

run_oha() {
  local page=$1 size=$2 out
  out="$(timeout $((DURATION + 60)) oha --no-tui -z "${DURATION}s" -c "$CONNECTIONS" -t 30s \
    -H "Cookie: $COOKIE" --redirect 0 "$BASE$page")" || fail "oha failed on $page: $out"
  echo "$out" >"$WORK/oha.out"
  local p50 p99 max rps ok total errors
  p50="$(awk '$1 == "50.00%" { printf "%.1f", $3 * 1000 }' <<<"$out")"
  p99="$(awk '$1 == "99.00%" { printf "%.1f", $3 * 1000 }' <<<"$out")"
  max="$(awk '$1 == "Slowest:" { printf "%.1f", $2 * 1000 }' <<<"$out")"
  rps="$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' <<<"$out")"
  ok="$(awk '$1 == "[200]" { print $2 }' <<<"$out")"
  total="$(awk '/^ *\[[0-9]+\]/ { n += $2 } END { print n + 0 }' <<<"$out")"
  errors="$(awk '/^Error distribution/ { e = 1; next } e && /^ *\[[0-9]+\]/ { n += substr($1, 2) + 0 } END { print n + 0 }' <<<"$out")"
  printf '%-58s %8s %8s %8s %7s %6s %6s %6s %7s %8s\n' "$page" "$p50" "$p99" "$max" "$rps" \
    "$((total - ${ok:-0}))" "$errors" "$(panics)" "$(rss_mib)" "$((size / 1024))"
}

say "$LOAD_TOOL: $CONNECTIONS connections, ${DURATION} s per page, one session signed in to 3 tenants, server at $BASE (pid $SERVER_PID)"
printf '%-58s %8s %8s %8s %7s %6s %6s %6s %7s %8s\n' "page" "p50 ms" "p99 ms" "max ms" "req/s" "non2xx" "errors" "panics" "RSS MiB" "page KiB"
status=0
for page in $PAGES; do
  size="$(page_size "$page")"
  PANICS_BEFORE="$(grep -c 'panicked' "$WORK/server.log" || true)"
  "run_$LOAD_TOOL" "$page" "$size" || status=1
  [ "$(panics)" = 0 ] || status=1
  # The session must still be signed in after the run.
  page_size "$page" >/dev/null
done
if grep -qiE ' (error|panicked)' "$WORK/server.log"; then
  say "the server logged errors ($(grep -ciE ' (error|panicked)' "$WORK/server.log") lines; the last ones):"
  grep -iE -A 2 ' (error|panicked)' "$WORK/server.log" | tail -n 30
  status=1
fi
exit "$status"
