#!/usr/bin/env bash
# Connection limits: --max-connections refuses a connection beyond the limit (and accepts
# again once one closes); --idle-timeout closes a connection that carries nothing, while an
# active one stays open; --handshake-timeout drops a peer that never finishes a handshake.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA
for d in "$S" "$A"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
start_echo
wait_for() { for _ in $(seq 1 100); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# hold NAME PORT: an s_client connection as device A reading the FIFO $WORK/NAME.in (fd from caller).
hold() {
  mkfifo "$WORK/$1.in"
  timeout 60 openssl s_client -connect "127.0.0.1:$2" -CAfile "$A/certs/ca.crt" -quiet \
    -cert "$A/certs/client.crt" -cert_chain "$A/certs/client.crt" -key "$A/certs/client.key" \
    <"$WORK/$1.in" >"$WORK/$1.out" 2>"$WORK/$1.err" &
  HOLD_PID=$!
  PIDS+=($HOLD_PID)
}

bg limit agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" \
  --allow-all --no-crl --max-connections 1
LP=$(tunnel_port limit)
hold first "$LP"; exec 3>"$WORK/first.in"; FIRST_PID=$HOLD_PID
echo one >&3
check "the first connection is served" wait_for "$WORK/first.out" one
out=$(echo two | timeout 10 openssl s_client -connect "127.0.0.1:$LP" -CAfile "$A/certs/ca.crt" -quiet \
  -cert "$A/certs/client.crt" -cert_chain "$A/certs/client.crt" -key "$A/certs/client.key" 2>&1) || true
check "a second one beyond --max-connections 1 gets no echo" bash -c "! grep -qx two <<<\"\$1\"" _ "$out"
check "... and is logged as connection_limit" wait_for "$WORK/limit.log" "[connection_limit]"
exec 3>&-
kill "$FIRST_PID"   # s_client -quiet ignores stdin EOF: end the connection for real
sleep 0.5
out=$( (echo three; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$LP" -CAfile "$A/certs/ca.crt" -quiet -no_ign_eof \
  -cert "$A/certs/client.crt" -cert_chain "$A/certs/client.crt" -key "$A/certs/client.key" 2>&1) || true
expect_contains "after the first closes, a new connection is served" "$out" "three"

bg idle agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" \
  --allow-all --no-crl --idle-timeout 1s
IP=$(tunnel_port idle)
hold quiet "$IP"; exec 4>"$WORK/quiet.in"
hold busy "$IP"; exec 5>"$WORK/busy.in"
echo hi >&4
check "the quiet connection works at first" wait_for "$WORK/quiet.out" hi
for i in 1 2 3 4 5 6; do echo "tick$i" >&5; sleep 0.4; done
check "the busy connection is still served after 2.4 s" wait_for "$WORK/busy.out" tick6
check "the quiet one was closed for idleness" wait_for "$WORK/idle.log" "(idle timeout)"
exec 4>&- 5>&-

bg slow agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" \
  --allow-all --no-crl --handshake-timeout 500ms
SLP=$(tunnel_port slow)
exec 6<>/dev/tcp/127.0.0.1/"$SLP"   # connects, never sends a ClientHello
check "a peer that never completes the handshake is dropped" wait_for "$WORK/slow.log" \
  "TLS handshake timed out [handshake_timeout]"
exec 6>&-
finish
