#!/usr/bin/env bash
# An agent whose certificate expired (offline past not_after, within the recovery grace)
# renews through the recovery flow; past the grace it says to enroll again.
. "$(dirname "$0")/lib.sh"
start_server --device-lifetime 3s --recovery-grace 8s
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
s1=$(openssl x509 -in "$C/client.crt" -noout -serial)
sleep 4  # past not_after
check "the certificate has expired" bash -c "! openssl x509 -in '$C/client.crt' -noout -checkend 0 >/dev/null"
expect_eq "status says expired" "$(agent "$D" status --json | jq -r .expired)" true

out=$(agent "$D" renew 2>&1) && rc=0 || rc=$?
expect_eq "renew of an expired certificate exits 0" "$rc" 0
expect_contains "... through the recovery flow" "$out" "Recovered $ID"
expect_eq "recovery keeps the ID" "$(agent "$D" whoami)" "$ID"
check "recovery gives a new certificate" test "$(openssl x509 -in "$C/client.crt" -noout -serial)" != "$s1"
check "the recovered set is complete and matching" cert_set_ok "$C"

# Expire again and wait past the 8 s grace.
sleep 12
snap=$(cd "$C" && cat client.crt client.key | sha256sum)
out=$(agent "$D" renew 2>&1) && rc=0 || rc=$?
expect_eq "past the grace: renew exits 1" "$rc" 1
expect_contains "past the grace: says to enroll again" "$out" "enroll again"
expect_eq "past the grace: files untouched" "$(cd "$C" && cat client.crt client.key | sha256sum)" "$snap"
finish
