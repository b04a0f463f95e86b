#!/usr/bin/env bash
# Device posture on the server (issue 7) end to end: a device (curl with its certificate)
# reports an inventory with a vulnerable openssl in its heartbeat; after `cve import` of the
# hand-written tracker fixture the server lists the CVE for the device and in the fleet view;
# an upgraded inventory clears it. inventory_wanted follows the hash the server holds;
# malformed audits are 400 naming the field and record nothing; /v1/ping takes a body over
# 64 KiB while other routes refuse it; a revoked device's heartbeat is refused.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../testdata/audit" && pwd)"
start_server

T=$(wott token create --uses 2 2>/dev/null)
expect_eq "enroll a device" "$(enroll dev "$T")" 201
DEV=$(json_field dev.json device_id)
HEX=${DEV%%.*}
ADMIN=$(wott api-token create posture-it --json 2>/dev/null | jq -r .token)
AUTH=(-H "Authorization: Bearer $ADMIN")

# audit_body FILE OPENSSL_VERSION [hash-only]: a heartbeat with a host audit and an
# inventory of one openssl binary (libssl3) at that version; the hash as the spec defines it.
audit_body() {
  local file=$1 v=$2 hash
  hash=$(printf 'libssl3\tamd64\t%s\topenssl\t%s\n' "$v" "$v" | sha256sum | cut -d' ' -f1)
  jq -n --arg v "$v" --arg h "$hash" --arg only "${3:-}" '{
    agent_version: "it",
    audit: {
      host: {firewall: {state: "yes", backend: "nftables", rules: 3}},
      inventory: ({os_id: "debian", version_codename: "bookworm", packages_hash: $h}
        + (if $only == "" then {packages: [{name: "libssl3", version: $v, arch: "amd64",
                                            source: "openssl", source_version: $v}]}
           else {} end))}}' >"$WORK/$file"
}
ping_dev() { post_json /v1/ping "$WORK/$1" --cert "$WORK/dev.crt" --key "$WORK/dev.key"; }
security() { http GET "/v1/admin/devices/$HEX/security" "${AUTH[@]}"; }

out=$(security)
expect_contains "security view before any audit -> 404 no_audit" "$out" '404 {"error":{"code":"no_audit"'

# ---- A vulnerable inventory, then the vulnerability data ----
audit_body old.json 3.0.11-1~deb12u2
out=$(ping_dev old.json)
expect_eq "heartbeat with the package list -> 200" "${out%% *}" 200
expect_eq "inventory_wanted false once the list is held" "$(jq -r .inventory_wanted <<<"${out#* }")" false
out=$(security)
expect_eq "security view -> 200" "${out%% *}" 200
expect_eq "no vulnerability data yet: findings unknown" "$(jq -r .findings_known <<<"${out#* }")" false
expect_eq "the inventory is recorded" "$(jq -c '[.inventory.packages, .inventory.codename]' <<<"${out#* }")" '[1,"bookworm"]'
check "a trust score is computed" quiet jq -e '.trust_score | type == "number"' <<<"${out#* }"

wott cve import "$FIX/tracker_small.json" >/dev/null 2>&1
out=$(security)
expect_eq "after cve import the device's CVE is listed as fixable" \
  "$(jq -r '[.findings[] | select(.id == "CVE-2024-4741") | .state] | join(",")' <<<"${out#* }")" fixable
expect_eq "with its fixed version" \
  "$(jq -r '.findings[] | select(.id == "CVE-2024-4741") | .fixed_version' <<<"${out#* }")" 3.0.14-1~deb12u1
expect_eq "counts.vulnerable" "$(jq -r .counts.vulnerable <<<"${out#* }")" 1
SCORE_BEFORE=$(jq -r .trust_score <<<"${out#* }")

out=$(http GET '/v1/admin/cves?state=fixable' "${AUTH[@]}")
expect_eq "fleet view -> 200" "${out%% *}" 200
expect_eq "fleet view lists the CVE with the device" \
  "$(jq -r '.cves[] | select(.cve == "CVE-2024-4741") | .packages[0].devices[0].id' <<<"${out#* }")" "$HEX"
expect_eq "fleet view: installed version" \
  "$(jq -r '.cves[] | select(.cve == "CVE-2024-4741") | .packages[0].devices[0].installed' <<<"${out#* }")" \
  3.0.11-1~deb12u2
expect_contains "fleet view refuses a bad severity" "$(http GET '/v1/admin/cves?severity=worst' "${AUTH[@]}")" \
  '400 {"error":{"code":"invalid_argument"'
expect_contains "the device list carries trust_score" "$(http GET /v1/admin/devices "${AUTH[@]}")" \
  "\"trust_score\":$SCORE_BEFORE"

# ---- inventory_wanted ----
audit_body same.json 3.0.11-1~deb12u2 hash-only
expect_eq "the same hash without packages: not wanted" \
  "$(ping_dev same.json | cut -d' ' -f2- | jq -r .inventory_wanted)" false
audit_body other.json 3.0.14-1~deb12u1 hash-only
expect_eq "a new hash without packages: wanted" \
  "$(ping_dev other.json | cut -d' ' -f2- | jq -r .inventory_wanted)" true

# ---- The upgrade clears it ----
audit_body new.json 3.0.14-1~deb12u1
expect_eq "heartbeat with the upgraded list -> 200" "$(ping_dev new.json | cut -c1-3)" 200
out=$(security)
expect_eq "the CVE is gone from the device" \
  "$(jq -r '[.findings[] | select(.id == "CVE-2024-4741")] | length' <<<"${out#* }")" 0
check "the score did not drop" test "$(jq -r .trust_score <<<"${out#* }")" -ge "$SCORE_BEFORE"
out=$(http GET '/v1/admin/cves?state=fixable' "${AUTH[@]}")
expect_eq "and from the fleet view" \
  "$(jq -r '[.cves[] | select(.cve == "CVE-2024-4741")] | length' <<<"${out#* }")" 0
check "the score history has rows" quiet jq -e '.score_history | length >= 1' <<<"$(security | cut -d' ' -f2-)"

# ---- Malformed audits: 400 naming the field, nothing recorded ----
jq '.audit.inventory.packages[0].version = "not a version" | .agent_version = "bad"' \
  "$WORK/old.json" >"$WORK/badver.json"
out=$(ping_dev badver.json)
expect_eq "a bad package version -> 400" "${out%% *}" 400
expect_contains "naming the field" "$out" "audit.inventory.packages[0].version"
jq '.audit.inventory.packages_hash = "'"$(printf '0%.0s' {1..64})"'" | .agent_version = "bad"' \
  "$WORK/old.json" >"$WORK/badhash.json"
out=$(ping_dev badhash.json)
expect_eq "a hash that does not match the list -> 400" "${out%% *}" 400
expect_contains "naming the field" "$out" "audit.inventory.packages_hash"
echo '{"agent_version":"bad","audit":{"host":[1]}}' >"$WORK/badhost.json"
expect_contains "a host audit that is not an object -> 400" "$(ping_dev badhost.json)" "audit.host"
expect_eq "the refused heartbeats were not recorded" \
  "$(http GET "/v1/admin/devices/$HEX" "${AUTH[@]}" | cut -d' ' -f2- | jq -r .agent_version)" it

# ---- Body limits: /v1/ping takes a large package list, other routes keep 64 KiB ----
jq -n '[range(0; 1500) | {name: "pkg\(.)", version: "1.0-1", arch: "amd64",
         source: "pkg\(.)", source_version: "1.0-1"}] | sort_by(.name)' >"$WORK/many.json"
HASH=$(jq -r '.[] | "\(.name)\t\(.arch)\t\(.version)\t\(.source)\t\(.source_version)"' "$WORK/many.json" \
  | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
jq -n --slurpfile p "$WORK/many.json" --arg h "$HASH" \
  '{audit: {inventory: {os_id: "debian", version_codename: "bookworm", packages_hash: $h,
    packages: $p[0]}}}' >"$WORK/big.json"
check "the large heartbeat is over 64 KiB" test "$(stat -c %s "$WORK/big.json")" -gt 65536
out=$(ping_dev big.json)
expect_eq "a heartbeat over 64 KiB -> 200" "${out%% *}" 200
expect_eq "1500 packages recorded" \
  "$(security | cut -d' ' -f2- | jq -r .inventory.packages)" 1500
out=$(post_json /v1/enroll "$WORK/big.json")
expect_eq "the same body to another route -> 413" "${out%% *}" 413

# ---- A revoked device ----
check "device revoke" quiet wott device revoke "$DEV" --reason key_compromise
out=$(ping_dev old.json)
expect_eq "a revoked device's heartbeat -> 403" "${out%% *}" 403
expect_contains "device_revoked" "$out" "device_revoked"
expect_eq "its recorded inventory is unchanged" \
  "$(security | cut -d' ' -f2- | jq -r .inventory.packages)" 1500

finish
