#!/usr/bin/env bash
# Crash safety: `wott-agent renew --force` is killed with SIGKILL at random moments, 200
# times. After every kill, certs/ must show one complete set whose key matches its
# certificate and whose chain verifies; afterwards the agent still renews normally.
. "$(dirname "$0")/lib.sh"
start_server
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
N=${AGENT_KILL_ITERATIONS:-200}

# How long one renewal takes here, to spread the kills over all of it.
t0=$(date +%s%N); agent "$D" renew --force >/dev/null 2>&1; t1=$(date +%s%N)
span_us=$(( (t1 - t0) / 1000 + 2000 ))
echo "# one renewal takes $(( (t1 - t0) / 1000000 )) ms; killing within 0..$((span_us / 1000)) ms"

# cert_set_ok runs three openssl processes; a set with the same bytes as one already
# checked is the same set, so only new contents are checked again.
declare -A verified
set_ok() {
  [ -s "$C/ca.crt" ] && [ -s "$C/client.crt" ] && [ -s "$C/client.key" ] && [ -s "$C/combined.pem" ] || return 1
  local h; h=$(cat "$C/ca.crt" "$C/client.crt" "$C/client.key" "$C/combined.pem" | sha256sum)
  [ -n "${verified[$h]:-}" ] && return 0
  cert_set_ok "$C" && verified[$h]=1
}

bad=0 changed=0 prev=$(readlink "$C/..data")
for i in $(seq 1 "$N"); do
  "$AGENT_BIN" --dir "$D" --log-level off renew --force >/dev/null 2>&1 &
  pid=$!
  delay=$(( RANDOM * 32768 + RANDOM ))
  delay=$(( delay % span_us ))
  sleep "$(printf '0.%06d' "$delay")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ! set_ok; then
    bad=$((bad + 1)); echo "# iteration $i: inconsistent set after kill at ${delay} us"; ls -la "$C"
  fi
  cur=$(readlink "$C/..data")
  [ "$cur" != "$prev" ] && changed=$((changed + 1))
  prev=$cur
done
echo "# $N kills, $changed of them after the swap, ${#verified[@]} distinct sets checked with openssl"
expect_eq "after each of $N kills the set is complete, matching and valid" "$bad" 0
check "some kills landed before the swap" test "$changed" -lt "$N"
check "some kills landed after the swap" test "$changed" -gt 0
check "the agent renews normally afterwards" agent "$D" renew --force
expect_eq "... as the same device" "$(agent "$D" whoami)" "$ID"
check "... leaving a complete set" cert_set_ok "$C"
check "... and no crash leftovers (at most current + previous generation)" \
  test "$(ls -d "$C"/..gen-* | wc -l)" -le 2
check "... and no temporary links" test -z "$(ls -A "$C" | grep tmp || true)"

# A reader during renewals: each open() of combined.pem (one file, resolved through ..data
# at once) shows one generation's chain and key, never a mix.
( for _ in $(seq 1 30); do "$AGENT_BIN" --dir "$D" --log-level off renew --force >/dev/null 2>&1; done ) &
RENEWER=$!
reads=0 mixed=0
while kill -0 "$RENEWER" 2>/dev/null; do
  cp "$C/combined.pem" "$WORK/snap.pem"
  reads=$((reads + 1))
  [ "$(openssl x509 -in "$WORK/snap.pem" -noout -pubkey 2>/dev/null)" = \
    "$(openssl pkey -in "$WORK/snap.pem" -pubout 2>/dev/null)" ] || mixed=$((mixed + 1))
done
wait "$RENEWER" || true
echo "# $reads reads of combined.pem during 30 renewals"
expect_eq "a concurrent reader never sees a chain and key from different generations" "$mixed" 0
check "the reader read during the renewals" test "$reads" -gt 1
finish
