#!/usr/bin/env bash
# wott-agent daemon against a real server with short certificates (36 s, so renewal is due
# about 4 s after issuance): it renews on its own and runs the hook, sends heartbeats,
# re-reads agent.json on SIGHUP (keeping the old one when the new one is broken), and exits
# 0 on SIGTERM.
. "$(dirname "$0")/lib.sh"
start_server --device-lifetime 36s
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
s1=$(openssl x509 -in "$C/client.crt" -noout -serial)
MARK=$WORK/renewed
LOG=$WORK/daemon.log
# What a crash during a renewal leaves: a newer, incomplete generation.
mkdir "$C/..gen-99" && echo partial >"$C/..gen-99/client.crt"
"$AGENT_BIN" --dir "$D" daemon --heartbeat-interval 2s --on-renew "echo \$WOTT_DEVICE_ID >> $MARK" \
  >"$LOG" 2>&1 &
DPID=$!
daemon_cleanup() { kill "$DPID" 2>/dev/null || true; cleanup; }
trap daemon_cleanup EXIT

# wait_for SECONDS COMMAND...: polls until the command succeeds (bounded).
wait_for() {
  local limit=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$limit"); do "$@" && return 0; sleep 0.1; done
  return 1
}
check "the daemon removes a crash's leftover generation at start-up" wait_for 5 test ! -e "$C/..gen-99"
check "... before its first renewal (not as part of one)" test ! -e "$MARK"
check "the daemon renews on its own" wait_for 20 test -s "$MARK"
expect_eq "the hook ran with the device ID" "$(head -1 "$MARK")" "$ID"
check "the certificate changed" test "$(openssl x509 -in "$C/client.crt" -noout -serial)" != "$s1"
check "the renewed set is complete and matching" cert_set_ok "$C"
expect_eq "renewal kept the ID" "$(agent "$D" whoami)" "$ID"
expect_eq "status shows the daemon's renewal" "$(agent "$D" status --json | jq -r .last_result)" ok
check "heartbeats reach the server (last_seen set)" wait_for 10 bash -c \
  "'$SERVER_BIN' --data-dir '$DATA' device show '$ID' --json 2>/dev/null | jq -e '.last_seen != null' >/dev/null"
check "heartbeat reports the hostname" bash -c \
  "'$SERVER_BIN' --data-dir '$DATA' device show '$ID' --json | jq -e '.hostname == \"$(hostname)\"' >/dev/null"

# SIGHUP: a new hook from agent.json is used for the next renewal.
jq --arg m "$WORK/from-config" '.on_renew = ["touch " + $m]' "$D/agent.json" >"$WORK/a.json"
cp "$WORK/a.json" "$D/agent.json"
kill -HUP "$DPID"
check "SIGHUP re-reads agent.json" wait_for 5 grep -q "configuration reloaded" "$LOG"
check "the reloaded hook runs at the next renewal" wait_for 20 test -f "$WORK/from-config"
# A server without /v1/ping (404): a warning, and the daemon keeps running.
jq --arg u "$URL/no-such-prefix" '.server_url = $u' "$WORK/a.json" >"$D/agent.json"
kill -HUP "$DPID"
check "a 404 on /v1/ping is logged as a warning" wait_for 10 grep -q "warn.*has no /v1/ping" "$LOG"
check "... and the daemon keeps running" kill -0 "$DPID"
echo '{broken' >"$D/agent.json"
kill -HUP "$DPID"
check "a broken agent.json on SIGHUP is reported" wait_for 5 grep -q "keeping the previous configuration" "$LOG"
check "... and the daemon keeps running" kill -0 "$DPID"
cp "$WORK/a.json" "$D/agent.json"

kill -TERM "$DPID"
check "SIGTERM stops the daemon" wait_for 5 bash -c "! kill -0 $DPID 2>/dev/null"
wait "$DPID" && rc=0 || rc=$?
expect_eq "... with exit status 0" "$rc" 0
check "the set is complete after the daemon stopped" cert_set_ok "$C"

# SIGTERM while a renewal's worker is busy (here: in a slow hook) still ends the daemon.
"$AGENT_BIN" --dir "$D" daemon --on-renew "touch $WORK/hook-started; sleep 10" >"$LOG.2" 2>&1 &
DPID=$!
check "a renewal with a slow hook starts" wait_for 25 test -f "$WORK/hook-started"
kill -TERM "$DPID"
check "SIGTERM during a renewal stops the daemon" wait_for 5 bash -c "! kill -0 $DPID 2>/dev/null"
wait "$DPID" && rc=0 || rc=$?
expect_eq "... with exit status 0" "$rc" 0
check "... leaving a complete set" cert_set_ok "$C"

# A daemon that cannot start says why.
out=$("$AGENT_BIN" --dir "$WORK/nothing" daemon 2>&1) && rc=0 || rc=$?
expect_eq "daemon without enrollment exits 1" "$rc" 1
expect_contains "... saying it is not enrolled" "$out" "not enrolled"
if [ "$FAILED" -ne 0 ]; then echo "--- daemon log"; tail -40 "$LOG"; fi
finish
