#!/usr/bin/env bash
# Enrollment and renewal against a real server, checked with the openssl CLI.
. "$(dirname "$0")/lib.sh"
start_server

expect_eq "healthz" "$(http GET /healthz)" '200 {"status":"ok"}'
bundle=$(curl -sS --cacert "$CA" "$URL/v0.2/ca-bundle" | jq -r .ca_bundle)
expect_eq "seed's /v0.2/ca-bundle serves the root" "$bundle" "$(cat "$CA")"

T=$(wott token create --tag site=paris 2>/dev/null)
expect_eq "enroll returns 201" "$(enroll dev "$T")" 201
ID=$(json_field dev.json device_id)
check "device ID is <32 hex>.d.wott.local" grep -qE '^[0-9a-f]{32}\.d\.wott\.local$' <<<"$ID"
check "chain verifies with openssl verify" \
  openssl verify -purpose sslclient -CAfile "$CA" -untrusted "$DATA/ca/intermediate.crt" "$WORK/dev.crt"
text=$(openssl x509 -in "$WORK/dev.crt" -noout -text)
expect_contains "CN is the device ID, not the CSR's subject" "$text" "Subject: O = wott, CN = $ID"
expect_contains "SAN DNS + SPIFFE URI" "$text" "DNS:$ID, URI:spiffe://wott.local/device/${ID%%.*}"
expect_contains "EKU clientAuth + serverAuth" "$text" "TLS Web Client Authentication, TLS Web Server Authentication"
expect_contains "CA:FALSE" "$text" "CA:FALSE"
nb=$(date -d "$(openssl x509 -in "$WORK/dev.crt" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$WORK/dev.crt" -noout -enddate | cut -d= -f2)" +%s)
expect_eq "lifetime is 7 days (+1 minute backdate)" "$((na - nb))" "$((7 * 86400 + 60))"
expect_eq "not_after in the response matches the certificate" \
  "$(date -d "$(json_field dev.json not_after)" +%s)" "$na"
check "recovery token returned" test "$(json_field dev.json recovery_token | wc -c)" -gt 32

serial1=$(json_field dev.json serial)
expect_eq "renew over mTLS returns 200" "$(renew dev)" 200
expect_eq "renewal keeps the device ID" "$(json_field dev.renewed.json device_id)" "$ID"
serial2=$(json_field dev.renewed.json serial)
check "renewal has a new serial" test "$serial1" != "$serial2"
check "renewed chain verifies" \
  openssl verify -CAfile "$CA" -untrusted "$DATA/ca/intermediate.crt" "$WORK/dev.crt"
check "renewed certificate holds the new key" \
  test "$(openssl x509 -in "$WORK/dev.crt" -noout -pubkey)" = "$(openssl pkey -in "$WORK/dev.key" -pubout)"
cert=$(http GET "/v1/devices/$ID/certificate")
expect_contains "public certificate lookup returns the current serial" "$cert" "\"serial\":\"$serial2\""

# Token problems.
expect_eq "a used single-use token is refused" "$(enroll again "$T")" 403
expect_eq "a wrong token is refused" "$(enroll wrong "etffff.0000")" 401
SHORT=$(wott token create --ttl 1s 2>/dev/null)
sleep 2
expect_eq "an expired token is refused" "$(enroll late "$SHORT")" 403
REVOKED=$(wott token create --uses 5 2>/dev/null)
wott token revoke "$REVOKED" 2>/dev/null
expect_eq "a revoked token is refused" "$(enroll rev "$REVOKED")" 403
MULTI=$(wott token create --uses 2 2>/dev/null)
expect_eq "a 2-use token: first" "$(enroll m1 "$MULTI")" 201
expect_eq "a 2-use token: second" "$(enroll m2 "$MULTI")" 201
expect_eq "a 2-use token: third refused" "$(enroll m3 "$MULTI")" 403
check "two devices got distinct IDs" test "$(json_field m1.json device_id)" != "$(json_field m2.json device_id)"
finish
