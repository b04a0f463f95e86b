# Helpers for tunnel_*_test.sh, on top of lib.sh: background processes that are ended at
# exit, waiting for a tunnel's port, a device's CN, openssl s_client against a tunnel.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PIDS=()
trap '[ -n "${TUNNEL_DEBUG:-}" ] && tail -n 30 "$WORK"/*.log; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT
# bg NAME COMMAND...: runs in the background, output in $WORK/NAME.log; BG_PID is its PID.
# `bg NAME agent DIR ARGS...` runs the wott-agent binary itself (not lib.sh's function, whose
# subshell would be what $! names), so signals reach the tunnel.
bg() {
  local name=$1; shift
  if [ "$1" = agent ]; then set -- "$AGENT_BIN" --dir "$2" "${@:3}"; fi
  "$@" >"$WORK/$name.log" 2>&1 &
  BG_PID=$!
  PIDS+=($BG_PID)
}
# tunnel_port NAME: waits for the tunnel's "listening on" line (the Nth with N=$2) and prints its port.
tunnel_port() {
  local p
  for _ in $(seq 1 150); do
    p=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$WORK/$1.log" | sed -n "${2:-1}p")
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.1
  done
  cat "$WORK/$1.log" >&2; echo "tunnel $1 did not start" >&2; exit 1
}
cn_of() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/'; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//'; }
# start_app: python3 http.server on 127.0.0.1 serving $WORK/www; sets APP (its port).
start_app() {
  mkdir -p "$WORK/www" && echo "hello from the app" >"$WORK/www/index.html"
  (cd "$WORK/www" && exec python3 -u -m http.server 0 --bind 127.0.0.1) >"$WORK/app.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    APP=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/app.log" | head -1); [ -n "$APP" ] && return; sleep 0.1
  done
  echo "app did not start" >&2; exit 1
}
# start_echo: a line echo server on 127.0.0.1; sets ECHO_PORT.
start_echo() {
  python3 -u -c '
import socketserver
class H(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line); self.wfile.flush()
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
s = S(("127.0.0.1", 0), H)
print("port", s.server_address[1], flush=True)
s.serve_forever()' >"$WORK/echo.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    ECHO_PORT=$(sed -n 's/^port \([0-9]*\)/\1/p' "$WORK/echo.log"); [ -n "$ECHO_PORT" ] && return; sleep 0.1
  done
  echo "echo server did not start" >&2; exit 1
}
# tls_get PORT DEVICE_DIR [s_client args]: one HTTP/1.0 GET through a tunnel server with the
# device's certificate (full chain); prints what s_client printed.
tls_get() {
  local port=$1 dev=$2; shift 2
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$dev/certs/ca.crt" \
    -cert "$dev/certs/client.crt" -cert_chain "$dev/certs/client.crt" -key "$dev/certs/client.key" \
    -ign_eof "$@" 2>&1 <<<"GET / HTTP/1.0"$'\r\n' || true
}
# server_serial PORT DEVICE_DIR: the serial of the certificate the tunnel server presents.
server_serial() {
  timeout 10 openssl s_client -connect "127.0.0.1:$1" -CAfile "$2/certs/ca.crt" \
    -cert "$2/certs/client.crt" -cert_chain "$2/certs/client.crt" -key "$2/certs/client.key" \
    </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2 | tr A-F a-f | sed 's/^0*//'
}
