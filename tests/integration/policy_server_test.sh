#!/usr/bin/env bash
# Trust policies on the server (issue 5): `wott-server policy` set/show/list/delete, the admin
# API with curl and a Bearer token, and the device API (GET /v1/policies/NAME) with curl and
# a device's certificate: resolved members, ETag and 304, a membership change changing the
# ETag, and the refusals (no certificate 401, revoked device 403, unknown policy 404).
. "$(dirname "$0")/lib.sh"
start_server

PROD=$(wott token create --uses 2 --tag env=prod 2>/dev/null)
PLAIN=$(wott token create --uses 2 2>/dev/null)
expect_eq "enroll a device tagged env=prod" "$(enroll tagged "$PROD")" 201
expect_eq "enroll a device to list by ID" "$(enroll listed "$PLAIN")" 201
expect_eq "enroll a device in neither rule" "$(enroll other "$PLAIN")" 201
TAGGED=$(json_field tagged.json device_id)
LISTED=$(json_field listed.json device_id)
LISTED_HEX=${LISTED%%.*}

# ---- CLI ----
check "policy set" quiet wott policy set web-app --description "the demo web app" \
  --device "$LISTED" --tag env=prod
shown=$(wott policy show web-app --json)
expect_eq "policy show: version 1" "$(jq -r .version <<<"$shown")" 1
expect_eq "policy show: the device stored as its hex ID" "$(jq -r '.allow_devices[0]' <<<"$shown")" \
  "$LISTED_HEX"
expect_eq "policy show: resolved members" "$(jq -c .allowed_devices <<<"$shown")" \
  "$(jq -cn --arg a "$TAGGED" --arg b "$LISTED" '[$a, $b] | sort')"
expect_contains "policy show (text) names the rules" "$(wott policy show web-app)" "env=prod"
check "policy set replaces (version 2)" quiet wott policy set web-app --device "$LISTED_HEX" --tag env=prod
expect_eq "policy list --json" "$(wott policy list --json | jq -c '[.policies[] | [.name, .version]]')" \
  '[["web-app",2]]'
expect_contains "policy list (text)" "$(wott policy list)" "web-app"
out=$(wott policy set Bad_Name --tag a=b 2>&1 || true)
expect_contains "policy set refuses a bad name" "$out" "policy name"
out=$(wott policy set web-app --device not-a-device 2>&1 || true)
expect_contains "policy set refuses a bad device reference" "$out" "not-a-device"
out=$(wott policy set web-app --tag envprod 2>&1 || true)
expect_contains "policy set refuses a tag without =" "$out" "key=value"
expect_eq "a refused set changes nothing" "$(wott policy show web-app --json | jq -r .version)" 2
check "policy set of a second policy" quiet wott policy set scratch --tag a=b
check "policy delete" quiet wott policy delete scratch
check "policy delete of an unknown policy fails" bash -c "! '$SERVER_BIN' --data-dir '$DATA' policy delete scratch 2>/dev/null"
check "policy show of a deleted policy fails" bash -c "! '$SERVER_BIN' --data-dir '$DATA' policy show scratch 2>/dev/null"

# ---- Admin API ----
ADMIN=$(wott api-token create policy-server-it --json 2>/dev/null | jq -r .token)
AUTH=(-H "Authorization: Bearer $ADMIN")
expect_eq "admin API without a token -> 401" "$(http GET /v1/admin/policies | cut -c1-3)" 401
expect_contains "admin GET list" "$(http GET /v1/admin/policies "${AUTH[@]}")" '"name":"web-app"'
echo '{"description":"api","allow_devices":[],"allow_tags":["env=prod"]}' >"$WORK/api.json"
out=$(http PUT /v1/admin/policies/api "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data-binary "@$WORK/api.json")
expect_contains "admin PUT creates -> 200 with version 1" "$out" '"version":1'
expect_eq "admin PUT status" "${out%% *}" 200
echo '{"allow_tags":["env"]}' >"$WORK/bad.json"
out=$(http PUT /v1/admin/policies/api "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data-binary "@$WORK/bad.json")
expect_eq "admin PUT with a bad tag -> 400" "${out%% *}" 400
expect_contains "with a clear message" "$out" "key=value"
expect_contains "admin GET one" "$(http GET /v1/admin/policies/api "${AUTH[@]}")" '"allow_tags":["env=prod"]'
expect_eq "admin DELETE -> 204" "$(http DELETE /v1/admin/policies/api "${AUTH[@]}" | cut -c1-3)" 204
expect_contains "admin GET after delete -> 404 not_found" \
  "$(http GET /v1/admin/policies/api "${AUTH[@]}")" '404 {"error":{"code":"not_found"'
expect_contains "events recorded" "$(http GET '/v1/admin/events?subject=api' "${AUTH[@]}")" \
  '"action":"policy.delete"'

# ---- Device API (mTLS) ----
# as_device PATH NAME [curl args...]: GET as device NAME. The old body file goes first: curl
# writes none for a 304.
as_device() {
  rm -f "$WORK/body"; : >"$WORK/body"
  http GET "$1" --cert "$WORK/$2.crt" --key "$WORK/$2.key" -D "$WORK/headers" "${@:3}"
}
etag() { sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$WORK/headers"; }
out=$(as_device /v1/policies/web-app other)
expect_eq "device GET -> 200 (any active device may read)" "${out%% *}" 200
expect_eq "device GET: resolved, sorted names" "$(jq -c .allowed_devices <<<"${out#* }")" \
  "$(jq -cn --arg a "$TAGGED" --arg b "$LISTED" '[$a, $b] | sort')"
expect_eq "device GET: version" "$(jq -r .version <<<"${out#* }")" 2
expect_contains "Cache-Control: no-store" "$(cat "$WORK/headers")" "no-store"
ETAG1=$(etag)
check "an ETag is sent" test -n "$ETAG1"
out=$(as_device /v1/policies/web-app other -H "If-None-Match: $ETAG1")
expect_eq "If-None-Match with the same ETag -> 304" "$out" "304 "
out=$(as_device /v1/policies/web-app other -H 'If-None-Match: "stale"')
expect_eq "another ETag -> 200" "${out%% *}" 200

# A tagged device enrolls: the version stays, the members and the ETag change.
expect_eq "enroll a second env=prod device" "$(enroll tagged2 "$PROD")" 201
out=$(as_device /v1/policies/web-app other -H "If-None-Match: $ETAG1")
expect_eq "after the enrollment: 200, not 304" "${out%% *}" 200
expect_contains "the new device is a member" "$out" "$(json_field tagged2.json device_id)"
ETAG2=$(etag)
check "the ETag changed" test "$ETAG1" != "$ETAG2"

# Revoked: out of the list, and refused as a reader.
check "device revoke" quiet wott device revoke "$TAGGED"
out=$(as_device /v1/policies/web-app other -H "If-None-Match: $ETAG2")
expect_eq "after the revocation: 200" "${out%% *}" 200
check "the revoked device is no member" bash -c "! grep -qF '$TAGGED' <<<'$out'"
out=$(as_device /v1/policies/web-app tagged)
expect_eq "a revoked device's certificate -> 403" "${out%% *}" 403
expect_contains "device_revoked" "$out" "device_revoked"
out=$(http GET /v1/policies/web-app)
expect_eq "no client certificate -> 401" "${out%% *}" 401
out=$(as_device /v1/policies/nope other)
expect_contains "unknown policy -> 404 not_found" "$out" '404 {"error":{"code":"not_found"'
finish
