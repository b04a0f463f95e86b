#!/usr/bin/env bash
# Bad flag combinations and configurations stop `wott-agent tunnel` at start-up with exit
# code 2 and a message saying what is wrong; a good one starts (exit 0 on SIGTERM).
. "$(dirname "$0")/tunnel_lib.sh"
T="127.0.0.1:9"   # a target; nothing connects to it here
# refuses MESSAGE ARGS...: wott-agent tunnel ARGS exits 2 and prints MESSAGE.
refuses() {
  local want=$1; shift
  local out rc
  out=$(timeout 10 "$AGENT_BIN" --dir "$WORK/nodev" tunnel "$@" 2>&1) && rc=0 || rc=$?
  if [ "$rc" = 2 ] && grep -qF -- "$want" <<<"$out"; then pass "refused ($want): $*"
  else fail "expected exit 2 with '$want' for: $*; got $rc: $out"; fi
}
refuses "tunnel needs a subcommand (server or client) or --config FILE"
refuses "a tunnel server needs an access rule" server --listen 127.0.0.1:0 --target $T
refuses "--allow-all cannot be combined with other --allow-* rules" \
  server --listen 127.0.0.1:0 --target $T --allow-all --allow-cn a.example
refuses "tags live on the server: use --allow-policy with a policy that has the tag" \
  server --listen 127.0.0.1:0 --target $T --allow-tag env=prod
refuses "--allow-policy 'Web' is not a policy name" \
  server --listen 127.0.0.1:0 --target $T --allow-policy Web
refuses "--policy-refresh 'soon' is not a duration" \
  server --listen 127.0.0.1:0 --target $T --allow-policy web --policy-refresh soon
refuses "--allow-device 'NOT-AN-ID' is not a device ID" \
  server --listen 127.0.0.1:0 --target $T --allow-device NOT-AN-ID
refuses "--allow-cn needs a value" server --listen 127.0.0.1:0 --target $T --allow-cn ""
refuses "--crl-fail-open and --no-crl cannot be combined" \
  server --listen 127.0.0.1:0 --target $T --allow-all --no-crl --crl-fail-open
refuses "--target 'nowhere' is not host:port" server --listen 127.0.0.1:0 --target nowhere --allow-all
refuses "--listen '127.0.0.1' is not host:port" server --listen 127.0.0.1 --target $T --allow-all
refuses "--target needs a port other than 0" server --listen 127.0.0.1:0 --target 127.0.0.1:0 --allow-all
refuses "--idle-timeout 'soon' is not a duration" \
  server --listen 127.0.0.1:0 --target $T --allow-all --idle-timeout soon
refuses "--verify-device 'xyz' is not a device ID" client --listen 127.0.0.1:0 --target $T --verify-device xyz
refuses "--listen is required" server --target $T --allow-all
refuses "is not on this machine" server --listen 127.0.0.1:0 --target 192.0.2.1:80 --allow-all
refuses "is not a loopback address" client --listen 0.0.0.0:0 --target $T
refuses "not expected: a.example --allow-cn" \
  client --listen 127.0.0.1:0 --target $T --allow-cn a.example
refuses "--config cannot be combined with server/client" \
  --config /nonexistent server --listen 127.0.0.1:0 --target $T --allow-all
refuses "--config /nonexistent" --config /nonexistent
echo '{"tunnels": [{"mode": "server", "listen": "127.0.0.1:0", "target": "127.0.0.1:9", "allow_al": true}]}' >"$WORK/typo.json"
refuses "unknown field 'allow_al'" --config "$WORK/typo.json"
echo '{"tunnels": [' >"$WORK/broken.json"
refuses "not valid JSON" --config "$WORK/broken.json"

# A runtime failure (missing keystore) is exit 1, not a usage error.
out=$("$AGENT_BIN" --dir "$WORK/nodev" tunnel server --listen 127.0.0.1:0 --target $T --allow-all --no-crl 2>&1) && rc=0 || rc=$?
expect_eq "a missing keystore exits 1" "$rc" 1
expect_contains "... naming the file" "$out" "keystore $WORK/nodev/certs/combined.pem"

out=$("$AGENT_BIN" --dir "$WORK/nodev" tunnel server --listen 127.0.0.1:0 --target 192.0.2.1:80 \
  --allow-all --no-crl --unsafe-target 2>&1) && rc=0 || rc=$?
expect_eq "--unsafe-target lets a remote target pass validation (then the missing keystore: 1)" "$rc" 1

# The accepted counterpart: a valid command starts and stops cleanly on SIGTERM.
start_server
enroll_agent "$WORK/dev" || { cat "$WORK/dev.enroll.log"; exit 1; }
bg ok agent "$WORK/dev" tunnel server --listen 127.0.0.1:0 --target $T --allow-all --no-crl
tunnel_port ok >/dev/null
kill -TERM "$BG_PID"; wait "$BG_PID" && rc=0 || rc=$?
expect_eq "a valid tunnel starts and exits 0 on SIGTERM" "$rc" 0
finish
