#!/usr/bin/env bash
# wott-agent heartbeats with the host audit against a real wott-server (issue 7, posture
# contract section 2), on a crafted audit_root with its own dpkg status and os-release:
# the first ping sends the package list, the next does not, a changed dpkg status sends it
# again; a server that lacks the list (inventory_wanted) gets it at once; "audit": false
# sends none; a list over the server's body limit (413) is logged once and the heartbeats
# go on without it; the daemon's worker does the same.
. "$(dirname "$0")/lib.sh"
start_server

# crafted_root DIR N [VERSION]: os-release and a dpkg status with N packages.
crafted_root() {
  local dir=$1 n=$2 version=${3:-1.0-1}
  mkdir -p "$dir/etc/ssh" "$dir/var/lib/dpkg"
  printf 'ID=debian\nVERSION_CODENAME=bookworm\n' >"$dir/etc/os-release"
  printf 'PermitRootLogin yes\n' >"$dir/etc/ssh/sshd_config"
  : >"$dir/var/lib/dpkg/status"
  for i in $(seq 1 "$n"); do
    printf 'Package: pkg%d\nStatus: install ok installed\nArchitecture: amd64\nSource: src%d\nVersion: %s\n\n' \
      "$i" "$i" "$version" >>"$dir/var/lib/dpkg/status"
  done
}
# expected_hash N VERSION: the packages_hash of crafted_root's list, built by hand.
expected_hash() {
  for i in $(seq 1 "$1"); do printf 'pkg%d\tamd64\t%s\tsrc%d\t%s\n' "$i" "$2" "$i" "$2"; done |
    LC_ALL=C sort | sha256sum | cut -d' ' -f1
}
# use_root DEVICE_DIR ROOT [AUDIT]: points agent.json at ROOT.
use_root() {
  jq --arg r "$2" --argjson a "${3:-true}" '.audit_root = $r | .audit = $a' "$1/agent.json" >"$1/agent.json.new"
  mv "$1/agent.json.new" "$1/agent.json"
}
acked() { jq -r .acknowledged_hash "$1/state/inventory.json" 2>/dev/null; }

D=$WORK/dev
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
R=$WORK/root
crafted_root "$R" 2
use_root "$D" "$R"
H1=$(expected_hash 2 1.0-1)

out=$(agent "$D" ping 2>&1) && rc=0 || rc=$?
expect_eq "first ping exits 0" "$rc" 0
expect_contains "first ping sends the package list" "$out" "package list sent (2 packages, hash $H1)"
expect_eq "the acknowledged hash is recorded after the 200" "$(acked "$D")" "$H1"
check "inventory.json is private" test "$(stat -c %a "$D/state/inventory.json")" = 600
answer=$(grep '^{' <<<"$out" | tail -1)
expect_eq "the server holds the list (inventory_wanted false)" \
  "$(jq -r '.inventory_wanted' <<<"$answer")" "false"

out=$(agent "$D" ping 2>&1)
expect_contains "second ping does not send it" "$out" "package list not sent (hash $H1"
check "... and sends only one request" bash -c "! grep -q 'package list sent' <<<'$out'"

crafted_root "$R" 2 1.0-2
H2=$(expected_hash 2 1.0-2)
out=$(agent "$D" ping 2>&1)
expect_contains "a changed dpkg status sends the list again" "$out" "package list sent (2 packages, hash $H2)"
expect_eq "... and the new hash is acknowledged" "$(acked "$D")" "$H2"

# A device whose state says the server has the list, while the server has nothing for it:
# the server asks (inventory_wanted) and gets it in an immediate second heartbeat.
D2=$WORK/dev2
enroll_agent "$D2" || { cat "$D2.enroll.log"; exit 1; }
use_root "$D2" "$R"
mkdir -p "$D2/state"
printf '{"acknowledged_hash": "%s"}\n' "$H2" >"$D2/state/inventory.json"
out=$(agent "$D2" ping 2>&1) && rc=0 || rc=$?
expect_eq "ping with a stale acknowledgement exits 0" "$rc" 0
expect_contains "the server's inventory_wanted gets the list at once" "$out" \
  "package list sent (2 packages, hash $H2) at the server's request"
out=$(agent "$D2" ping 2>&1)
expect_contains "... after which it is not sent again" "$out" "package list not sent (hash $H2"

# "audit": false: no audit at all (no list, and the state is left alone).
crafted_root "$R" 3
use_root "$D" "$R" false
out=$(agent "$D" ping 2>&1) && rc=0 || rc=$?
expect_eq "ping with audit off exits 0" "$rc" 0
check "audit off sends no package list" bash -c "! grep -q 'package list' <<<'$out'"
expect_eq "... and keeps the acknowledged hash" "$(acked "$D")" "$H2"
use_root "$D" "$R" true

# A list over the server's 4 MiB heartbeat limit: 413, logged once, heartbeats go on.
D3=$WORK/dev3
enroll_agent "$D3" || { cat "$D3.enroll.log"; exit 1; }
BIG=$WORK/big
mkdir -p "$BIG/etc" "$BIG/var/lib/dpkg"
printf 'ID=debian\nVERSION_CODENAME=bookworm\n' >"$BIG/etc/os-release"
python3 - "$BIG/var/lib/dpkg/status" <<'PY'
import sys
pad = "a" * 180
with open(sys.argv[1], "w") as f:
    for i in range(9000):
        name = "package-with-a-rather-long-name-%05d" % i
        f.write("Package: %s\nStatus: install ok installed\nArchitecture: amd64\n"
                "Source: %s-src\nVersion: 1.0+%s-%d\n\n" % (name, name, pad, i))
PY
use_root "$D3" "$BIG"
out=$(agent "$D3" ping 2>&1) && rc=0 || rc=$?
expect_eq "a heartbeat whose list is too large still succeeds" "$rc" 0
expect_contains "the refusal is logged" "$out" "the server refused the package list"
check "the refused hash is remembered" test -n "$(jq -r .refused_hash "$D3/state/inventory.json")"
out=$(agent "$D3" ping 2>&1) && rc=0 || rc=$?
expect_eq "the next heartbeat succeeds too" "$rc" 0
check "... without logging the refusal again" bash -c "! grep -q 'refused the package list' <<<'$out'"

# The daemon: its worker collects and sends; one list per change.
LOG=$WORK/daemon.log
"$AGENT_BIN" --dir "$D" daemon --heartbeat-interval 1s >"$LOG" 2>&1 &
DPID=$!
daemon_cleanup() { kill "$DPID" 2>/dev/null || true; cleanup; }
trap daemon_cleanup EXIT
for _ in $(seq 1 100); do
  [ "$(grep -c 'package list not sent' "$LOG")" -ge 2 ] && break
  sleep 0.1
done
kill -TERM "$DPID"; wait "$DPID" 2>/dev/null || true
H3=$(expected_hash 3 1.0-1)
expect_eq "the daemon sends the changed list once" "$(grep -c "package list sent (3 packages, hash $H3)" "$LOG")" 1
check "... and not again on the next heartbeats" test "$(grep -c 'package list not sent' "$LOG")" -ge 2
expect_eq "the daemon's heartbeat acknowledged it" "$(acked "$D")" "$H3"
finish
