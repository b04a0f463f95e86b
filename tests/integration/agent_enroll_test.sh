#!/usr/bin/env bash
# wott-agent enroll against a real server: the files, their modes, whoami against the
# certificate (openssl), combined.pem as a keystore, refusal to enroll twice.
. "$(dirname "$0")/lib.sh"
start_server
D=$WORK/dev

out=$(agent "$D" whoami 2>&1) && rc=0 || rc=$?
expect_eq "whoami before enrolling exits 1" "$rc" 1
expect_contains "whoami before enrolling says so" "$out" "not enrolled"

check "enroll succeeds" enroll_agent "$D"
C=$D/certs
ID=$(agent "$D" whoami)
check "whoami prints <32 hex>.d.wott.local" grep -qE '^[0-9a-f]{32}\.d\.wott\.local$' <<<"$ID"
expect_eq "whoami is the certificate's CN" "$ID" \
  "$(openssl x509 -in "$C/client.crt" -noout -subject -nameopt multiline | sed -n 's/ *commonName *= *//p')"
expect_contains "whoami is the certificate's SAN DNS" \
  "$(openssl x509 -in "$C/client.crt" -noout -ext subjectAltName)" "DNS:$ID"
expect_contains "enroll prints the ID" "$(cat "$D.enroll.log")" "Enrolled as $ID"

for f in ca.crt:644 client.crt:644 client.key:600 combined.pem:600; do
  expect_eq "mode of ${f%%:*}" "$(stat -L -c %a "$C/${f%%:*}")" "${f##*:}"
  expect_eq "owner of ${f%%:*}" "$(stat -L -c %U "$C/${f%%:*}")" "$(id -un)"
  check "${f%%:*} is a symlink through ..data" test "$(readlink "$C/${f%%:*}")" = "..data/${f%%:*}"
done
expect_eq "mode of agent.json" "$(stat -c %a "$D/agent.json")" 600
expect_eq "mode of state.json" "$(stat -c %a "$D/state.json")" 600
expect_eq "mode of the generation's identity.json" "$(stat -L -c %a "$C/..data/identity.json")" 600
check "the set is complete and matching" cert_set_ok "$C"
check "openssl verify: client.crt chains to ca.crt" quiet \
  openssl verify -purpose sslclient -CAfile "$C/ca.crt" -untrusted "$C/client.crt" "$C/client.crt"
expect_eq "ca.crt is the server's root" "$(cat "$C/ca.crt")" "$(cat "$CA")"
expect_eq "client.crt holds leaf + intermediate" "$(grep -c 'BEGIN CERTIFICATE' "$C/client.crt")" 2
expect_contains "client.key is PKCS#8" "$(head -1 "$C/client.key")" "BEGIN PRIVATE KEY"
check "combined.pem loads as a keystore (PKCS#12 export)" \
  openssl pkcs12 -export -in "$C/combined.pem" -inkey "$C/combined.pem" -passout pass:x -out "$WORK/ks.p12"
expect_eq "the keystore holds the device certificate" \
  "$(openssl pkcs12 -in "$WORK/ks.p12" -passin pass:x -nokeys -clcerts 2>/dev/null | openssl x509 -noout -subject -nameopt multiline | sed -n 's/ *commonName *= *//p')" "$ID"
expect_eq "agent.json pins the root fingerprint" "$(jq -r .ca_fingerprint "$D/agent.json")" \
  "$(wott ca show --fingerprint)"
expect_eq "agent.json has the server URL" "$(jq -r .server_url "$D/agent.json")" "$URL"
check "the key never went into agent.json/state.json" \
  bash -c "! grep -q 'PRIVATE KEY' '$D/agent.json' '$D/state.json'"

st=$(agent "$D" status --json)
expect_eq "status --json: id" "$(jq -r .device_id <<<"$st")" "$ID"
expect_eq "status --json: serial" "$(jq -r .serial <<<"$st")" \
  "$(openssl x509 -in "$C/client.crt" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')"
check "status --json: days_left about 7" quiet jq -e '.days_left > 6.9 and .days_left <= 7.01' <<<"$st"
expect_eq "status --json: never renewed" "$(jq -r .last_result <<<"$st")" null
expect_contains "status (text) shows the server" "$(agent "$D" status)" "server:       $URL"
server_view=$(curl -sS --cacert "$CA" "$URL/v1/devices/$ID/certificate" | jq -r .serial)
expect_eq "the server knows this certificate as current" "$server_view" "$(jq -r .serial <<<"$st")"

enroll_agent "$D" && rc=0 || rc=$?
expect_eq "enrolling twice exits 1" "$rc" 1
expect_contains "enrolling twice is refused" "$(cat "$D.enroll.log")" "already enrolled as $ID"
expect_eq "... and keeps the identity" "$(agent "$D" whoami)" "$ID"
check "--force enrolls again" enroll_agent "$D" --force
ID2=$(agent "$D" whoami)
check "--force gives a new device ID" test "$ID2" != "$ID"
check "... with a complete set" cert_set_ok "$C"
check "only current and previous generations remain" test "$(ls -d "$C"/..gen-* | wc -l)" -le 2

E=$WORK/ed
check "enroll with --key-type ed25519 and --ca-file" \
  agent "$E" enroll --server "$URL" --token "$(wott token create 2>/dev/null)" --ca-file "$CA" --key-type ed25519
expect_contains "the ed25519 key is used" "$(openssl pkey -in "$E/certs/client.key" -noout -text)" "ED25519"
check "the ed25519 set is complete" cert_set_ok "$E/certs"

agent "$WORK/u" enroll --server "$URL" >/dev/null 2>&1 && rc=0 || rc=$?
expect_eq "missing --token is a usage error (exit 2)" "$rc" 2
agent "$WORK/u" enroll --server "$URL" --token x >/dev/null 2>&1 && rc=0 || rc=$?
expect_eq "missing --ca-fingerprint/--ca-file is a usage error (exit 2)" "$rc" 2
check "--help works for every command" bash -c \
  "for c in enroll whoami status renew ping daemon; do '$AGENT_BIN' \$c --help >/dev/null || exit 1; done"
finish
