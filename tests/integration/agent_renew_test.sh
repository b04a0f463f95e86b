#!/usr/bin/env bash
# wott-agent renew against a real server: new serial and key with the same ID, hooks,
# --keep-key, "not due", and a revoked device refused with the files untouched.
. "$(dirname "$0")/lib.sh"
start_server
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
serial() { openssl x509 -in "$C/client.crt" -noout -serial | cut -d= -f2; }
pub() { openssl pkey -in "$C/client.key" -pubout; }
snapshot() { (cd "$C" && cat ca.crt client.crt client.key combined.pem ..data/identity.json | sha256sum); }

out=$(agent "$D" renew 2>&1) && rc=0 || rc=$?
expect_eq "renew before renew_after exits 0" "$rc" 0
expect_contains "... and says when it is due" "$out" "not due until"
expect_eq "... without changing anything" "$(agent "$D" status --json | jq -r .last_result)" null

s1=$(serial); k1=$(pub)
MARK=$WORK/hook-ran
out=$(agent "$D" renew --force --on-renew "echo \$WOTT_DEVICE_ID > $MARK" 2>&1) && rc=0 || rc=$?
expect_eq "renew --force exits 0" "$rc" 0
expect_contains "renew says what it did" "$out" "Renewed $ID"
check "renewal changed the serial" test "$(serial)" != "$s1"
check "renewal changed the key" test "$(pub)" != "$k1"
expect_eq "renewal kept the device ID" "$(agent "$D" whoami)" "$ID"
check "the renewed set is complete and matching" cert_set_ok "$C"
expect_eq "the hook ran (with WOTT_DEVICE_ID)" "$(cat "$MARK" 2>/dev/null)" "$ID"
st=$(agent "$D" status --json)
expect_eq "status shows the renewal" "$(jq -r .last_result <<<"$st")" ok
check "status has last_success" quiet jq -e '.last_success != null' <<<"$st"
expect_eq "the server's current certificate is the new one" \
  "$(curl -sS --cacert "$CA" "$URL/v1/devices/$ID/certificate" | jq -r .serial)" "$(jq -r .serial <<<"$st")"

s2=$(serial); k2=$(pub)
check "renew --keep-key" agent "$D" renew --force --keep-key
check "--keep-key: new serial" test "$(serial)" != "$s2"
expect_eq "--keep-key: same key" "$(pub)" "$k2"
check "--keep-key: set matches" cert_set_ok "$C"

out=$(agent "$D" renew --force --on-renew "exit 7" 2>&1) && rc=0 || rc=$?
expect_eq "a failing hook makes renew exit 1" "$rc" 1
expect_contains "... and is reported with its status" "$out" "exited with status 7"
check "... after the renewal itself succeeded" cert_set_ok "$C"

# agent.json's on_renew hooks run too.
jq --arg m "$WORK/config-hook" '.on_renew = ["touch " + $m]' "$D/agent.json" >"$WORK/a.json"
cp "$WORK/a.json" "$D/agent.json"
check "renew with a hook from agent.json" agent "$D" renew --force
check "agent.json's hook ran" test -f "$WORK/config-hook"

before=$(snapshot)
wott device revoke "$ID" >/dev/null 2>&1 || fail "device revoke failed"
out=$(agent "$D" renew --force 2>&1) && rc=0 || rc=$?
expect_eq "a revoked device: renew exits 1" "$rc" 1
expect_contains "a revoked device: plain message" "$out" "device $ID is revoked: renewal refused"
expect_eq "a revoked device: files untouched" "$(snapshot)" "$before"
st=$(agent "$D" status --json)
expect_eq "status records the refusal" "$(jq -r .last_result <<<"$st")" permission_denied
expect_contains "status shows the refusal" "$(agent "$D" status)" "is revoked"
out=$(agent "$D" ping 2>&1) && rc=0 || rc=$?
expect_eq "ping as a revoked device exits 1" "$rc" 1
finish
