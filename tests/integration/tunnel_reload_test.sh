#!/usr/bin/env bash
# Hot reload: `wott-agent renew --force` on the tunnel server's device is picked up for new
# connections (new serial presented) while a connection opened before keeps working; a
# corrupt keystore on SIGHUP (and on file change) keeps serving with the old credentials
# and logs why.
. "$(dirname "$0")/tunnel_lib.sh"
start_server
S=$WORK/srv A=$WORK/devA
for d in "$S" "$A"; do enroll_agent "$d" || { cat "$d.enroll.log"; exit 1; }; done
start_echo

bg tserver agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" \
  --allow-all --no-crl --poll-interval 200ms
SP=$(tunnel_port tserver)
OLD=$(serial_of "$S/certs/client.crt")
expect_eq "the tunnel presents the current certificate" "$(server_serial "$SP" "$A")" "$OLD"

# A connection held open across the renewal: s_client reading a FIFO.
mkfifo "$WORK/held.in"
timeout 60 openssl s_client -connect "127.0.0.1:$SP" -CAfile "$A/certs/ca.crt" -quiet \
  -cert "$A/certs/client.crt" -cert_chain "$A/certs/client.crt" -key "$A/certs/client.key" \
  <"$WORK/held.in" >"$WORK/held.out" 2>"$WORK/held.err" &
PIDS+=($!)
exec 3>"$WORK/held.in"
wait_for() {  # wait_for FILE TEXT
  for _ in $(seq 1 100); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
echo "before renewal" >&3
check "the held connection echoes before the renewal" wait_for "$WORK/held.out" "before renewal"

check "renew --force on the server's device" quiet agent "$S" renew --force
NEW=$(serial_of "$S/certs/client.crt")
check "the renewal changed the serial" test "$NEW" != "$OLD"
got=""
for _ in $(seq 1 50); do got=$(server_serial "$SP" "$A"); [ "$got" = "$NEW" ] && break; sleep 0.2; done
expect_eq "new connections get the renewed certificate" "$got" "$NEW"
echo "after renewal" >&3
check "the connection opened before the renewal still works" wait_for "$WORK/held.out" "after renewal"
exec 3>&-

# A corrupt keystore: a separate tunnel on a copy of the files.
cp "$S/certs/combined.pem" "$WORK/ks.pem"
bg copy agent "$S" tunnel server --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO_PORT" \
  --keystore "$WORK/ks.pem" --allow-all --no-crl --poll-interval 200ms
CP=$(tunnel_port copy)
COPY_PID=$BG_PID
expect_eq "the copy tunnel serves the keystore's certificate" "$(server_serial "$CP" "$A")" "$NEW"
head -c 300 "$S/certs/combined.pem" >"$WORK/ks.pem"   # truncated, as a bad write leaves it
kill -HUP "$COPY_PID"
check "the failed reload is logged with the reason" wait_for "$WORK/copy.log" \
  "reload (SIGHUP) failed, keeping the current credentials: keystore"
expect_eq "... and new connections still get the old credentials" "$(server_serial "$CP" "$A")" "$NEW"
echo "garbage" >"$WORK/ks.pem"
check "a change to another broken file is logged too" wait_for "$WORK/copy.log" \
  "reload (files changed) failed"
expect_eq "... still serving" "$(server_serial "$CP" "$A")" "$NEW"
check "the tunnel process is still running" kill -0 "$COPY_PID"
cp "$S/certs/combined.pem" "$WORK/ks.pem.new" && mv "$WORK/ks.pem.new" "$WORK/ks.pem"
check "a good file again is loaded" wait_for "$WORK/copy.log" "credentials loaded (files changed)"
finish
