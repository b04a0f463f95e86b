#!/usr/bin/env bash
# `wott-agent tunnel --config FILE`: several tunnels in one process, each with its own rules
# and metrics; a client tunnel with verify_device accepts only that server.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA B=$WORK/devB
for d in "$S" "$A" "$B"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
hex_of() { agent "$1" whoami | cut -d. -f1; }
start_app

cat >"$WORK/server.json" <<JSON
{
  "status": "127.0.0.1:0",
  "crl": {"refresh": "1h"},
  "tunnels": [
    {"name": "a-only", "mode": "server", "listen": "127.0.0.1:0", "target": "127.0.0.1:$APP",
     "allow_device": ["$(hex_of "$A")"]},
    {"name": "b-only", "mode": "server", "listen": "127.0.0.1:0", "target": "127.0.0.1:$APP",
     "allow_cn": ["$(cn_of "$B/certs/client.crt")"], "idle_timeout": "10m"}
  ]
}
JSON
bg multi agent "$S" tunnel --config "$WORK/server.json"
P1=$(tunnel_port multi 1)
P2=$(tunnel_port multi 2)
check "two listeners on different ports" test "$P1" != "$P2"
expect_contains "A passes tunnel a-only" "$(tls_get "$P1" "$A")" "hello from the app"
check "A is refused by tunnel b-only" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$(tls_get "$P2" "$A")"
expect_contains "B passes tunnel b-only" "$(tls_get "$P2" "$B")" "hello from the app"
check "B is refused by tunnel a-only" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ "$(tls_get "$P1" "$B")"
sleep 0.2
expect_contains "denials name the tunnel" "$(cat "$WORK/multi.log")" "tunnel b-only: denied"
STATUS=$(sed -n 's/.*tunnel status listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/multi.log")
st=$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/_status")
expect_eq "/_status lists both tunnels" "$(jq -r '[.listeners[].name] | join(",")' <<<"$st")" "a-only,b-only"
expect_eq "... each with its own counts" "$(jq -r '[.listeners[].counts.accepted] | join(",")' <<<"$st")" "1,1"
m=$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/metrics")
expect_contains "/metrics labels by tunnel" "$m" \
  'wott_tunnel_connections_denied_total{listener="a-only",reason="policy"} 1'

# Client tunnels on device A: verify_device of the right server, then of another device.
cat >"$WORK/client.json" <<JSON
{"crl": {"check": false}, "tunnels": [
  {"name": "to-s", "mode": "client", "listen": "127.0.0.1:0", "target": "127.0.0.1:$P1",
   "override_server_name": "$(cn_of "$S/certs/client.crt")", "verify_device": ["$(hex_of "$S")"]},
  {"name": "to-wrong", "mode": "client", "listen": "127.0.0.1:0", "target": "127.0.0.1:$P1",
   "override_server_name": "$(cn_of "$S/certs/client.crt")", "verify_device": ["$(hex_of "$B")"]}
]}
JSON
bg clients agent "$A" tunnel --config "$WORK/client.json"
C1=$(tunnel_port clients 1)
C2=$(tunnel_port clients 2)
expect_eq "a client tunnel that verifies the server's device ID gets through" \
  "$(curl -sS --max-time 10 "http://127.0.0.1:$C1/" 2>&1)" "hello from the app"
out=$(curl -sS --max-time 10 "http://127.0.0.1:$C2/" 2>&1) && rc=0 || rc=$?
check "a client tunnel expecting another device refuses the server" test "$rc" -ne 0
sleep 0.2
expect_contains "... and logs why" "$(cat "$WORK/clients.log")" "tunnel to-wrong: denied"
finish
