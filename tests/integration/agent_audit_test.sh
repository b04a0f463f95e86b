#!/usr/bin/env bash
# wott-agent audit: on this machine (a python http.server we start on 127.0.0.1 is listed
# with its port, and its owner when we may read /proc/*/fd; packages_hash = dpkg-query's
# canonical list), and with --root on a crafted tree (sshd findings through an Include,
# firewall from nftables.conf, confinement, inventory, trust score, reboot required,
# unattended upgrades, telnet flagged, garbage skipped).
. "$(dirname "$0")/lib.sh"
AGENT_BIN="$WOTT_BUILD_DIR/cmd/wott-agent/wott-agent"
agent() { "$AGENT_BIN" --dir "$WORK/agent" "$@"; }

# A real listener on a free loopback port; SERVER_PID so that lib.sh's cleanup ends it.
python3 -u -m http.server --bind 127.0.0.1 0 --directory "$WORK" >"$WORK/http.log" 2>&1 &
SERVER_PID=$!
HTTP_PORT=""
for _ in $(seq 1 100); do
  HTTP_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
  [ -n "$HTTP_PORT" ] && break
  sleep 0.1
done
[ -n "$HTTP_PORT" ] || { cat "$WORK/http.log"; echo "http.server did not start"; exit 1; }

json=$(agent audit --json) && rc=0 || rc=$?
expect_eq "audit --json exits 0" "$rc" 0
if jq -e . <<<"$json" >/dev/null; then pass "audit --json is valid JSON"; else fail "audit --json is not JSON: $json"; fi
expect_eq "/proc/net was read" "$(jq -r .sockets.status <<<"$json")" "read"
check "at least one listening socket" test "$(jq '.sockets.listening | length' <<<"$json")" -ge 1
expect_eq "the http.server port is listed on 127.0.0.1" \
  "$(jq -r --argjson p "$HTTP_PORT" '.sockets.listening[] | select(.protocol=="tcp" and .port==$p) | .address' <<<"$json")" \
  "127.0.0.1"
if [ "$(id -u)" = 0 ]; then
  expect_eq "its owner is the python process" \
    "$(jq -r --argjson p "$HTTP_PORT" '.sockets.listening[] | select(.port==$p) | "\(.pid) \(.process)"' <<<"$json")" \
    "$SERVER_PID python3"
fi
text=$(agent audit)
expect_contains "the readable report lists the port" "$text" "tcp  127.0.0.1:$HTTP_PORT"
expect_contains "the readable report has a trust score" "$text" "Trust score: "
expect_eq "host repeated under .host" "$(jq -c '.host.sockets.status' <<<"$json")" '"read"'
check "firewall state is one of yes/no/unknown" \
  grep -qxE 'yes|no|unknown' <<<"$(jq -r .host.firewall.state <<<"$json")"
check "selinux state is known to the parser" \
  grep -qxE 'enforcing|permissive|disabled|unknown' <<<"$(jq -r .host.confinement.selinux <<<"$json")"
expect_eq "trust score within 0..100" "$(jq '.trust_score >= 0 and .trust_score <= 100' <<<"$json")" true
expect_eq "no vulnerability data on the device is listed" \
  "$(jq '[.score_factors[].factor] | index("cve_data_unknown") != null' <<<"$json")" true
if command -v dpkg-query >/dev/null; then
  # The same canonical list built by dpkg itself: name, arch, version, source, source version.
  want=$(dpkg-query -W -f='${db:Status-Status}\t${Package}\t${Architecture}\t${Version}\t${source:Package}\t${source:Version}\n' |
    awk -F'\t' '$1=="installed"' | cut -f2- | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
  expect_eq "packages_hash equals sha256 of dpkg-query's canonical list" \
    "$(jq -r .inventory.packages_hash <<<"$json")" "$want"
  expect_eq "every installed package listed" "$(jq '.inventory.packages | length' <<<"$json")" \
    "$(dpkg-query -W -f='${db:Status-Status}\n' | grep -cx installed)"
fi

# A crafted tree: risky sshd settings (Match block ignored), telnet listening, a garbage
# line in /proc/net/tcp, reboot required, unattended upgrades on.
ROOT="$WORK/root"
mkdir -p "$ROOT/etc/ssh" "$ROOT/proc/net" "$ROOT/var/run" "$ROOT/etc/apt/apt.conf.d"
printf 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\nMaxAuthTries 10\nMatch User x\n  X11Forwarding yes\n' \
  >"$ROOT/etc/ssh/sshd_config"
# A drop-in read in place of the Include: its value wins over the main file's later line.
mkdir -p "$ROOT/etc/ssh/sshd_config.d" "$ROOT/var/lib/dpkg" "$ROOT/sys/module" "$ROOT/sys/fs"
printf 'PermitEmptyPasswords yes\nPermitRootLogin no\n' >"$ROOT/etc/ssh/sshd_config.d/10-local.conf"
printf 'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport { 22, 443 } accept\n  }\n}\n' \
  >"$ROOT/etc/nftables.conf"
printf 'ID=debian\nVERSION_CODENAME=bookworm\n' >"$ROOT/etc/os-release"
printf 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n' \
  >"$ROOT/var/lib/dpkg/status"
printf '  sl  local_address rem_address   st\n   0: 00000000:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4711 1\nthis is garbage\n' \
  >"$ROOT/proc/net/tcp"
touch "$ROOT/var/run/reboot-required"
echo 'APT::Periodic::Unattended-Upgrade "1";' >"$ROOT/etc/apt/apt.conf.d/20auto-upgrades"
json=$(agent audit --json --root "$ROOT") && rc=0 || rc=$?
expect_eq "--root audit exits 0 despite findings" "$rc" 0
expect_eq "sshd findings from the crafted sshd_config and its Include" \
  "$(jq -r '[.sshd.findings[] | "\(.keyword)@\(.file):\(.line)"] | join(",")' <<<"$json")" \
  "PermitEmptyPasswords@/etc/ssh/sshd_config.d/10-local.conf:1,PasswordAuthentication@/etc/ssh/sshd_config:3,MaxAuthTries@/etc/ssh/sshd_config:4"
expect_eq "firewall from the static nftables.conf" \
  "$(jq -r '.host.firewall | "\(.state) \(.backend) \(.rules)"' <<<"$json")" "yes nftables 1"
expect_eq "no AppArmor/SELinux under readable /sys dirs" \
  "$(jq -r '.host.confinement | "\(.apparmor) \(.selinux)"' <<<"$json")" "disabled disabled"
expect_eq "inventory from the crafted dpkg status" \
  "$(jq -r '.inventory | "\(.os_id) \(.version_codename) \(.packages[0].name) \(.packages[0].source)"' <<<"$json")" \
  "debian bookworm libssl3 openssl"
want=$(printf 'libssl3\tamd64\t3.0.11-1~deb12u2\topenssl\t3.0.11-1~deb12u2\n' | sha256sum | cut -d' ' -f1)
expect_eq "packages_hash of the crafted list" "$(jq -r .inventory.packages_hash <<<"$json")" "$want"
# 100 - 20 empty passwords - 10 password auth - 10 no confinement - 5 reboot - 15 telnet
expect_eq "trust score of the crafted host" "$(jq -r .trust_score <<<"$json")" 40
expect_eq "Include noted" "$(jq -r '.sshd.includes[0]' <<<"$json")" "/etc/ssh/sshd_config.d/*.conf"
expect_eq "telnet flagged" "$(jq -r '.insecure_services[] | "\(.service) \(.port)"' <<<"$json")" "telnet 23"
expect_eq "garbage /proc/net line counted" "$(jq -r .sockets.bad_lines <<<"$json")" 1
expect_eq "reboot required" "$(jq -r .reboot_required <<<"$json")" "yes"
expect_eq "unattended upgrades on" "$(jq -r .unattended_upgrades <<<"$json")" "yes"
text=$(agent audit --root "$ROOT")
expect_contains "readable report names the sshd line" "$text" "line 3: PasswordAuthentication yes"
expect_contains "readable report names the included file" "$text" \
  "/etc/ssh/sshd_config.d/10-local.conf line 1: PermitEmptyPasswords yes"
expect_contains "readable report shows the firewall" "$text" "Firewall: yes (nftables, 1 rule(s))"

# Missing files: unknown, not a crash.
mkdir -p "$WORK/empty"
json=$(agent audit --json --root "$WORK/empty") && rc=0 || rc=$?
expect_eq "empty root exits 0" "$rc" 0
expect_eq "everything unknown on an empty root" \
  "$(jq -r '[.sshd.status, .sockets.status, .reboot_required, .unattended_upgrades] | join(" ")' <<<"$json")" \
  "unknown unknown unknown unknown"
expect_eq "firewall and confinement unknown on an empty root" \
  "$(jq -r '[.firewall.state, .firewall.backend, .confinement.apparmor, .confinement.selinux] | join(" ")' <<<"$json")" \
  "unknown unknown unknown unknown"
expect_eq "no inventory on an empty root, with the reason" \
  "$(jq -r '"\(.inventory) \(.inventory_error != null)"' <<<"$json")" "null true"

# A bad --root is a usage error with a clear message.
out=$(agent audit --root "$WORK/nope" 2>&1) && rc=0 || rc=$?
expect_eq "missing --root exits 1" "$rc" 1
expect_contains "missing --root named" "$out" "--root $WORK/nope: not a directory"
finish
