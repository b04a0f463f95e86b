#!/usr/bin/env bash
# Posture-aware central policies at the tunnel (issue 7): a policy allows devices A and B
# with `--min-trust-score`; A reported a clean audit (heartbeat with its certificate, curl),
# B none. The tunnel (--allow-policy) lets A through its tunnel client and refuses B with
# the server's reason in its log ("reason=posture: no audit reported (policy web-app)") and
# under the metrics reason "posture"; a device outside the policy stays a plain "policy"
# denial. B then reports a poor audit (refused with "trust score N < M"), then a clean one:
# it gets through within the policy refresh, without a restart.
. "$(dirname "$0")/tunnel_lib.sh"
FIX="$(cd "$(dirname "$0")/../testdata/audit" && pwd)"
start_server
S=$WORK/srv A=$WORK/devA B=$WORK/devB C=$WORK/devC
for d in "$S" "$A" "$B" "$C"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
A_ID=$(agent "$A" whoami) B_ID=$(agent "$B" whoami)
S_CN=$(cn_of "$S/certs/client.crt")
ADMIN=$(wott api-token create posture-tunnel-it --json 2>/dev/null | jq -r .token)
wott cve import "$FIX/tracker_small.json" >/dev/null 2>&1

# audit_body FILE FIREWALL_STATE: a heartbeat with a host audit and an inventory of one
# openssl (libssl3) at the version that fixes the tracker fixture's CVE (no findings).
audit_body() {
  local v=3.0.14-1~deb12u1 hash
  hash=$(printf 'libssl3\tamd64\t%s\topenssl\t%s\n' "$v" "$v" | sha256sum | cut -d' ' -f1)
  jq -n --arg v "$v" --arg h "$hash" --arg fw "$2" '{
    agent_version: "it",
    audit: {
      host: {firewall: {state: $fw, backend: "nftables", rules: 3}},
      inventory: {os_id: "debian", version_codename: "bookworm", packages_hash: $h,
                  packages: [{name: "libssl3", version: $v, arch: "amd64",
                              source: "openssl", source_version: $v}]}}}' >"$WORK/$1"
}
# heartbeat DEVICE_DIR FILE: POST /v1/ping with the device's own certificate; the status.
heartbeat() {
  local out
  out=$(post_json /v1/ping "$WORK/$2" --cert "$1/certs/client.crt" --key "$1/certs/client.key")
  echo "${out%% *}"
}
score_of() {
  http GET "/v1/admin/devices/${1%%.*}/security" -H "Authorization: Bearer $ADMIN" |
    cut -d' ' -f2- | jq -r .trust_score
}
audit_body clean.json yes
audit_body poor.json no
expect_eq "A reports a clean audit" "$(heartbeat "$A" clean.json)" 200
GOOD=$(score_of "$A_ID")
check "A has a positive trust score ($GOOD)" test "$GOOD" -gt 0
check "policy web-app: A and B, min trust score = A's" \
  quiet wott policy set web-app --device "$A_ID" --device "$B_ID" --min-trust-score "$GOOD"
expect_eq "the server refuses B for having no audit" \
  "$(curl -sS --max-time 10 --cacert "$CA" --cert "$A/certs/client.crt" \
    --key "$A/certs/client.key" "$URL/v1/policies/web-app" | jq -c .refused_devices)" \
  "[{\"name\":\"$B_ID\",\"reason\":\"no audit reported\"}]"

start_app
bg tserver agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$APP" \
  --allow-policy web-app --policy-refresh 1s --crl-refresh 1s --poll-interval 200ms \
  --status 127.0.0.1:0
TSERVER_PID=$BG_PID
SP=$(tunnel_port tserver)
STATUS=$(sed -n 's/.*tunnel status listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/tserver.log")
for d in A B; do
  dir=${!d}
  bg "client$d" agent "$dir" tunnel client --listen 127.0.0.1:0 --target "127.0.0.1:$SP" \
    --override-server-name="$S_CN"
  eval "CP_$d=\$(tunnel_port client$d)"
done
through() { curl -sS --max-time 10 "http://127.0.0.1:$1/" 2>/dev/null || true; }
metric() {
  curl -sS --max-time 5 "http://127.0.0.1:$STATUS/metrics" |
    sed -n "s/^wott_tunnel_connections_denied_total{.*reason=\"$1\"} //p" | head -1
}
# wait_log TEXT: waits up to 5 s for the tunnel server's log to contain TEXT.
wait_log() {
  for _ in $(seq 1 50); do grep -qF -- "$1" "$WORK/tserver.log" && return 0; sleep 0.1; done
  return 1
}

expect_eq "A (clean audit) gets through its tunnel client" "$(through "$CP_A")" "hello from the app"
check "B (no audit) is refused" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ \
  "$(through "$CP_B")"
check "the tunnel logs B's posture refusal with the server's reason" \
  wait_log "reason=posture: no audit reported (policy web-app)"
expect_contains "... on the deny line naming B" \
  "$(grep -F 'reason=posture' "$WORK/tserver.log" | head -1)" "denied 127.0.0.1:"
expect_contains "... and B's certificate" \
  "$(grep -F 'reason=posture' "$WORK/tserver.log" | head -1)" "CN=$B_ID"
check "/metrics counts it under reason=posture" test "$(metric posture)" -ge 1
expect_eq "... not under reason=policy" "$(metric policy)" 0
expect_eq "/_status denied_by_reason has posture" \
  "$(curl -sS --max-time 5 "http://127.0.0.1:$STATUS/_status" |
    jq -r '[.listeners[].counts.denied_by_reason.posture // 0] | add >= 1')" true

# A device outside the policy: a plain policy denial, no posture reason.
check "C (not in the policy) is refused" bash -c "! grep -q 'hello from the app' <<<\"\$1\"" _ \
  "$(tls_get "$SP" "$C")"
check "... logged as a policy denial" wait_log "[policy]"
check "... counted under reason=policy" test "$(metric policy)" -ge 1
check "... and never with a posture reason" bash -c "! grep 'reason=posture' \"\$1\" | grep -q \"CN=\$2\"" \
  _ "$WORK/tserver.log" "$(cn_of "$C/certs/client.crt")"

# B reports a poor audit (firewall off): refused with its score.
expect_eq "B reports a poor audit" "$(heartbeat "$B" poor.json)" 200
POOR=$(score_of "$B_ID")
check "B's score ($POOR) is under A's ($GOOD)" test "$POOR" -lt "$GOOD"
for _ in $(seq 1 50); do
  through "$CP_B" >/dev/null
  grep -qF "reason=posture: trust score $POOR < $GOOD (policy web-app)" "$WORK/tserver.log" && break
  sleep 0.2
done
expect_contains "the tunnel now logs B's score as the reason" "$(cat "$WORK/tserver.log")" \
  "reason=posture: trust score $POOR < $GOOD (policy web-app)"

# B reports a clean audit: it gets in within the refresh, without a restart.
expect_eq "B reports a clean audit" "$(heartbeat "$B" clean.json)" 200
got=no
for _ in $(seq 1 50); do
  [ "$(through "$CP_B")" = "hello from the app" ] && { got=yes; break; }
  sleep 0.2
done
expect_eq "B gets through once its audit is clean" "$got" yes
expect_eq "A still gets through" "$(through "$CP_A")" "hello from the app"
check "the tunnel server is the same process" kill -0 "$TSERVER_PID"
finish
