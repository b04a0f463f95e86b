#!/usr/bin/env bash
# wott-agent on bad input: clear errors, exit 1, nothing written or existing files untouched.
. "$(dirname "$0")/lib.sh"
start_server
FP=$(wott ca show --fingerprint)
token() { wott token create 2>/dev/null; }
# run DESCRIPTION-PREFIX EXPECTED-MESSAGE agent-args...: exit 1 and the message on stderr.
refused() {
  local what=$1 msg=$2; shift 2
  local out rc
  out=$(agent "$@" 2>&1) && rc=0 || rc=$?
  expect_eq "$what: exit 1" "$rc" 1
  expect_contains "$what: clear message" "$out" "$msg"
}

# Enrollment problems: nothing may be written.
free_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
refused "unreachable server" "connection refused" \
  "$WORK/a" enroll --server "https://127.0.0.1:$free_port" --token x --ca-fingerprint "$FP"
check "unreachable server: nothing written" test ! -e "$WORK/a"
refused "wrong fingerprint" "does not match the pinned fingerprint" \
  "$WORK/b" enroll --server "$URL" --token "$(token)" --ca-fingerprint "$(printf '%064d' 0)"
check "wrong fingerprint: nothing written" test ! -e "$WORK/b"
refused "malformed fingerprint" "--ca-fingerprint" \
  "$WORK/b" enroll --server "$URL" --token x --ca-fingerprint abc
refused "wrong token" "the server refused the enrollment" \
  "$WORK/c" enroll --server "$URL" --token etffff.0000 --ca-fingerprint "$FP"
check "wrong token: nothing written" test ! -e "$WORK/c"
refused "not an https URL" "--server" \
  "$WORK/c" enroll --server "http://localhost:$PORT" --token x --ca-fingerprint "$FP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other -days 1 \
  -keyout "$WORK/other.key" -out "$WORK/other.crt" 2>/dev/null
refused "--ca-file of another CA" "failed verification" \
  "$WORK/d" enroll --server "$URL" --token "$(token)" --ca-file "$WORK/other.crt"
check "--ca-file of another CA: nothing written" test ! -e "$WORK/d"

# A read-only directory (an unprivileged user; root ignores permissions).
RO=$WORK/ro
mkdir -p "$RO" && chmod 755 "$RO" "$WORK"
T=$(token)
out=$(runuser -u nobody -- "$AGENT_BIN" --dir "$RO/dev" enroll --server "$URL" --token "$T" \
  --ca-fingerprint "$FP" 2>&1) && rc=0 || rc=$?
expect_eq "read-only dir: enroll exits 1" "$rc" 1
expect_contains "read-only dir: names the directory" "$out" "cannot create directory $RO/dev"
check "read-only dir: the token was not spent" \
  agent "$WORK/e" enroll --server "$URL" --token "$T" --ca-fingerprint "$FP"

# An enrolled device whose directory became read-only: renew fails, files untouched.
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
snapshot() { (cd "$C" && cat ca.crt client.crt client.key combined.pem ..data/identity.json | sha256sum); }
before=$(snapshot)
chown -R nobody "$D"
chmod 555 "$D" "$C"
out=$(runuser -u nobody -- "$AGENT_BIN" --dir "$D" renew --force 2>&1) && rc=0 || rc=$?
expect_eq "read-only dir: renew exits 1" "$rc" 1
expect_contains "read-only dir: renew says why" "$out" "Permission denied"
expect_eq "read-only dir: files untouched" "$(snapshot)" "$before"
chmod 755 "$D" "$C"
chown -R root "$D"

# Unreachable server on renew.
jq --arg u "https://127.0.0.1:$free_port" '.server_url = $u' "$D/agent.json" >"$WORK/a.json"
cp "$D/agent.json" "$WORK/agent.json.good"
cp "$WORK/a.json" "$D/agent.json"
refused "renew, server unreachable" "connection refused" "$D" renew --force
expect_eq "renew, server unreachable: files untouched" "$(snapshot)" "$before"
expect_eq "renew, server unreachable: recorded" "$(agent "$D" status --json | jq -r .last_result)" unavailable
cp "$WORK/agent.json.good" "$D/agent.json"

# A broken agent.json.
echo '{"server_url": ' >"$D/agent.json"
refused "broken agent.json: status" "agent.json is not valid JSON" "$D" status
refused "broken agent.json: renew" "agent.json is not valid JSON" "$D" renew --force
cp "$WORK/agent.json.good" "$D/agent.json"

# A corrupted client.crt.
cp "$C/client.crt" "$WORK/client.crt.good"
echo "garbage" >"$C/client.crt"
after_corruption=$(snapshot)
for cmd in whoami status "renew --force"; do
  # shellcheck disable=SC2086
  refused "corrupted client.crt: $cmd" "client.crt is corrupted" "$D" $cmd
done
expect_eq "corrupted client.crt: nothing rewritten" "$(snapshot)" "$after_corruption"
cp "$WORK/client.crt.good" "$C/client.crt"
expect_eq "repaired client.crt works again" "$(agent "$D" whoami)" "$ID"

# A key that does not match.
cp "$WORK/other.key" "$C/client.key"
refused "mismatched client.key: whoami" "client.key does not match client.crt" "$D" whoami
finish
