#!/usr/bin/env bash
# wott-server cve import / scan: tracker and OSV files imported, this machine's own dpkg
# status scanned, re-import replaces the data, bad files refused with the old data kept.
# No network: every input is a fixture or made here.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../testdata/audit" && pwd)"
mkdir -p "$DATA"
INV=(--dpkg-status "$FIX/dpkg_status_vulnerable" --os-release "$FIX/os_release_bookworm")
leftovers() { find "$DATA" -name 'vulndb.sqlite.new-*' | wc -l; }

# Before any import: scans say how to get data.
out=$(wott cve scan "${INV[@]}" 2>&1) && rc=0 || rc=$?
expect_eq "scan without data fails" "$rc" 1
expect_contains "scan without data says how to import" "$out" "wott-server cve import FILE"

# Import a tracker file and an OSV array together (formats detected).
out=$(wott cve import "$FIX/tracker_small.json" "$FIX/osv_array.json" 2>"$WORK/import.err")
expect_contains "tracker file detected and imported" "$out" "tracker_small.json: debian-tracker, 12 record(s), 12 advisory row(s)"
expect_contains "OSV array detected and imported" "$out" "osv_array.json: osv, 5 record(s), 3 advisory row(s)"
expect_contains "progress as plain lines when stderr is not a terminal" "$(cat "$WORK/import.err")" "tracker_small.json: 100% ("
if command -v script >/dev/null; then
  tty_out=$(script -qec "'$SERVER_BIN' --data-dir '$DATA' cve import '$FIX/tracker_small.json'" /dev/null)
  expect_contains "progress bar on a terminal" "$tty_out" "] 100%"
fi
wott cve import "$FIX/tracker_small.json" "$FIX/osv_array.json" >/dev/null 2>&1

json=$(wott cve scan "${INV[@]}" --json 2>"$WORK/scan.err")
expect_eq "glibc CVE-2023-4911 fixable with its fixed version" \
  "$(jq -r '.findings[] | select(.id=="CVE-2023-4911") | "\(.state) \(.severity) \(.installed_version) \(.fixed_version)"' <<<"$json")" \
  "fixable high 2.36-9+deb12u1 2.36-9+deb12u3"
expect_eq "openssh binaries grouped under their source, epoch handled" \
  "$(jq -c '.findings[] | select(.id=="CVE-2024-6387") | [.binaries, .fixed_version]' <<<"$json")" \
  '[["openssh-client","openssh-server"],"1:9.2p1-2+deb12u3"]'
expect_eq "states counted separately" "$(jq -c '.summary' <<<"$json")" \
  '{"end-of-life":1,"fixable":4,"ignored":1,"no-dsa":2,"open":0,"total":9,"undetermined":1}'
expect_eq "the OSV duplicate of a tracker CVE is reported once" \
  "$(jq '[.findings[] | select(.id=="DSA-5724-1" or .id=="CVE-2024-6387")] | length' <<<"$json")" 1
expect_eq "binNMU matched by its source version (curl fixed, not reported)" \
  "$(jq '[.findings[] | select(.id=="CVE-2023-38545")] | length' <<<"$json")" 0

out=$(wott cve scan "${INV[@]}" --state fixable --severity high 2>"$WORK/scan.err")
expect_eq "--state fixable --severity high keeps the two high fixable ones" \
  "$(grep -c '^high       fixable' <<<"$out")" 2
expect_contains "text summary" "$out" "2 finding(s): fixable 2"
expect_contains "the match time on stderr" "$(cat "$WORK/scan.err")" "matched 9 installed package(s) in"
out=$(wott cve scan "${INV[@]}" --state no-dsa,ignored --json 2>"$WORK/scan.err")
expect_eq "--state takes a comma list" "$(jq -r '[.findings[].state] | unique | join(",")' <<<"$out")" "ignored,no-dsa"
out=$(wott cve scan "${INV[@]}" --state vulnerable 2>&1) && rc=0 || rc=$?
expect_eq "unknown --state refused" "$rc" 1
expect_contains "unknown --state named" "$out" "--state: unknown state 'vulnerable'"
out=$(wott cve scan "${INV[@]}" --severity severe 2>&1) && rc=0 || rc=$?
expect_contains "unknown --severity refused" "$out" "--severity: unknown severity 'severe'"
printf 'ID=fedora\nVERSION_ID=39\n' >"$WORK/fedora"
out=$(wott cve scan --dpkg-status "$FIX/dpkg_status_vulnerable" --os-release "$WORK/fedora" 2>&1) && rc=0 || rc=$?
expect_contains "a non-Debian OS refused" "$out" "'fedora' is not Debian"
printf 'Package: a\nStatus: install ok installed\nVersion: 1.0-\n' >"$WORK/bad_status"
out=$(wott cve scan --dpkg-status "$WORK/bad_status" --os-release "$FIX/os_release_bookworm" 2>&1) && rc=0 || rc=$?
expect_contains "a bad dpkg status refused naming file and line" "$out" "$WORK/bad_status: dpkg status line 3: package a"

# This machine's own dpkg database against a tracker file naming its installed dpkg package
# with one fixed version above and one below what is installed.
if [ -r /var/lib/dpkg/status ] && command -v dpkg-query >/dev/null; then
  read -r src ver < <(dpkg-query -W -f='${source:Package} ${source:Version}\n' dpkg)
  rel=$(. /etc/os-release; echo "$VERSION_CODENAME")
  jq -n --arg s "$src" --arg r "$rel" --arg hi "$ver+wott1" --arg lo "$ver~wott1" '{($s): {
      "CVE-2099-0001": {releases: {($r): {status: "resolved", fixed_version: $hi, urgency: "high"}}},
      "CVE-2099-0002": {releases: {($r): {status: "resolved", fixed_version: $lo, urgency: "high"}}}}}' \
    >"$WORK/live.json"
  wott cve import "$WORK/live.json" >/dev/null 2>&1
  json=$(wott cve scan --dpkg-status /var/lib/dpkg/status --json 2>"$WORK/scan.err")
  expect_eq "this machine: dpkg below the fixed version is fixable" \
    "$(jq -r '[.findings[].id] | join(",")' <<<"$json")" "CVE-2099-0001"
  expect_eq "this machine: installed source version reported" \
    "$(jq -r '.findings[0].installed_version' <<<"$json")" "$ver"
  expect_eq "this machine: every installed package read" "$(jq '.packages' <<<"$json")" \
    "$(dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^[uihrp]i ')"
fi

# Re-import replaces the whole data set.
wott cve import "$FIX/osv_dsa.json" >/dev/null 2>&1
json=$(wott cve scan "${INV[@]}" --json 2>"$WORK/scan.err")
expect_eq "re-import replaced the data (only the OSV DSA now)" \
  "$(jq -r '[.findings[].id] | join(",")' <<<"$json")" "DSA-5514-1"
expect_contains "info lists the one source" "$(wott cve info)" "osv_dsa.json (osv, 2 advisory rows)"

# Bad files are refused, clearly, and the old data keeps answering.
head -c 700 "$FIX/tracker_small.json" >"$WORK/truncated.json"
head -c 4096 /dev/urandom >"$WORK/garbage.bin"
printf '{"openssl": ["not", "an", "object"]}' >"$WORK/shape.json"
for bad in "truncated.json:invalid JSON: parse error at line" \
           "garbage.bin:not a Debian Security Tracker JSON export nor OSV JSON" \
           "shape.json:package openssl: expected an object, got an array" \
           "missing.json:cannot open $WORK/missing.json"; do
  file=${bad%%:*}; msg=${bad#*:}
  out=$(wott cve import "$FIX/tracker_small.json" "$WORK/$file" 2>&1) && rc=0 || rc=$?
  expect_eq "$file refused" "$rc" 1
  expect_contains "$file: the message names the file and the problem" "$out" "$msg"
  expect_contains "$file: says the old data is kept" "$out" "previous vulnerability data (if any) is unchanged"
  expect_eq "$file: the old data still answers" \
    "$(wott cve scan "${INV[@]}" --json 2>"$WORK/scan.err" | jq -r '[.findings[].id] | join(",")')" "DSA-5514-1"
  expect_eq "$file: no temporary file left" "$(leftovers)" 0
done
out=$(wott cve import 2>&1) && rc=0 || rc=$?
expect_eq "import without a file is a usage error" "$rc" 2
finish
