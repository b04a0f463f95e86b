#!/usr/bin/env bash
# Central policies (issue 5): a tunnel started with --allow-policy lets in the devices the
# server's policy allows now. Changes on the server (a device added to the policy, a device
# given a tag the policy allows, a revocation) take effect within a few seconds without a
# restart; with the server down the last good list is kept; a tunnel that never fetched the
# policy allows nobody. `wott-agent policy render --format nginx-map` is accepted by nginx.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA B=$WORK/devB C=$WORK/devC
for d in "$S" "$A" "$B" "$C"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
A_ID=$(agent "$A" whoami) B_ID=$(agent "$B" whoami) C_ID=$(agent "$C" whoami)
start_app
gets_in() { grep -q "hello from the app" <<<"$(tls_get "$1" "$2")"; }
# within WHAT PORT DEVICE yes|no: waits up to 10 s for the device to get in (yes) or not (no).
within() {
  local got=
  for _ in $(seq 1 50); do
    if gets_in "$2" "$3"; then got=yes; else got=no; fi
    [ "$got" = "$4" ] && break
    sleep 0.2
  done
  expect_eq "$1" "$got" "$4"
}
status_json() { curl -sS --max-time 5 "http://127.0.0.1:$STATUS/_status"; }

check "policy web-app allows device A and the tag role=web" \
  quiet wott policy set web-app --device "$A_ID" --tag role=web
bg tserver agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" \
  --allow-policy web-app --policy-refresh 1s --crl-refresh 1s --poll-interval 200ms \
  --status 127.0.0.1:0
SP=$(tunnel_port tserver)
STATUS=$(sed -n 's/.*tunnel status listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tserver.log")
check "A (in the policy) gets through" gets_in "$SP" "$A"
check "B (not in the policy) is refused" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ \
  "$(tls_get "$SP" "$B")"
sleep 0.3
expect_contains "... logged as a policy denial" "$(cat "$WORK/tserver.log")" "[policy]"
expect_eq "/_status: policy version 1" "$(status_json | jq -r '.policies["web-app"].version')" 1
expect_eq "/_status: 1 device" "$(status_json | jq -r '.policies["web-app"].devices')" 1

# A new version of the policy adds B: no restart.
check "policy set adds B" quiet wott policy set web-app --device "$A_ID" --device "$B_ID" \
  --tag role=web
within "B gets in within seconds, without a restart" "$SP" "$B" yes
check "A still gets in" gets_in "$SP" "$A"
expect_eq "/_status: policy version 2" "$(status_json | jq -r '.policies["web-app"].version')" 2
expect_contains "the tunnel logged the new version" "$(cat "$WORK/tserver.log")" \
  "policy 'web-app' version 2: 2 device(s)"
expect_contains "/metrics counts the fetches" \
  "$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/metrics")" \
  'wott_tunnel_policy_fetches_total{policy="web-app",result="not_modified"}'

# Device C gets the tag role=web (the policy itself does not change): C gets in.
check "C is refused before it has the tag" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ \
  "$(tls_get "$SP" "$C")"
ADMIN=$(wott api-token create policy-it --json 2>/dev/null | jq -r .token)
tagged=$(http PUT "/v1/admin/devices/$C_ID/tags" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' --data '{"tags": {"role": "web"}}')
expect_eq "admin API tags C role=web" "${tagged%% *}" 200
within "C gets in once tagged" "$SP" "$C" yes
# Unchanged: the tunnel's If-None-Match polls get 304.
not_modified() { status_json | jq -r '.policies["web-app"].fetches_not_modified'; }
for _ in $(seq 1 30); do [ "$(not_modified)" -gt 0 ] && break; sleep 0.2; done
check "an unchanged policy is answered 304 Not Modified" test "$(not_modified)" -gt 0
expect_contains "... as the server logged" "$(cat "$WORK/server.log")" \
  'route=/v1/policies/{name} status=304'

# Revoking A: refused (by the CRL or the policy, whichever comes first).
check "revoke A on the server" quiet wott device revoke "$A_ID"
within "A is refused after its revocation" "$SP" "$A" no

# nginx: the rendered map is accepted inside a map block; a broken one is not.
check "policy render --format nginx-map --out" \
  agent "$S" policy render web-app --format nginx-map --out "$WORK/allowed.map"
map=$(cat "$WORK/allowed.map")
expect_contains "the map names the policy and its version" "$map" "# wott policy web-app version 2"
expect_contains "the map lists B" "$map" "\"$B_ID\" 1;"
expect_contains "the map lists tagged C" "$map" "\"$C_ID\" 1;"
check "the map leaves out revoked A" bash -c "! grep -qF \"\$1\" <<<\"\$2\"" _ "$A_ID" "$map"
expect_eq "json: the same devices" \
  "$(agent "$S" policy render web-app --format json | jq -r '.allowed_devices | sort | join(",")')" \
  "$(printf '%s\n' "$B_ID" "$C_ID" | sort | paste -sd,)"
nginx_t() {
  mkdir -p "$WORK/ngx/logs"
  cat >"$WORK/ngx/nginx.conf" <<EOF
pid $WORK/ngx/nginx.pid;
error_log $WORK/ngx/logs/error.log;
events {}
http {
    map \$ssl_client_s_dn \$wott_allowed {
        default 0;
        include $1;
    }
}
EOF
  nginx -t -p "$WORK/ngx" -c "$WORK/ngx/nginx.conf" -e "$WORK/ngx/logs/error.log" >/dev/null 2>&1
}
check "nginx -t accepts the rendered map" nginx_t "$WORK/allowed.map"
echo '"unterminated 1;' >"$WORK/broken.map"
if nginx_t "$WORK/broken.map"; then fail "nginx -t accepted a broken map"; else
  pass "nginx -t refuses a broken map (the check can fail)"; fi
out=$(agent "$S" policy render nope --format nginx-map --out "$WORK/nope.map" 2>&1) && rc=0 || rc=$?
expect_eq "render of an unknown policy fails" "$rc" 1
check "... and writes no file" test ! -e "$WORK/nope.map"

# The server goes down: the last good list is kept.
stop_server
sleep 3
check "server down: B still gets in (last good list)" gets_in "$SP" "$B"
check "... and C too" gets_in "$SP" "$C"
expect_contains "the failed refresh is logged" "$(cat "$WORK/tserver.log")" \
  "cannot refresh policy 'web-app' (keeping version 2)"
check "/_status counts failed fetches" test "$(status_json | jq -r '.policies["web-app"].fetches_failed')" -gt 0

# A tunnel that never fetched the policy allows nobody (--no-crl: the refusal is the policy's).
bg cold agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" \
  --allow-policy web-app --no-crl
CP=$(tunnel_port cold)
check "never fetched: B is refused" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ \
  "$(tls_get "$CP" "$B")"
sleep 0.3
expect_contains "... by the policy" "$(cat "$WORK/cold.log")" "[policy]"
expect_contains "... said so at start-up" "$(cat "$WORK/cold.log")" \
  "allowing nobody until it is fetched"
finish
