#!/usr/bin/env bash
# The seed's simple web app tutorial, end to end: a python3 http.server app on 127.0.0.1,
# `wott-agent tunnel server --allow-cn <device A>` in front of it, `wott-agent tunnel client
# --override-server-name <server>` on device A, curl through the client reaches the app.
# Refused: device B (through its own client, and directly with openssl s_client), a client
# without a certificate, a certificate from a foreign CA. Status and metrics count them.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA B=$WORK/devB
for d in "$S" "$A" "$B"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
S_CN=$(cn_of "$S/certs/client.crt")
A_CN=$(cn_of "$A/certs/client.crt")

start_app

bg tserver agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" \
  --keystore "$S/certs/combined.pem" --cacert "$S/certs/ca.crt" --allow-cn="$A_CN" \
  --status 127.0.0.1:0
SP=$(tunnel_port tserver)
STATUS=$(sed -n 's/.*tunnel status listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tserver.log")
bg clientA agent "$A" tunnel client --listen 127.0.0.1:0 --target "127.0.0.1:$SP" \
  --override-server-name="$S_CN"
CA_PORT=$(tunnel_port clientA)
bg clientB agent "$B" tunnel client --listen 127.0.0.1:0 --target "127.0.0.1:$SP" \
  --override-server-name="$S_CN"
CB_PORT=$(tunnel_port clientB)

expect_eq "device A reaches the app through both tunnels" \
  "$(curl -sS --max-time 10 "http://127.0.0.1:$CA_PORT/" 2>&1)" "hello from the app"
expect_eq "a second request works too (a new connection)" \
  "$(curl -sS --max-time 10 "http://127.0.0.1:$CA_PORT/index.html" 2>&1)" "hello from the app"
out=$(curl -sS --max-time 10 "http://127.0.0.1:$CB_PORT/" 2>&1) && rc=0 || rc=$?
check "device B is refused (curl fails)" test "$rc" -ne 0
check "... and never sees the page" bash -c "! grep -q 'hello from the app' <<<'$out'"

# Directly against the tunnel server with openssl s_client.
s_client() { timeout 10 openssl s_client -connect "127.0.0.1:$SP" -servername "$S_CN" \
  -CAfile "$S/certs/ca.crt" -verify_return_error "$@" 2>&1 <<<"GET / HTTP/1.0"$'\r\n' || true; }
out=$(s_client -cert "$A/certs/client.crt" -cert_chain "$A/certs/client.crt" -key "$A/certs/client.key" -ign_eof)
expect_contains "s_client with A's certificate gets the page" "$out" "hello from the app"
out=$(s_client -cert "$B/certs/client.crt" -cert_chain "$B/certs/client.crt" -key "$B/certs/client.key" -ign_eof)
check "s_client with B's certificate gets no page" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$out"
expect_contains "... the handshake is refused with an alert" "$out" "alert"
out=$(s_client -ign_eof)
check "s_client without a certificate gets no page" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$out"
expect_contains "... certificate required" "$out" "alert certificate required"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=$A_CN" -addext "subjectAltName=DNS:$A_CN" -keyout "$WORK/foreign.key" \
  -out "$WORK/foreign.crt" 2>/dev/null
out=$(s_client -cert "$WORK/foreign.crt" -key "$WORK/foreign.key" -ign_eof)
check "a foreign CA's certificate with A's CN gets no page" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$out"

sleep 0.3
log=$(cat "$WORK/tserver.log")
expect_contains "denied B is logged with its identity and the reason" "$log" \
  "(CN=$(cn_of "$B/certs/client.crt") serial="
expect_contains "... as a policy denial" "$log" "no allow rule matches the peer [policy]"
expect_contains "no certificate is logged" "$log" "(no certificate): no client certificate [no_certificate]"
expect_contains "the foreign certificate is logged as untrusted" "$log" "[untrusted]"
expect_contains "accepted connections are logged with peer, bytes and duration" "$log" \
  "(CN=$A_CN serial="
expect_contains "... bytes" "$log" "bytes from target"

expect_contains "B's client tunnel logs the server's refusal (TLS 1.3: after its own handshake)" \
  "$(cat "$WORK/clientB.log")" "0 bytes from target"
expect_contains "... with the alert" "$(cat "$WORK/clientB.log")" "ended by an error: sslv3 alert"

st=$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/_status")
expect_eq "/_status counts accepted connections" "$(jq -r '.listeners[0].counts.accepted' <<<"$st")" 3
expect_eq "/_status counts denials by reason (policy)" \
  "$(jq -r '.listeners[0].counts.denied_by_reason.policy' <<<"$st")" 2
expect_eq "/_status shows the credentials' serial" "$(jq -r '.listeners[0].credentials.serial' <<<"$st")" \
  "$(openssl x509 -in "$S/certs/client.crt" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')"
check "/_status shows the CRL's age" quiet jq -e '.crl.age_seconds >= 0' <<<"$st"
m=$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/metrics")
expect_contains "/metrics: denied by reason" "$m" \
  'wott_tunnel_connections_denied_total{listener="server",reason="no_certificate"} 1'
expect_contains "/metrics: handshake latency histogram" "$m" \
  'wott_tunnel_handshake_seconds_count{listener="server"} 3'
expect_eq "/nothing is 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$STATUS/nothing")" 404
finish
