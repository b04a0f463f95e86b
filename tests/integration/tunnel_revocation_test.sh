#!/usr/bin/env bash
# Revocation in the tunnel: the CRL is fetched from the agent's server and refreshed
# (--crl-refresh 1s here); a device revoked on the server is refused at the handshake once
# the refreshed CRL arrives (also by a tunnel whose keystore is broken at that moment),
# while another device still gets through. Without any CRL the
# tunnel fails closed; --crl-fail-open and --no-crl accept.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA B=$WORK/devB
for d in "$S" "$A" "$B"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
start_app

bg tserver agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" --allow-all \
  --crl-refresh 1s --poll-interval 200ms
SP=$(tunnel_port tserver)
expect_contains "A gets through before revocation" "$(tls_get "$SP" "$A")" "hello from the app"
expect_contains "B gets through" "$(tls_get "$SP" "$B")" "hello from the app"

# A second tunnel whose keystore is broken when the revocation comes: the CRL still applies.
cp "$S/certs/combined.pem" "$WORK/ks.pem"
bg broken agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" --allow-all \
  --keystore "$WORK/ks.pem" --crl-refresh 1s --poll-interval 200ms
BP=$(tunnel_port broken)
expect_contains "A gets through the second tunnel" "$(tls_get "$BP" "$A")" "hello from the app"
echo garbage >"$WORK/ks.pem"
for _ in $(seq 1 50); do grep -q "reload (files changed) failed" "$WORK/broken.log" && break; sleep 0.1; done

check "revoke device A on the server" quiet wott device revoke "$(agent "$A" whoami)"
refused=no
for _ in $(seq 1 50); do
  if ! grep -q "hello from the app" <<<"$(tls_get "$SP" "$A")"; then refused=yes; break; fi
  sleep 0.2
done
expect_eq "A is refused after the CRL refresh" "$refused" yes
expect_contains "... at the handshake, logged as revoked" "$(cat "$WORK/tserver.log")" \
  "certificate revoked [revoked]"
expect_contains "B still gets through" "$(tls_get "$SP" "$B")" "hello from the app"
refused=no
for _ in $(seq 1 50); do
  if ! grep -q "hello from the app" <<<"$(tls_get "$BP" "$A")"; then refused=yes; break; fi
  sleep 0.2
done
expect_eq "the tunnel with a broken keystore also refuses A (CRL applied to its old credentials)" \
  "$refused" yes
expect_contains "... which still serves B" "$(tls_get "$BP" "$B")" "hello from the app"
expect_contains "the new CRL was applied" "$(cat "$WORK/tserver.log")" "CRL applied (revocation check on)"

# No CRL at all (the server is down at start-up): fail closed unless told otherwise.
stop_server
bg closed agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" --allow-all
CP=$(tunnel_port closed)
check "fail closed: B is refused without a CRL" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$(tls_get "$CP" "$B")"
sleep 0.2
expect_contains "... logged as crl_unavailable" "$(cat "$WORK/closed.log")" "[crl_unavailable]"
expect_contains "... and said so at start-up" "$(cat "$WORK/closed.log")" "every peer is refused"
bg open agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" --allow-all --crl-fail-open
OP=$(tunnel_port open)
expect_contains "--crl-fail-open accepts B without a CRL" "$(tls_get "$OP" "$B")" "hello from the app"
bg offline agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" --allow-all --no-crl
NP=$(tunnel_port offline)
expect_contains "--no-crl accepts B" "$(tls_get "$NP" "$B")" "hello from the app"
expect_contains "--no-crl even accepts revoked A (no revocation check, as asked)" \
  "$(tls_get "$NP" "$A")" "hello from the app"
finish
