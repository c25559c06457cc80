#!/usr/bin/env bash
# Runs Microsoft's Graph SDK for Python against the emulator (demo scenario): the proof that a client
# written for Microsoft Graph cannot tell the difference on the endpoints Tenant Mesh uses.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/env.sh
source scripts/lib/env.sh
cargo build --locked --quiet -p emulator
port=$("$TOOLS/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/emulator --addr "127.0.0.1:$port" --scenario demo >/dev/null 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
"$TOOLS/venv/bin/python" - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
for _ in range(200):
    try:
        urllib.request.urlopen(url).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("the emulator did not start")
PY
EMULATOR_BASE="http://127.0.0.1:$port" "$TOOLS/venv/bin/python" -W ignore::DeprecationWarning \
  emulator/sdk-tests/test_msgraph_sdk.py
