# Shared helpers for the integration tests: a real wott-server on 127.0.0.1 with a fresh
# CA, and the real openssl and curl CLIs as clients. Source it from a test script:
#   . "$(dirname "$0")/lib.sh"; start_server; ...; finish
# Every check prints one line; `finish` prints "N passed, N failed" and sets the exit code.
set -euo pipefail

: "${WOTT_BUILD_DIR:?set WOTT_BUILD_DIR to the CMake build directory}"
SERVER_BIN="$WOTT_BUILD_DIR/cmd/wott-server/wott-server"
WORK=$(mktemp -d /tmp/wott-it-XXXXXX)
DATA="$WORK/data"
SERVER_PID=""
PASSED=0
FAILED=0

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$3', got '$2'"; fi; }
expect_contains() {
  if grep -qF -- "$3" <<<"$2"; then pass "$1"; else fail "$1: '$3' not in: $(head -c 400 <<<"$2")"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -ne 0 ]; then
    echo "--- server log (last 30 lines)"; tail -30 "$WORK/server.log" 2>/dev/null || true
    exit 1
  fi
}

wott() { "$SERVER_BIN" --data-dir "$DATA" "$@"; }

# start_server [serve flags...]: init a CA (once) and serve on a free loopback port.
start_server() {
  [ -d "$DATA/ca" ] || wott init --san localhost --san 127.0.0.1 >/dev/null
  # The binary itself, not the `wott` function: $! must be the server's PID so that
  # stop_server and cleanup can end it.
  "$SERVER_BIN" --data-dir "$DATA" serve --listen 127.0.0.1:0 "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$WORK/server.log" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "server died"; exit 1; }
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$WORK/server.log"; echo "server did not start"; exit 1; }
  URL="https://localhost:$PORT"
  CA="$DATA/ca/root.crt"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# http METHOD PATH [curl args...]: prints "<status> <body>" (body on one line).
http() {
  local method=$1 path=$2; shift 2
  curl -sS --max-time 20 --cacert "$CA" -X "$method" -o "$WORK/body" -w '%{http_code}' "$@" \
    "$URL$path" >"$WORK/status" 2>"$WORK/curl.err" || true
  echo "$(cat "$WORK/status") $(tr -d '\n' <"$WORK/body")"
}

# post_json PATH FILE [curl args...]
post_json() {
  local path=$1 file=$2; shift 2
  http POST "$path" -H 'Content-Type: application/json' --data-binary "@$file" "$@"
}

# new_csr NAME: a P-256 key NAME.key and CSR NAME.csr (subject chosen by the device, ignored).
new_csr() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/$1.key" -subj "/CN=${2:-requested-by-device}" -out "$WORK/$1.csr" 2>/dev/null
}

# enroll NAME TOKEN: enrolls a new device; writes NAME.key, NAME.crt (chain), NAME.json.
# Prints the HTTP status.
enroll() {
  local name=$1 token=$2
  new_csr "$name"
  jq -n --arg t "$token" --rawfile c "$WORK/$name.csr" '{token:$t, csr:$c, hostname:"it-host"}' \
    >"$WORK/$name.req"
  local out; out=$(post_json /v1/enroll "$WORK/$name.req")
  echo "${out#* }" >"$WORK/$name.json"
  if [ "${out%% *}" = 201 ]; then jq -r .certificate "$WORK/$name.json" >"$WORK/$name.crt"; fi
  echo "${out%% *}"
}

# renew NAME: renews NAME over mTLS with a new key; replaces NAME.key/.crt on success.
renew() {
  local name=$1
  new_csr "$name.next"
  jq -n --rawfile c "$WORK/$name.next.csr" '{csr:$c}' >"$WORK/$name.renew"
  local out; out=$(post_json /v1/renew "$WORK/$name.renew" --cert "$WORK/$name.crt" --key "$WORK/$name.key")
  echo "${out#* }" >"$WORK/$name.renewed.json"
  if [ "${out%% *}" = 200 ]; then
    jq -r .certificate "$WORK/$name.renewed.json" >"$WORK/$name.crt"
    mv "$WORK/$name.next.key" "$WORK/$name.key"
  fi
  echo "${out%% *}"
}

json_field() { jq -r ".$2" "$WORK/$1"; }

# --- wott-agent -------------------------------------------------------------------------
AGENT_BIN="$WOTT_BUILD_DIR/cmd/wott-agent/wott-agent"
# agent DIR ARGS...: runs wott-agent on the device directory DIR.
agent() { local dir=$1; shift; "$AGENT_BIN" --dir "$dir" "$@"; }
# enroll_agent DIR [enroll flags...]: enrolls DIR with a fresh single-use token, pinning the
# root by fingerprint. Output goes to DIR.enroll.log; returns the agent's exit code.
enroll_agent() {
  local dir=$1; shift
  local token; token=$(wott token create 2>/dev/null)
  agent "$dir" enroll --server "$URL" --token "$token" \
    --ca-fingerprint "$(wott ca show --fingerprint)" "$@" >"$dir.enroll.log" 2>&1
}
# cert_set_ok CERTS_DIR: the four files are there, the key matches the certificate,
# combined.pem is that chain + key, and the chain verifies with ca.crt.
cert_set_ok() {
  local d=$1
  [ -s "$d/ca.crt" ] && [ -s "$d/client.crt" ] && [ -s "$d/client.key" ] && [ -s "$d/combined.pem" ] &&
    [ "$(openssl x509 -in "$d/client.crt" -noout -pubkey 2>/dev/null)" = \
      "$(openssl pkey -in "$d/client.key" -pubout 2>/dev/null)" ] &&
    [ "$(cat "$d/client.crt" "$d/client.key")" = "$(cat "$d/combined.pem")" ] &&
    openssl verify -CAfile "$d/ca.crt" -untrusted "$d/client.crt" "$d/client.crt" >/dev/null 2>&1
}
# quiet COMMAND...: runs the command with its stdout discarded (for `check`).
quiet() { "$@" >/dev/null; }
