#!/usr/bin/env bash
# Dashboard accounts and sessions (issue 6) against a real wott-server with curl:
# `wott-server user add|list|passwd|delete` (password on stdin, short ones refused), login
# (cookie attributes), wrong password and unknown user (same 401), 415 without JSON, cookie
# access to the admin API with CSRF on changes (none/wrong -> 403 csrf_failed), Bearer tokens
# alongside, the user actor in the event log, logout, password change ending sessions, the
# rate limit (429 + Retry-After, even for the right password), an expired session (the
# server restarted 13 h in the future under libfaketime) and `serve --session-ttl`.
. "$(dirname "$0")/lib.sh"
start_server

PW_ALICE='alice password 1'
PW_BOB='bob the builder!'

# ---- CLI ----
out=$(printf 'too short\n' | wott user add alice 2>&1) && rc=0 || rc=$?
expect_eq "user add: a short password exits 2" "$rc" 2
expect_contains "with a clear message" "$out" "at least 12 characters"
check "user add alice (password on stdin)" quiet bash -c "printf '%s\n' '$PW_ALICE' | '$SERVER_BIN' --data-dir '$DATA' user add alice 2>/dev/null"
printf '%s\n' "$PW_BOB" | wott user add bob 2>/dev/null
out=$(printf '%s\n' "$PW_ALICE" | wott user add alice 2>&1) && rc=0 || rc=$?
expect_eq "user add: an existing name exits 1" "$rc" 1
expect_contains "with a clear message" "$out" "exists"
out=$(printf '%s\n' "$PW_ALICE" | wott user add Not_Valid 2>&1) && rc=0 || rc=$?
expect_eq "user add: a malformed name exits 2" "$rc" 2
check "user --help exits 0" quiet wott user add --help
expect_eq "user list --json" "$(wott user list --json | jq -c '[.users[].name]')" '["alice","bob"]'
expect_contains "user list never shows hashes" "$(wott user list --json)" "password_changed_at"
check "user list has no argon2 string" bash -c "! '$SERVER_BIN' --data-dir '$DATA' user list --json | grep -q argon2"

# ---- Login ----
# login USER PASSWORD [curl args...]: POST /v1/session; headers in $WORK/headers.
login() {
  jq -n --arg u "$1" --arg p "$2" '{username:$u, password:$p}' >"$WORK/login.json"
  http POST /v1/session -H 'Content-Type: application/json' --data-binary "@$WORK/login.json" \
    -D "$WORK/headers" "${@:3}"
}
set_cookie() { sed -n 's/^[Ss]et-[Cc]ookie: *\(.*\)\r$/\1/p' "$WORK/headers"; }
out=$(login alice "$PW_ALICE")
expect_eq "login -> 200" "${out%% *}" 200
expect_eq "login body names the user" "$(jq -r .user.name <<<"${out#* }")" alice
CSRF=$(jq -r .csrf_token <<<"${out#* }")
cookie=$(set_cookie)
check "Set-Cookie: wott_session=<64 hex>; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=43200" \
  grep -qE '^wott_session=[0-9a-f]{64}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=43200$' <<<"$cookie"
SESSION=$(sed 's/^wott_session=\([0-9a-f]*\);.*/\1/' <<<"$cookie")
C=(-H "Cookie: wott_session=$SESSION")

wrong=$(login alice 'not the password')
unknown=$(login nobody "$PW_ALICE")
expect_eq "wrong password -> 401" "${wrong%% *}" 401
expect_contains "invalid_credentials" "$wrong" '"code":"invalid_credentials"'
expect_eq "unknown user -> the same 401 and message" "$unknown" "$wrong"
check "no cookie for a failed login" bash -c "! grep -qi '^set-cookie' '$WORK/headers'"
out=$(http POST /v1/session -H 'Content-Type: text/plain' --data-binary "@$WORK/login.json")
expect_eq "login without Content-Type: application/json -> 415" "${out%% *}" 415

# ---- The cookie on the admin API ----
out=$(http GET /v1/session "${C[@]}")
expect_eq "GET /v1/session with the cookie -> 200" "${out%% *}" 200
expect_eq "same CSRF token" "$(jq -r .csrf_token <<<"${out#* }")" "$CSRF"
expect_eq "GET /v1/session without it -> 401" "$(http GET /v1/session | cut -c1-3)" 401
expect_eq "GET admin devices with the cookie -> 200" "$(http GET /v1/admin/devices "${C[@]}" | cut -c1-3)" 200
J=(-H 'Content-Type: application/json' --data-binary '{"uses":1,"ttl":"1h"}')
out=$(http POST /v1/admin/tokens "${C[@]}" "${J[@]}")
expect_eq "POST without X-CSRF-Token -> 403" "${out%% *}" 403
expect_contains "csrf_failed" "$out" '"code":"csrf_failed"'
out=$(http POST /v1/admin/tokens "${C[@]}" "${J[@]}" -H "X-CSRF-Token: ${CSRF}0")
expect_contains "POST with a wrong token -> 403 csrf_failed" "$out" '403 {"error":{"code":"csrf_failed"'
out=$(http POST /v1/admin/tokens "${C[@]}" "${J[@]}" -H "X-CSRF-Token: $CSRF")
expect_eq "POST with the right one -> 201" "${out%% *}" 201
TOKEN_ID=$(jq -r .id <<<"${out#* }")
expect_eq "DELETE without X-CSRF-Token -> 403" "$(http DELETE "/v1/admin/tokens/$TOKEN_ID" "${C[@]}" | cut -c1-3)" 403
expect_eq "DELETE with it -> 200" \
  "$(http DELETE "/v1/admin/tokens/$TOKEN_ID" "${C[@]}" -H "X-CSRF-Token: $CSRF" | cut -c1-3)" 200

ADMIN=$(wott api-token create dash-it --json 2>/dev/null | jq -r .token)
B=(-H "Authorization: Bearer $ADMIN")
expect_eq "a Bearer token still works" "$(http GET /v1/admin/devices "${B[@]}" | cut -c1-3)" 200
expect_eq "a Bearer POST needs no CSRF token" \
  "$(http POST /v1/admin/tokens "${B[@]}" -H 'Content-Type: application/json' --data-binary '{}' | cut -c1-3)" 201
events=$(http GET "/v1/admin/events?subject=$TOKEN_ID" "${B[@]}")
expect_eq "token events carry the user actor" \
  "$(jq -c '[.events[] | [.action, .actor]]' <<<"${events#* }")" \
  '[["token.revoke","user:alice"],["token.create","user:alice"]]'
events=$(http GET "/v1/admin/events?subject=alice" "${B[@]}")
expect_contains "user.login logged" "$events" '"action":"user.login","actor":"user:alice"'
expect_contains "user.login_failed logged" "$events" '"action":"user.login_failed"'
if grep -qF "$PW_ALICE" <<<"$events"; then fail "the password is in the log"; else pass "the password is not in the log"; fi
out=$(http GET /v1/admin/overview "${C[@]}")
expect_eq "overview with the cookie -> 200" "${out%% *}" 200
expect_eq "overview has 8 histogram days" "$(jq '.expiry_histogram | length' <<<"${out#* }")" 8

# ---- Logout ----
expect_eq "logout without X-CSRF-Token -> 403" "$(http DELETE /v1/session "${C[@]}" | cut -c1-3)" 403
out=$(http DELETE /v1/session "${C[@]}" -H "X-CSRF-Token: $CSRF" -D "$WORK/headers")
expect_eq "logout -> 204" "${out%% *}" 204
expect_eq "the cookie is cleared" "$(set_cookie)" \
  "wott_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
expect_eq "the old cookie -> 401" "$(http GET /v1/admin/devices "${C[@]}" | cut -c1-3)" 401
expect_contains "user.logout logged" "$(http GET '/v1/admin/events?subject=alice' "${B[@]}")" '"action":"user.logout"'

# ---- Password change ends sessions ----
login alice "$PW_ALICE" >/dev/null
S2=$(set_cookie | sed 's/^wott_session=\([0-9a-f]*\);.*/\1/')
expect_eq "a new session works" "$(http GET /v1/session -H "Cookie: wott_session=$S2" | cut -c1-3)" 200
PW_ALICE='alice password 2'
check "user passwd (stdin)" quiet bash -c "printf '%s\n' '$PW_ALICE' | '$SERVER_BIN' --data-dir '$DATA' user passwd alice 2>/dev/null"
expect_eq "the session ended with the password change" \
  "$(http GET /v1/session -H "Cookie: wott_session=$S2" | cut -c1-3)" 401
expect_eq "the new password logs in" "$(login alice "$PW_ALICE" | cut -c1-3)" 200
S3=$(set_cookie | sed 's/^wott_session=\([0-9a-f]*\);.*/\1/')

# ---- Rate limit ----
for i in 1 2 3 4 5; do
  expect_eq "bob wrong password $i -> 401" "$(login bob "wrong $i" | cut -c1-3)" 401
done
out=$(login bob "$PW_BOB")
expect_eq "the right password after 5 failures -> 429" "${out%% *}" 429
expect_contains "too_many_attempts" "$out" '"code":"too_many_attempts"'
retry=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\)\r$/\1/p' "$WORK/headers")
check "Retry-After is a number of seconds up to 900 ($retry)" test "${retry:-0}" -ge 1 -a "${retry:-0}" -le 900
expect_eq "alice is not locked by bob's failures" "$(login alice "$PW_ALICE" | cut -c1-3)" 200

# ---- Expiry: the same registry, a server 13 hours in the future ----
stop_server
LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 FAKETIME="+13h" start_server
expect_eq "a 12-hour session is expired 13 hours later -> 401" \
  "$(http GET /v1/admin/devices -H "Cookie: wott_session=$S3" | cut -c1-3)" 401
expect_contains "GET /v1/session says unauthenticated" \
  "$(http GET /v1/session -H "Cookie: wott_session=$S3")" '401 {"error":{"code":"unauthenticated"'

# ---- serve --session-ttl ----
stop_server
for bad in 1m 31d soon; do
  out=$(timeout 10 "$SERVER_BIN" --data-dir "$DATA" serve --listen 127.0.0.1:0 --session-ttl "$bad" 2>&1) && rc=0 || rc=$?
  expect_eq "serve --session-ttl $bad is refused at start-up" "$rc" 1
done
expect_contains "naming the bounds" "$(timeout 10 "$SERVER_BIN" --data-dir "$DATA" serve --listen 127.0.0.1:0 --session-ttl 1m 2>&1)" "between 5m and 30d"
start_server --session-ttl 30m
login alice "$PW_ALICE" >/dev/null
check "with --session-ttl 30m the cookie lasts 1800 s" bash -c "grep -q 'Max-Age=1800\$' <<<'$(set_cookie)'"

check "user delete" quiet bash -c "'$SERVER_BIN' --data-dir '$DATA' user delete bob 2>/dev/null"
out=$(wott user delete bob 2>&1) && rc=0 || rc=$?
expect_eq "user delete of an unknown user exits 1" "$rc" 1
finish
