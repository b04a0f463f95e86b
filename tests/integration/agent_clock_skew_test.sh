#!/usr/bin/env bash
# The agent and the server disagree about the time (faketime shifts the agent's clock):
# renew falls back to the other flow instead of failing. 20 s certificates.
. "$(dirname "$0")/lib.sh"
command -v faketime >/dev/null || { echo "faketime is not installed (scripts/install-deps)"; exit 1; }
start_server --device-lifetime 20s --recovery-grace 5m
A=$WORK/ahead
B=$WORK/behind
enroll_agent "$A" || { cat "$A.enroll.log"; exit 1; }
enroll_agent "$B" || { cat "$B.enroll.log"; exit 1; }
IDA=$(agent "$A" whoami)
IDB=$(agent "$B" whoami)
serial() { openssl x509 -in "$1/certs/client.crt" -noout -serial; }

# Clock ahead: the agent thinks its certificate expired; the server says it has not (409).
sa=$(serial "$A")
out=$(faketime -f "+60s" "$AGENT_BIN" --dir "$A" renew 2>&1) && rc=0 || rc=$?
expect_eq "clock ahead: renew exits 0" "$rc" 0
expect_contains "clock ahead: falls back to mTLS renewal" "$out" "Renewed $IDA"
check "clock ahead: new certificate" test "$(serial "$A")" != "$sa"
check "clock ahead: complete set" cert_set_ok "$A/certs"

# Clock behind: the agent thinks its certificate is valid; the server's handshake says expired.
sleep 22
sb=$(serial "$B")
out=$(faketime -f "-60s" "$AGENT_BIN" --dir "$B" renew --force 2>&1) && rc=0 || rc=$?
expect_eq "clock behind: renew exits 0" "$rc" 0
expect_contains "clock behind: falls back to recovery" "$out" "Recovered $IDB"
check "clock behind: new certificate" test "$(serial "$B")" != "$sb"
check "clock behind: complete set" cert_set_ok "$B/certs"
finish
