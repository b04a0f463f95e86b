#!/bin/sh
# wott-agent --on-renew hook for nginx: check the configuration (and the new certificate and
# key it names), then reload gracefully. Open connections finish on the old certificate; new
# ones get the new one. A failed check leaves the running nginx untouched and exits non-zero,
# which the agent logs.
#
#   wott-agent daemon --on-renew /opt/wott/examples/nginx/reload-hook.sh
#
# NGINX_ARGS: extra arguments naming a private instance, e.g. "-p /srv/ngx -c /srv/ngx/nginx.conf"
# (then nginx is signalled directly instead of through systemd).
set -eu
NGINX=${NGINX:-nginx}
NGINX_ARGS=${NGINX_ARGS:-}

# shellcheck disable=SC2086 # NGINX_ARGS is a list of arguments.
$NGINX $NGINX_ARGS -t -q
if [ -z "$NGINX_ARGS" ] && command -v systemctl >/dev/null 2>&1 &&
  systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl reload nginx
else
  # shellcheck disable=SC2086
  $NGINX $NGINX_ARGS -s reload
fi
