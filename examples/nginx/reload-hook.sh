#!/bin/sh
# wott-agent --on-renew hook for nginx: make nginx load the renewed certificate with a
# graceful reload. Open connections finish on the old certificate; new ones get the new one.
# nginx never loads a broken configuration: its master checks the new one on reload and
# keeps running the old one when it fails.
#
#   wott-agent daemon --on-renew /usr/local/lib/wott/nginx-reload-hook.sh
#
# When systemd runs nginx, the reload goes through `systemctl reload nginx` (nginx -t cannot
# run inside wott-agent.service's sandbox: it opens nginx's pid and log files for writing).
# Otherwise, or when NGINX_ARGS names a private instance ("-p DIR -c DIR/nginx.conf"), the
# configuration is checked first (nginx -t), so a broken one fails the hook (exit status
# != 0, logged by the agent), and nginx is then signalled directly.
set -eu
NGINX=${NGINX:-nginx}
NGINX_ARGS=${NGINX_ARGS:-}

if [ -z "$NGINX_ARGS" ] && command -v systemctl >/dev/null 2>&1 &&
  systemctl is-active --quiet nginx 2>/dev/null; then
  exec systemctl reload nginx
fi
# shellcheck disable=SC2086 # NGINX_ARGS is a list of arguments.
$NGINX $NGINX_ARGS -t -q
# shellcheck disable=SC2086
exec $NGINX $NGINX_ARGS -s reload
