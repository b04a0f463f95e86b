#!/usr/bin/env bash
# The examples and packaging that cannot run here for real (no cluster, no systemd as PID 1):
# the systemd unit passes `systemd-analyze verify`, the Kubernetes manifest parses and carries
# the auth-tls annotations, the README's CA-bundle command works against a real wott-server.
# Each check is paired with a broken copy that the same check must refuse.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UNIT="$ROOT/packaging/systemd/wott-agent.service"
# refuses COMMAND...: succeeds when the command fails.
refuses() { if "$@" >/dev/null 2>&1; then return 1; fi; }
K8S="$ROOT/examples/kubernetes"

# ---- systemd unit ----
for line in 'Type=simple' 'ExecStart=/usr/bin/wott-agent daemon' 'Restart=on-failure' \
  'ExecReload=/bin/kill -HUP $MAINPID' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
  'ReadWritePaths=/opt/wott' 'ProtectHome=yes' 'PrivateTmp=yes'; do
  check "unit has $line" grep -qxF -- "$line" "$UNIT"
done
# verify prints every problem and still exits 0 for most of them: the output must be empty.
# It also wants ExecStart's binary to exist, so a copy points at a stand-in.
verify_unit() {
  local dir="$WORK/unit.$2"
  mkdir -p "$dir"
  printf '#!/bin/sh\n' >"$dir/wott-agent" && chmod +x "$dir/wott-agent"
  sed "s|/usr/bin/wott-agent|$dir/wott-agent|" "$1" >"$dir/wott-agent.service"
  local out; out=$(systemd-analyze verify "$dir/wott-agent.service" 2>&1) || true
  [ -z "$out" ] || { echo "$out" | head -5; return 1; }
}
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify accepts the unit" verify_unit "$UNIT" good
  sed -e 's/^Restart=on-failure/Restart=sometimes/' "$UNIT" >"$WORK/broken.service"
  check "systemd-analyze verify refuses a broken copy" refuses verify_unit "$WORK/broken.service" broken
else
  echo "skip - systemd-analyze not installed: the unit is only checked by grep"
fi

# ---- Kubernetes manifest ----
# Prints "kind name" per document and the Ingress's auth-tls annotations as key=value.
if python3 -c 'import yaml' 2>/dev/null; then
  summarize() {
    python3 - "$1" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    print(doc["kind"], doc["metadata"]["name"])
    for k, v in sorted(doc["metadata"].get("annotations", {}).items()):
        if isinstance(v, str): print(f"{k}={v}")
PY
  }
  out=$(summarize "$K8S/ingress.yaml" 2>&1 || true)
  expect_contains "manifest parses: Ingress" "$out" "Ingress hello-mtls"
  expect_contains "manifest parses: Deployment" "$out" "Deployment hello"
  expect_contains "manifest parses: Service" "$out" "Service hello"
  for a in auth-tls-secret=default/wott-ca auth-tls-verify-client=on auth-tls-verify-depth=2 \
    auth-tls-pass-certificate-to-upstream=true; do
    expect_contains "annotation $a (a string)" "$out" "nginx.ingress.kubernetes.io/$a"
  done
  sed 's/^  annotations:/ annotations:/' "$K8S/ingress.yaml" >"$WORK/broken.yaml"
  check "a mis-indented copy does not parse" refuses summarize "$WORK/broken.yaml"
else
  echo "skip - python3 yaml not available: the manifest is only checked by grep"
  check "manifest has no tabs" refuses grep -q $'\t' "$K8S/ingress.yaml"
  check "manifest has the auth-tls-secret annotation" \
    grep -q 'nginx.ingress.kubernetes.io/auth-tls-secret: "default/wott-ca"' "$K8S/ingress.yaml"
fi

# ---- The README's bundle command, against a real server ----
cmd=$(grep -m1 '^curl -s https://SERVER/v0.2/ca-bundle' "$K8S/README.md" || true)
expect_eq "README has the exact bundle-to-secret command" "$cmd" \
  'curl -s https://SERVER/v0.2/ca-bundle | jq -r .ca_bundle > ca.crt && kubectl create secret generic wott-ca --from-file=ca.crt=ca.crt'
start_server
# Up to the kubectl step; our test server's certificate comes from its own CA (--cacert).
fetch=${cmd%% && kubectl*}
fetch=${fetch/https:\/\/SERVER/--cacert $CA $URL}
(cd "$WORK" && eval "$fetch")
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 2>&1; }
expect_eq "the bundle it writes holds the server's root (README's fingerprint check)" \
  "$(fp "$WORK/ca.crt")" "$(fp "$CA")"
expect_eq "...and wott-server ca show --fingerprint agrees" \
  "$(fp "$WORK/ca.crt" | cut -d= -f2 | tr -d : | tr A-F a-f)" "$(wott ca show --fingerprint)"

# ---- The nginx reload hook ----
check "reload-hook.sh is valid sh" sh -n "$ROOT/examples/nginx/reload-hook.sh"

finish
