#!/usr/bin/env bash
# The agent's kill -9 case: the server answered a renewal (and rotated the recovery token) but
# the agent died before it installed the new generation, so it still holds the old
# certificate and the OLD recovery token. Offline past expiry, it must still recover: the
# previous token stays valid for one rotation. Two rotations later it is refused, and a
# previous token does not go with a certificate two generations old.
. "$(dirname "$0")/lib.sh"
start_server --device-lifetime 4s --recovery-grace 60s
D=$WORK/dev
C=$D/certs
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
ID=$(agent "$D" whoami)
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f'; }
g1=$(readlink "$C/..data")
cp "$C/$g1/identity.json" "$WORK/id1.json"
cp "$C/$g1/client.crt" "$WORK/c1.crt"
s1=$(serial "$WORK/c1.crt")

sleep 1  # the renewal is issued in a later second than the enrollment
out=$(agent "$D" renew --force 2>&1) && rc=0 || rc=$?
expect_eq "renewal exits 0" "$rc" 0
g2=$(readlink "$C/..data")
check "the renewal installed a new generation" test "$g2" != "$g1"
cp "$C/$g2/identity.json" "$WORK/id2.json"
cp "$C/$g2/client.crt" "$WORK/c2.crt"
check "the server rotated the recovery token" test \
  "$(jq -r .recovery_token "$WORK/id1.json")" != "$(jq -r .recovery_token "$WORK/id2.json")"

# As if the agent had been killed before renaming ..data: the new generation is on disk but
# ..data still names the old one (what a crash leaves; the agent removes the newer one).
ln -sfn "$g1" "$C/..data.tmp" && mv -T "$C/..data.tmp" "$C/..data"
expect_eq "the device is back on its old certificate" "$(serial "$C/client.crt")" "$s1"

sleep 5  # both the old and the renewed certificate have expired
check "the renewed certificate has expired too" \
  bash -c "! openssl x509 -in '$WORK/c2.crt' -noout -checkend 0 >/dev/null"
out=$(agent "$D" renew 2>&1) && rc=0 || rc=$?
expect_eq "the stale generation recovers: exit 0" "$rc" 0
expect_contains "... through the recovery flow" "$out" "Recovered $ID"
expect_eq "recovery keeps the ID" "$(agent "$D" whoami)" "$ID"
s3=$(serial "$C/client.crt")
check "recovery gives a new certificate" test "$s3" != "$s1" -a "$s3" != "$(serial "$WORK/c2.crt")"
check "the recovered set is complete and matching" cert_set_ok "$C"

# curl with what the device held before: enroll (R1) -> renew (R2) -> recover (R3).
recover() {  # recover IDENTITY CERTFILE -> HTTP status
  new_csr rec
  jq -n --arg r "$(jq -r .recovery_token "$1")" --rawfile c "$WORK/rec.csr" --rawfile e "$2" \
    '{recovery_token:$r, csr:$c, expired_certificate:$e}' >"$WORK/rec.json"
  local out; out=$(post_json /v1/recover "$WORK/rec.json")
  [ -n "${DEBUG:-}" ] && echo "$out" >&2
  echo "${out%% *}"
}
expect_eq "the first token, two rotations old, is refused -> 401" \
  "$(recover "$WORK/id1.json" "$WORK/c1.crt")" 401
expect_eq "the previous token with a certificate two generations old -> 403" \
  "$(recover "$WORK/id2.json" "$WORK/c1.crt")" 403
expect_eq "the previous token while the recovered certificate is valid -> 409" \
  "$(recover "$WORK/id2.json" "$WORK/c2.crt")" 409
finish
