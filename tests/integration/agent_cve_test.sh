#!/usr/bin/env bash
# Issue 7 end to end with the real agent: wott-agent reports (heartbeat) an inventory read
# from a crafted root whose dpkg status holds a vulnerable openssl; the server lists that CVE
# for the device and in the fleet view; after the upgrade (new dpkg status, next heartbeat)
# both are clear.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../testdata/audit" && pwd)"
start_server
wott cve import "$FIX/tracker_small.json" >/dev/null 2>&1 || { echo "cve import failed"; exit 1; }
ADMIN=$(wott api-token create cve-e2e --json 2>/dev/null | jq -r .token)
AUTH=(-H "Authorization: Bearer $ADMIN")

# crafted_root DIR OPENSSL_VERSION: os-release (bookworm) and a dpkg status in which the
# binary libssl3 is built from the source package openssl (the names differ on purpose).
crafted_root() {
  mkdir -p "$1/etc" "$1/var/lib/dpkg"
  printf 'ID=debian\nVERSION_CODENAME=bookworm\n' >"$1/etc/os-release"
  printf 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: %s\n\n' \
    "$2" >"$1/var/lib/dpkg/status"
}

D=$WORK/dev
enroll_agent "$D" || { cat "$D.enroll.log"; exit 1; }
HEX=$(agent "$D" whoami | cut -d. -f1)
R=$WORK/root
crafted_root "$R" 3.0.11-1~deb12u2
jq --arg r "$R" '.audit_root = $r | .audit = true' "$D/agent.json" >"$D/agent.json.new"
mv "$D/agent.json.new" "$D/agent.json"

device_cves() {
  http GET "/v1/admin/devices/$HEX/security" "${AUTH[@]}" | cut -d' ' -f2- |
    jq -r '[.findings[] | select(.state == "fixable") | .id] | sort | join(",")'
}
fleet_devices() {  # fleet_devices CVE -> the device IDs listed under it
  http GET '/v1/admin/cves?state=fixable' "${AUTH[@]}" | cut -d' ' -f2- |
    jq -r --arg c "$1" '[.cves[] | select(.cve == $c) | .packages[].devices[].id] | join(",")'
}

check "the agent's heartbeat succeeds" quiet agent "$D" ping
expect_eq "the server lists the CVE for the device" "$(device_cves)" CVE-2024-4741
expect_eq "and in the fleet view, with this device" "$(fleet_devices CVE-2024-4741)" "$HEX"
expect_eq "the installed source version is the one the agent read" \
  "$(http GET "/v1/admin/devices/$HEX/security" "${AUTH[@]}" | cut -d' ' -f2- |
     jq -r '.findings[] | select(.id == "CVE-2024-4741") | .installed_version')" 3.0.11-1~deb12u2
score_before=$(http GET "/v1/admin/devices/$HEX/security" "${AUTH[@]}" | cut -d' ' -f2- | jq -r .trust_score)

crafted_root "$R" 3.0.14-1~deb12u1
check "the heartbeat after the upgrade succeeds" quiet agent "$D" ping
expect_eq "the upgrade clears the device's CVE" "$(device_cves)" ""
expect_eq "and the fleet view" "$(fleet_devices CVE-2024-4741)" ""
score_after=$(http GET "/v1/admin/devices/$HEX/security" "${AUTH[@]}" | cut -d' ' -f2- | jq -r .trust_score)
check "the trust score rose ($score_before -> $score_after)" test "$score_after" -gt "$score_before"
finish
