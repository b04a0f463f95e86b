#!/usr/bin/env bash
# wott-agent audit: on this machine (a python http.server we start on 127.0.0.1 is listed
# with its port, and its owner when we may read /proc/*/fd), and with --root on a crafted
# tree (sshd findings, reboot required, unattended upgrades, telnet flagged, garbage skipped).
. "$(dirname "$0")/lib.sh"
AGENT_BIN="$WOTT_BUILD_DIR/cmd/wott-agent/wott-agent"
agent() { "$AGENT_BIN" --dir "$WORK/agent" "$@"; }

# A real listener on a free loopback port; SERVER_PID so that lib.sh's cleanup ends it.
python3 -u -m http.server --bind 127.0.0.1 0 --directory "$WORK" >"$WORK/http.log" 2>&1 &
SERVER_PID=$!
HTTP_PORT=""
for _ in $(seq 1 100); do
  HTTP_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
  [ -n "$HTTP_PORT" ] && break
  sleep 0.1
done
[ -n "$HTTP_PORT" ] || { cat "$WORK/http.log"; echo "http.server did not start"; exit 1; }

json=$(agent audit --json) && rc=0 || rc=$?
expect_eq "audit --json exits 0" "$rc" 0
if jq -e . <<<"$json" >/dev/null; then pass "audit --json is valid JSON"; else fail "audit --json is not JSON: $json"; fi
expect_eq "/proc/net was read" "$(jq -r .sockets.status <<<"$json")" "read"
check "at least one listening socket" test "$(jq '.sockets.listening | length' <<<"$json")" -ge 1
expect_eq "the http.server port is listed on 127.0.0.1" \
  "$(jq -r --argjson p "$HTTP_PORT" '.sockets.listening[] | select(.protocol=="tcp" and .port==$p) | .address' <<<"$json")" \
  "127.0.0.1"
if [ "$(id -u)" = 0 ]; then
  expect_eq "its owner is the python process" \
    "$(jq -r --argjson p "$HTTP_PORT" '.sockets.listening[] | select(.port==$p) | "\(.pid) \(.process)"' <<<"$json")" \
    "$SERVER_PID python3"
fi
text=$(agent audit)
expect_contains "the readable report lists the port" "$text" "tcp  127.0.0.1:$HTTP_PORT"

# A crafted tree: risky sshd settings (Match block ignored), telnet listening, a garbage
# line in /proc/net/tcp, reboot required, unattended upgrades on.
ROOT="$WORK/root"
mkdir -p "$ROOT/etc/ssh" "$ROOT/proc/net" "$ROOT/var/run" "$ROOT/etc/apt/apt.conf.d"
printf 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\nMaxAuthTries 10\nMatch User x\n  X11Forwarding yes\n' \
  >"$ROOT/etc/ssh/sshd_config"
printf '  sl  local_address rem_address   st\n   0: 00000000:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4711 1\nthis is garbage\n' \
  >"$ROOT/proc/net/tcp"
touch "$ROOT/var/run/reboot-required"
echo 'APT::Periodic::Unattended-Upgrade "1";' >"$ROOT/etc/apt/apt.conf.d/20auto-upgrades"
json=$(agent audit --json --root "$ROOT") && rc=0 || rc=$?
expect_eq "--root audit exits 0 despite findings" "$rc" 0
expect_eq "sshd findings from the crafted sshd_config" \
  "$(jq -r '[.sshd.findings[].keyword] | join(",")' <<<"$json")" \
  "PermitRootLogin,PasswordAuthentication,MaxAuthTries"
expect_eq "Include noted" "$(jq -r '.sshd.includes[0]' <<<"$json")" "/etc/ssh/sshd_config.d/*.conf"
expect_eq "telnet flagged" "$(jq -r '.insecure_services[] | "\(.service) \(.port)"' <<<"$json")" "telnet 23"
expect_eq "garbage /proc/net line counted" "$(jq -r .sockets.bad_lines <<<"$json")" 1
expect_eq "reboot required" "$(jq -r .reboot_required <<<"$json")" "yes"
expect_eq "unattended upgrades on" "$(jq -r .unattended_upgrades <<<"$json")" "yes"
text=$(agent audit --root "$ROOT")
expect_contains "readable report names the sshd line" "$text" "line 2: PermitRootLogin yes"

# Missing files: unknown, not a crash.
mkdir -p "$WORK/empty"
json=$(agent audit --json --root "$WORK/empty") && rc=0 || rc=$?
expect_eq "empty root exits 0" "$rc" 0
expect_eq "everything unknown on an empty root" \
  "$(jq -r '[.sshd.status, .sockets.status, .reboot_required, .unattended_upgrades] | join(" ")' <<<"$json")" \
  "unknown unknown unknown unknown"

# A bad --root is a usage error with a clear message.
out=$(agent audit --root "$WORK/nope" 2>&1) && rc=0 || rc=$?
expect_eq "missing --root exits 1" "$rc" 1
expect_contains "missing --root named" "$out" "--root $WORK/nope: not a directory"
finish
