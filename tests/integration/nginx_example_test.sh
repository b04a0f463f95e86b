#!/usr/bin/env bash
# examples/nginx end to end: a real wott-server, devices enrolled with the real wott-agent,
# and a private nginx (its own prefix, a free loopback port, no root needed) running the
# example nginx.conf with the web device's own certificate. curl checks the allowlist; a
# forced renewal with the example reload hook must make nginx serve the new certificate.
. "$(dirname "$0")/lib.sh"
EXAMPLE=$(cd "$(dirname "$0")/../../examples/nginx" && pwd)
AGENT_BIN="$WOTT_BUILD_DIR/cmd/wott-agent/wott-agent"
command -v nginx >/dev/null || { echo "nginx is not installed (scripts/install-deps)"; exit 1; }
[ -x "$AGENT_BIN" ] || { echo "no wott-agent at $AGENT_BIN (build the wott-agent target)"; exit 1; }

NGX="$WORK/nginx"
NGINX_PID=""
stop_nginx() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  NGINX_PID=""
}
trap 'stop_nginx; cleanup' EXIT

agent() { "$AGENT_BIN" --log-level warn "$@"; }
agent_quiet() { agent "$@" >>"$WORK/agent.out"; }  # what it prints is not under test here
# A port nothing listens on (nginx start-up is retried on another if it is taken meanwhile).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port" >&2; return 1
}

# The example config, with its system paths moved into $NGX and its port onto loopback.
render_config() {
  mkdir -p "$NGX/logs" "$NGX/tmp"
  sed -e "s|/opt/wott/certs/|$WORK/web/certs/|g" \
      -e "s|/etc/nginx/wott/|$NGX/|g" \
      -e "s|/var/log/nginx/|$NGX/logs/|g" \
      -e "s|/run/nginx.pid|$NGX/nginx.pid|" \
      -e "s|listen 443 ssl;|listen 127.0.0.1:$NGINX_PORT ssl;|" \
      -e "s|^http {|http {\n    client_body_temp_path $NGX/tmp/body;\n    proxy_temp_path $NGX/tmp/proxy;\n    fastcgi_temp_path $NGX/tmp/fastcgi;\n    uwsgi_temp_path $NGX/tmp/uwsgi;\n    scgi_temp_path $NGX/tmp/scgi;|" \
      "$EXAMPLE/nginx.conf" >"$NGX/nginx.conf"
}
NGINX_ARGS="-p $NGX -c $NGX/nginx.conf -e $NGX/logs/error.log"

start_nginx() {
  for _ in 1 2 3; do
    NGINX_PORT=$(free_port)
    render_config
    # shellcheck disable=SC2086
    nginx $NGINX_ARGS -g 'daemon off;' >"$NGX/stdout.log" 2>&1 &
    NGINX_PID=$!
    for _ in $(seq 1 50); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null; then return 0; fi
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    stop_nginx
  done
  echo "nginx did not start:"; cat "$NGX/stdout.log" "$NGX/logs/error.log" 2>/dev/null; exit 1
}

# ngx_get [curl args...]: "<status> <body>" of GET / on nginx, by the web device's name.
ngx_get() {
  curl -sS --max-time 10 --cacert "$WORK/web/certs/ca.crt" \
    --resolve "$WEB_ID:$NGINX_PORT:127.0.0.1" -o "$WORK/ngx.body" -w '%{http_code}' "$@" \
    "https://$WEB_ID:$NGINX_PORT/" >"$WORK/ngx.status" 2>"$WORK/ngx.err" || true
  echo "$(cat "$WORK/ngx.status") $(tr -d '\n' <"$WORK/ngx.body")"
}
as_device() { echo --cert "$WORK/$1/certs/client.crt" --key "$WORK/$1/certs/client.key"; }

# The serial nginx presents now (uppercase hex, as openssl prints it).
served_serial() {
  openssl s_client -connect "127.0.0.1:$NGINX_PORT" -servername "$WEB_ID" \
    -CAfile "$WORK/web/certs/ca.crt" </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}
file_serial() { openssl x509 -in "$WORK/$1/certs/client.crt" -noout -serial | cut -d= -f2; }

start_server
T=$(wott token create --uses 3 --description nginx-example 2>/dev/null)
for d in web a b; do
  check "wott-agent enroll $d" agent_quiet --dir "$WORK/$d" enroll --server "$URL" --token "$T" \
    --ca-file "$CA"
done
WEB_ID=$(agent --dir "$WORK/web" whoami)
A_ID=$(agent --dir "$WORK/a" whoami)
B_ID=$(agent --dir "$WORK/b" whoami)
check "three distinct device IDs" test "$(printf '%s\n' "$WEB_ID" "$A_ID" "$B_ID" | sort -u | wc -l)" = 3

# Only device a is on the allowlist; b is enrolled with the same CA but not listed.
mkdir -p "$NGX"
echo "$A_ID 1;" >"$NGX/allowed-devices.map"
start_nginx

expect_eq "device on the allowlist: 200" "$(ngx_get $(as_device a))" "200 hello $A_ID"
out=$(ngx_get $(as_device b))
expect_eq "enrolled device not on the allowlist: 403" "${out%% *}" 403
expect_contains "403 names the device" "$out" "device $B_ID is not allowed here"
out=$(ngx_get)
expect_eq "no client certificate: 400" "${out%% *}" 400
expect_contains "nginx says the certificate is missing" "$out" "No required SSL certificate was sent"

# A certificate from another CA, even one claiming device a's name, is refused.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/O=wott/CN=$A_ID" -keyout "$WORK/foreign.key" -out "$WORK/foreign.crt" 2>/dev/null
out=$(ngx_get --cert "$WORK/foreign.crt" --key "$WORK/foreign.key")
expect_eq "certificate from a foreign CA: 400" "${out%% *}" 400
expect_contains "nginx says the certificate is bad" "$out" "The SSL certificate error"
expect_eq "nginx presents the web device's certificate" "$(served_serial)" "$(file_serial web)"

# The hook refuses to reload a configuration that does not check out, and nginx keeps
# serving: here the allowlist it includes has gone missing.
mv "$NGX/allowed-devices.map" "$NGX/allowed-devices.map.away"
check "reload hook fails on a broken config" \
  bash -c "! NGINX_ARGS='$NGINX_ARGS' '$EXAMPLE/reload-hook.sh' 2>/dev/null"
mv "$NGX/allowed-devices.map.away" "$NGX/allowed-devices.map"
expect_eq "nginx still serves after the refused reload" "$(ngx_get $(as_device a))" "200 hello $A_ID"

# Renewal on the web device: new serial and key, same ID, and the hook makes nginx serve it.
old_serial=$(file_serial web)
old_key=$(openssl pkey -in "$WORK/web/certs/client.key" -pubout)
check "wott-agent renew --force --on-renew <example hook>" agent_quiet --dir "$WORK/web" renew \
  --force --on-renew "NGINX_ARGS='$NGINX_ARGS' '$EXAMPLE/reload-hook.sh'"
new_serial=$(file_serial web)
check "renewal changed the serial" test "$new_serial" != "$old_serial"
check "renewal changed the key" test "$(openssl pkey -in "$WORK/web/certs/client.key" -pubout)" != "$old_key"
expect_eq "renewal kept the device ID" "$(agent --dir "$WORK/web" whoami)" "$WEB_ID"
# The reload is asynchronous (the master starts new workers): wait, bounded, for them.
served=""
for _ in $(seq 1 50); do
  served=$(served_serial)
  [ "$served" = "$new_serial" ] && break
  sleep 0.1
done
expect_eq "nginx serves the renewed certificate after the hook" "$served" "$new_serial"
expect_eq "allowed device still gets in after the reload" "$(ngx_get $(as_device a))" "200 hello $A_ID"

finish
