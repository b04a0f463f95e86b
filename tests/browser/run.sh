# Runs one browser scenario (SCENARIO_test.mjs) against a fresh wott-server on 127.0.0.1:
# a new CA, a dashboard user added with `wott-server user add` (password on stdin), and
# three devices enrolled with the real `wott-agent enroll` that report their hostname with
# `wott-agent ping`; one of them is called `<img src=x onerror=alert(1)>` (set in its own
# UTS namespace, so the agent reads it with gethostname() as on a real machine).
#   bash run.sh SCENARIO     (WOTT_BUILD_DIR set, node_modules installed by scripts/install-deps)
# WOTT_WEB_ROOT=DIR serves the pages from DIR (serve --web-root) instead of the embedded copy:
# handy while editing web/, without rebuilding.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SCENARIO=${1:?usage: run.sh SCENARIO}
[ -f "$HERE/${SCENARIO}_test.mjs" ] || { echo "no scenario $SCENARIO"; exit 2; }
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "FAIL - tests/browser/node_modules is missing: run scripts/install-deps (npm ci)"
  echo "0 passed, 1 failed"
  exit 1
fi
[ -x /usr/bin/chromium ] || { echo "FAIL - /usr/bin/chromium missing: run scripts/install-deps"; exit 1; }

. "$HERE/../integration/lib.sh"
start_server ${WOTT_WEB_ROOT:+--web-root "$WOTT_WEB_ROOT"}

export WOTT_USER=admin WOTT_PASSWORD='correct horse battery staple'
printf '%s\n' "$WOTT_PASSWORD" | wott user add "$WOTT_USER" >/dev/null

HOSTILE='<img src=x onerror=alert(1)>'
# ping_as DIR HOSTNAME: one heartbeat from DIR while the machine is called HOSTNAME.
ping_as() {
  local dir=$1 name=$2
  if unshare --uts python3 -c 'import os, socket, sys
socket.sethostname(sys.argv[1]); os.execv(sys.argv[2], sys.argv[2:])' \
      "$name" "$AGENT_BIN" --dir "$dir" ping >/dev/null 2>"$dir.ping.log"; then
    return 0
  fi
  # No UTS namespace here (not root): the same heartbeat with curl and the device's files.
  jq -n --arg h "$name" '{hostname: $h, agent_version: "curl"}' |
    curl -sS --fail --cacert "$CA" --cert "$dir/certs/client.crt" --key "$dir/certs/client.key" \
      -H 'Content-Type: application/json' -d @- "$URL/v1/ping" >/dev/null
}

devices='[]'
for name in pi-kitchen "$HOSTILE" edge-gw-7; do
  dir="$WORK/agent-$((RANDOM))"
  enroll_agent "$dir" || { cat "$dir.enroll.log"; echo "enroll failed"; exit 1; }
  ping_as "$dir" "$name"
  hex=$(agent "$dir" whoami | cut -d. -f1)
  devices=$(jq -c --arg h "$hex" --arg d "$dir" --arg n "$name" '. + [{hex: $h, dir: $d, hostname: $n}]' <<<"$devices")
done
echo "$devices" >"$WORK/devices.json"

export WOTT_URL="$URL" WOTT_WORK="$WORK" WOTT_DEVICES="$WORK/devices.json" WOTT_AGENT_BIN="$AGENT_BIN"
export WOTT_SERVER_BIN="$SERVER_BIN" WOTT_DATA="$DATA"
export WOTT_CA_FINGERPRINT; WOTT_CA_FINGERPRINT=$(wott ca show --fingerprint)
export WOTT_BUILD_DIR
export NODE_EXTRA_CA_CERTS="$CA"  # Node's own fetch trusts the test CA (headers scenario)
rc=0
node "$HERE/${SCENARIO}_test.mjs" || rc=$?
if [ "$rc" -ne 0 ]; then echo "--- server log (last 30 lines)"; tail -30 "$WORK/server.log"; fi
exit "$rc"
