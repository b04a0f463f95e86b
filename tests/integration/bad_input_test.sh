#!/usr/bin/env bash
# Malformed and hostile input gets a clear error and the server keeps serving.
. "$(dirname "$0")/lib.sh"
start_server
T=$(wott token create --uses 100 2>/dev/null)
alive() { expect_eq "server still serves after: $1" "$(http GET /healthz)" '200 {"status":"ok"}'; }

printf '{"token": "%s", "csr": ' "$T" >"$WORK/truncated.json"
out=$(post_json /v1/enroll "$WORK/truncated.json")
expect_contains "malformed JSON -> 400 invalid_argument" "$out" '400 {"error":{"code":"invalid_argument","message":"the request body is not valid JSON"}}'
alive "malformed JSON"

echo '["an", "array"]' >"$WORK/array.json"
expect_contains "JSON array -> 400" "$(post_json /v1/enroll "$WORK/array.json")" '400 {"error"'
jq -n --arg t "$T" '{token:$t, csr:"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}' >"$WORK/badcsr.json"
out=$(post_json /v1/enroll "$WORK/badcsr.json")
expect_contains "malformed CSR -> 400 naming the csr" "$out" '400 {"error":{"code":"invalid_argument","message":"csr: '
jq -n --arg t "$T" '{token:$t, csr:5}' >"$WORK/numcsr.json"
expect_contains "csr of the wrong type -> 400" "$(post_json /v1/enroll "$WORK/numcsr.json")" "field 'csr' must be a string"
jq -n --arg t "$T" '{token:$t}' >"$WORK/nocsr.json"
expect_contains "missing csr -> 400" "$(post_json /v1/enroll "$WORK/nocsr.json")" "missing field 'csr'"
out=$(http POST /v1/enroll --data-binary "@$WORK/nocsr.json")
expect_contains "form content type -> 400" "$out" "Content-Type: application/json"

# A CSR whose signature does not match its key (no proof of possession).
new_csr good
der=$(openssl req -in "$WORK/good.csr" -outform DER | xxd -p | tr -d '\n')
bad=${der:0:${#der}-8}$(printf '%08x' $(( 0x${der: -8} ^ 0x01010101 )))
{ echo "-----BEGIN CERTIFICATE REQUEST-----"; printf '%s' "$bad" | xxd -r -p | openssl base64; echo "-----END CERTIFICATE REQUEST-----"; } >"$WORK/forged.csr"
jq -n --arg t "$T" --rawfile c "$WORK/forged.csr" '{token:$t, csr:$c}' >"$WORK/forged.json"
expect_contains "CSR with a broken signature -> 400" "$(post_json /v1/enroll "$WORK/forged.json")" '400 {"error":{"code":"invalid_argument"'
# A CSR made with an RSA-1024 key: refused by key policy.
openssl req -new -newkey rsa:1024 -nodes -keyout "$WORK/weak.key" -subj /CN=x -out "$WORK/weak.csr" 2>/dev/null
jq -n --arg t "$T" --rawfile c "$WORK/weak.csr" '{token:$t, csr:$c}' >"$WORK/weak.json"
expect_contains "RSA-1024 CSR -> 400 too weak" "$(post_json /v1/enroll "$WORK/weak.json")" "too weak"
alive "bad CSRs"

head -c $((1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big.json"
out=$(post_json /v1/enroll "$WORK/big.json")
expect_contains "1 MiB body -> 413" "$out" "413"
alive "1 MiB body"

# Renewal without a client certificate, and with one from a foreign CA.
new_csr r
jq -n --rawfile c "$WORK/r.csr" '{csr:$c}' >"$WORK/renew.json"
expect_contains "renew without client certificate -> 401" "$(post_json /v1/renew "$WORK/renew.json")" '401 {"error":{"code":"unauthenticated"'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/foreign.key" \
  -subj "/CN=0123456789abcdef0123456789abcdef.d.wott.local" -days 1 -out "$WORK/foreign.crt" 2>/dev/null
out=$(post_json /v1/renew "$WORK/renew.json" --cert "$WORK/foreign.crt" --key "$WORK/foreign.key")
check "client certificate from a foreign CA is refused at the handshake" test "${out%% *}" = 000
alive "foreign client certificate"

# The server's own TLS certificate is from our CA but is not a device identity.
out=$(post_json /v1/renew "$WORK/renew.json" --cert "$DATA/ca/server.crt" --key "$DATA/ca/server.key")
check "a non-device certificate cannot renew" grep -qE '^(000|401)' <<<"$out"

expect_contains "unknown path -> 404" "$(http GET /v1/nope)" '404 {"error"'
expect_contains "wrong method -> 405" "$(http GET /v1/enroll)" '405 {"error"'
expect_contains "bad device id -> 400" "$(http GET /v1/devices/XYZ/certificate)" '400 {"error"'
expect_contains "unknown device -> 404" "$(http GET /v1/devices/0123456789abcdef0123456789abcdef/certificate)" '404 {"error"'

# A slow client that sends half a request header and stalls must not block others.
( { printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n'; sleep 30; } | \
    timeout 40 openssl s_client -quiet -connect "127.0.0.1:$PORT" >/dev/null 2>&1 ) &
slow=$!
sleep 1
alive "a stalled client is connected"
kill "$slow" 2>/dev/null || true

# Plain HTTP on the TLS port.
out=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true)
check "plain HTTP on the TLS port is not served" test "$out" != 200
alive "plain HTTP"

# TLS 1.1 and CBC suites are refused.
check "TLS 1.1 refused" bash -c "! openssl s_client -connect 127.0.0.1:$PORT -tls1_1 </dev/null >/dev/null 2>&1"
check "TLS 1.2 CBC suite refused" bash -c "! openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA </dev/null >/dev/null 2>&1"
check "TLS 1.3 accepted" bash -c "openssl s_client -connect 127.0.0.1:$PORT -tls1_3 -CAfile $CA -verify_return_error </dev/null >/dev/null 2>&1"
finish
