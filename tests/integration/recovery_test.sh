#!/usr/bin/env bash
# A device offline past expiry recovers with its recovery token within the grace window,
# and not beyond it. Short lifetimes make the clock move: 3 s certificates, 15 s grace (wide
# enough for a loaded machine; the "past the window" step waits for the real deadline).
. "$(dirname "$0")/lib.sh"
start_server --device-lifetime 3s --recovery-grace 15s
T=$(wott token create --uses 2 2>/dev/null)
expect_eq "enroll A" "$(enroll a "$T")" 201
expect_eq "enroll B" "$(enroll b "$T")" 201
cp "$WORK/a.crt" "$WORK/a.expired.crt"
sleep 4

expect_eq "renewing with an expired certificate fails (handshake)" "$(renew a)" 000

recover() {  # recover NAME TOKEN CERTFILE -> status
  new_csr "$1.rec"
  jq -n --arg r "$2" --rawfile c "$WORK/$1.rec.csr" --rawfile e "$3" \
    '{recovery_token:$r, csr:$c, expired_certificate:$e}' >"$WORK/$1.recover"
  local out; out=$(post_json /v1/recover "$WORK/$1.recover")
  echo "${out#* }" >"$WORK/$1.recovered.json"; [ -n "${DEBUG:-}" ] && echo "$out" >&2
  echo "${out%% *}"
}
RA=$(json_field a.json recovery_token)
RB=$(json_field b.json recovery_token)
expect_eq "wrong recovery token -> 401" "$(recover x 0000 "$WORK/a.expired.crt")" 401
expect_eq "A's token with B's certificate -> 403" "$(recover x "$RA" "$WORK/b.crt")" 403
expect_eq "recovery within the grace window -> 200" "$(recover a "$RA" "$WORK/a.expired.crt")" 200
expect_eq "recovery keeps the device ID" "$(json_field a.recovered.json device_id)" "$(json_field a.json device_id)"
jq -r .certificate "$WORK/a.recovered.json" >"$WORK/a.new.crt"
check "recovered certificate verifies" \
  openssl verify -CAfile "$CA" -untrusted "$DATA/ca/intermediate.crt" "$WORK/a.new.crt"
# The used token is now A's previous one (valid one more rotation, see
# recovery_stale_token_test.sh), but A's new certificate is valid: renew, not recover.
expect_eq "a used recovery token does not recover a valid device -> 409" \
  "$(recover a2 "$RA" "$WORK/a.expired.crt")" 409

# Wait until B's certificate expired more than 15 s ago (plus 1 s for whole seconds).
b_deadline=$(( $(date -d "$(openssl x509 -in "$WORK/b.crt" -noout -enddate | cut -d= -f2)" +%s) + 16 ))
while [ "$(date +%s)" -le "$b_deadline" ]; do sleep 1; done
expect_eq "recovery past the grace window -> 403" "$(recover b "$RB" "$WORK/b.crt")" 403
finish
