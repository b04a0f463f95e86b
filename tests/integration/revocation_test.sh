#!/usr/bin/env bash
# Revoking a device stops its renewals at once, lists its serials in the CRL and makes OCSP
# answer "revoked"; other devices are unaffected. Checked with openssl crl / openssl ocsp.
. "$(dirname "$0")/lib.sh"
start_server
T=$(wott token create --uses 3 2>/dev/null)
expect_eq "enroll the device to revoke" "$(enroll bad "$T")" 201
expect_eq "enroll a device that stays" "$(enroll good "$T")" 201
BAD=$(json_field bad.json device_id)
SERIAL=$(json_field bad.json serial)
INTER="$DATA/ca/intermediate.crt"

ocsp() {  # ocsp CERTFILE -> openssl ocsp's verdict text
  openssl ocsp -issuer "$INTER" -cert "$1" -url "$URL/v1/ocsp" -CAfile "$CA" \
    -verify_other "$INTER" 2>&1 || true
}
expect_contains "OCSP says good before revocation" "$(ocsp "$WORK/bad.crt")" ": good"

check "device revoke via the CLI" wott device revoke "$BAD" --reason key_compromise
expect_eq "renewal of the revoked device -> 403" "$(renew bad)" 403
expect_eq "the other device still renews" "$(renew good)" 200

curl -sS --cacert "$CA" "$URL/v1/crl" -o "$WORK/crl.der"
crl=$(openssl crl -inform DER -in "$WORK/crl.der" -CAfile <(cat "$INTER" "$CA") -noout -text 2>&1)
expect_contains "CRL signature verifies" "$crl" "verify OK"
expect_contains "revoked serial is in the CRL" "$crl" "Serial Number: ${SERIAL^^}"
expect_contains "with its reason" "$crl" "Key Compromise"
check "the other device's serial is not" bash -c "! grep -qi '$(json_field good.json serial)' <<<'$crl'"

verdict=$(ocsp "$WORK/bad.crt")
expect_contains "OCSP says revoked" "$verdict" ": revoked"
expect_contains "OCSP response verifies" "$verdict" "Response verify OK"
expect_contains "OCSP says good for the other device" "$(ocsp "$WORK/good.crt")" ": good"
expect_contains "public certificate lookup refuses the revoked device" \
  "$(http GET "/v1/devices/$BAD/certificate")" '404 {"error"'
finish
