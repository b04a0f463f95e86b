#!/usr/bin/env bash
# Two wott-server replicas (same CA dir) on one PostgreSQL database: enroll on one, renew on
# the other; a 10-use token raced by 40 enrollments across both gives exactly 10
# certificates; a revocation on one is refused at once on the other and shows in its CRL and
# OCSP; db export from SQLite + db import into PostgreSQL keeps every device and certificate,
# and the recovery tokens: a moved device that expired while offline still recovers. The move
# also keeps dashboard users (the same password logs in; sessions do not move), a policy's
# posture requirement and the devices' trust scores (the low-score device is still refused
# with its score as the reason). Malformed lines are refused by number, writing nothing; an
# older (version 1) export without users still imports.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postgres_lib.sh"
SERVER2_PID=""
on_exit() {
  if [ -n "$SERVER2_PID" ]; then kill "$SERVER2_PID" 2>/dev/null || true; wait "$SERVER2_PID" 2>/dev/null || true; fi
  stop_postgres
  cleanup
}
trap on_exit EXIT

start_postgres
PG_URL=$(new_pg_database wott)
export WOTT_DB=$PG_URL  # every wott command and both replicas use it

# Replica 1 through lib.sh (it also makes the CA), replica 2 on the same data dir.
start_server --workers 8
URL1=$URL
"$SERVER_BIN" --data-dir "$DATA" serve --listen 127.0.0.1:0 --workers 8 >"$WORK/server2.log" 2>&1 &
SERVER2_PID=$!
PORT2=""
for _ in $(seq 1 100); do
  PORT2=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$WORK/server2.log" | head -1)
  [ -n "$PORT2" ] && break
  sleep 0.1
done
[ -n "$PORT2" ] || { cat "$WORK/server2.log"; echo "replica 2 did not start"; exit 1; }
URL2="https://localhost:$PORT2"
check "the password-free URL is logged, the registry is PostgreSQL" \
  grep -q "registry postgresql://postgres@127.0.0.1:$PG_PORT/wott" "$WORK/server2.log"

# --- enroll on replica 1, renew on replica 2 ---
T=$(wott token create --uses 2 2>/dev/null)
URL=$URL1
expect_eq "enroll on replica 1" "$(enroll dev "$T")" 201
ID=$(json_field dev.json device_id)
URL=$URL2
expect_eq "renew on replica 2" "$(renew dev)" 200
expect_eq "same device" "$(json_field dev.renewed.json device_id)" "$ID"
check "renewed chain verifies" \
  openssl verify -CAfile "$CA" -untrusted "$DATA/ca/intermediate.crt" "$WORK/dev.crt"
expect_eq "a second device enrolls on replica 2" "$(enroll other "$T")" 201
expect_eq "the 2-use token is used up on replica 1 too" "$(URL=$URL1 enroll third "$T")" 403

# --- a 10-use token raced by 40 enrollments across both replicas ---
T10=$(wott token create --uses 10 2>/dev/null)
for i in $(seq 1 40); do
  new_csr "r$i"
  jq -n --arg t "$T10" --rawfile c "$WORK/r$i.csr" '{token:$t, csr:$c}' >"$WORK/r$i.req"
done
seq 1 40 | xargs -P 40 -I{} bash -c 'u=$([ $(({} % 2)) = 0 ] && echo "$0" || echo "$1");
  curl -s --max-time 60 --cacert "$2" -o /dev/null -w "%{http_code}\n" \
    -H "Content-Type: application/json" --data-binary "@$3/r{}.req" "$u/v1/enroll"' \
  "$URL1" "$URL2" "$CA" "$WORK" >"$WORK/codes"
expect_eq "exactly ten 201 across both replicas" "$(grep -c '^201$' "$WORK/codes")" 10
expect_eq "thirty 403" "$(grep -c '^403$' "$WORK/codes")" 30
expect_eq "the registry holds 12 devices" \
  "$(wott device list --limit 1000 --json | jq '.total')" 12
expect_eq "the 10-use token has no uses left" \
  "$(wott token list --all --json | jq -r --arg id "${T10%%.*}" '.[] | select(.id == $id) | .uses_left')" 0

# --- revoke on replica 1: refused on replica 2, in its CRL and OCSP at once ---
INTER="$DATA/ca/intermediate.crt"
SERIAL=$(json_field dev.renewed.json serial)
curl -sS --cacert "$CA" "$URL2/v1/crl" -o "$WORK/crl-before.der"  # replica 2 caches a CRL
crl=$(openssl crl -inform DER -in "$WORK/crl-before.der" -noout -text 2>&1)
check "before: the serial is not in replica 2's CRL" bash -c "! grep -qi 'Serial Number: $SERIAL' <<<'$crl'"
ocsp2() {  # ocsp2 CERTFILE -> replica 2's OCSP verdict
  openssl ocsp -issuer "$INTER" -cert "$1" -url "$URL2/v1/ocsp" -CAfile "$CA" \
    -verify_other "$INTER" 2>&1 || true
}
expect_contains "before: replica 2's OCSP says good" "$(ocsp2 "$WORK/dev.crt")" ": good"
ADMIN=$(wott api-token create it --json 2>/dev/null | jq -r .token)
revoked=$(URL=$URL1 http POST "/v1/admin/devices/$ID/revoke" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' --data '{"reason":"key_compromise"}')
expect_eq "revoke through replica 1's admin API" "${revoked%% *}" 200
URL=$URL2
expect_eq "renewal refused on replica 2" "$(renew dev)" 403
curl -sS --cacert "$CA" "$URL2/v1/crl" -o "$WORK/crl.der"
crl=$(openssl crl -inform DER -in "$WORK/crl.der" -CAfile <(cat "$INTER" "$CA") -noout -text 2>&1)
expect_contains "replica 2's CRL verifies" "$crl" "verify OK"
expect_contains "replica 2's CRL lists the serial at once" "$crl" "Serial Number: ${SERIAL^^}"
expect_contains "replica 2's OCSP says revoked at once" "$(ocsp2 "$WORK/dev.crt")" ": revoked"
expect_contains "OCSP for the other device on replica 1 says good" \
  "$(openssl ocsp -issuer "$INTER" -cert "$WORK/other.crt" -url "$URL1/v1/ocsp" -CAfile "$CA" \
    -verify_other "$INTER" 2>&1 || true)" ": good"

# --- SQLite -> PostgreSQL: db export + db import keep every device and certificate ---
kill "$SERVER2_PID"; wait "$SERVER2_PID" 2>/dev/null || true; SERVER2_PID=""
stop_server
unset WOTT_DB
DATA_SQL="$WORK/sqlite-data"
sq() { "$SERVER_BIN" --data-dir "$DATA_SQL" "$@"; }
sq init --san localhost --san 127.0.0.1 >/dev/null
# Short-lived certificates, so that they expire after the move and the devices recover.
"$SERVER_BIN" --data-dir "$DATA_SQL" serve --listen 127.0.0.1:0 --device-lifetime 6s \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$WORK/server.log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
URL="https://localhost:$PORT"
CA="$DATA_SQL/ca/root.crt"
TS=$(sq token create --uses 5 --tag site=lab 2>/dev/null)
for n in s1 s2 s3 s4; do enroll "$n" "$TS" >/dev/null; done
# Posture, while the 6 s certificates are valid: s3 reports a clean audit, s4 one with the
# firewall off (a lower trust score).
audit_body() {  # audit_body FILE FIREWALL_STATE: a heartbeat with a host audit only
  jq -n --arg fw "$2" '{agent_version: "it",
    audit: {host: {firewall: {state: $fw, backend: "nftables", rules: 3}}}}' >"$WORK/$1"
}
audit_body clean.json yes
audit_body poor.json no
expect_eq "s3 reports a clean audit" \
  "$(post_json /v1/ping "$WORK/clean.json" --cert "$WORK/s3.crt" --key "$WORK/s3.key" | cut -c1-3)" 200
expect_eq "s4 reports a poor audit" \
  "$(post_json /v1/ping "$WORK/poor.json" --cert "$WORK/s4.crt" --key "$WORK/s4.key" | cut -c1-3)" 200
ADMIN_SQ=$(sq api-token create mover --json 2>/dev/null | jq -r .token)
score_of() {  # score_of DEVICE_JSON: its trust score, through the admin API of $URL
  http GET "/v1/admin/devices/$(json_field "$1" device_id | cut -d. -f1)/security" \
    -H "Authorization: Bearer $ADMIN_SQ" | cut -d' ' -f2- | jq -r .trust_score
}
GOOD=$(score_of s3.json)
POOR=$(score_of s4.json)
check "s4's score ($POOR) is under s3's ($GOOD)" test "$POOR" -lt "$GOOD"
check "policy web: s3 and s4, min trust score = s3's" quiet sq policy set web \
  --device "$(json_field s3.json device_id)" --device "$(json_field s4.json device_id)" \
  --min-trust-score "$GOOD"
# A dashboard user with a password set on SQLite, logged in there (a session that will not move).
PW_ALICE='correct horse battery staple'
check "user add alice on SQLite" quiet bash -c "printf '%s\n' '$PW_ALICE' | '$SERVER_BIN' --data-dir '$DATA_SQL' user add alice 2>/dev/null"
login() {  # login PASSWORD: POST /v1/session as alice; "<status> <body>", headers in login.h
  jq -n --arg p "$1" '{username: "alice", password: $p}' >"$WORK/login.json"
  http POST /v1/session -H 'Content-Type: application/json' --data-binary "@$WORK/login.json" \
    -D "$WORK/login.h"
}
expect_eq "alice logs in on SQLite" "$(login "$PW_ALICE" | cut -c1-3)" 200
OLD_SESSION=$(sed -n 's/^[Ss]et-[Cc]ookie: wott_session=\([0-9a-f]*\);.*/\1/p' "$WORK/login.h")
check "with a session cookie" test -n "$OLD_SESSION"
cp "$WORK/s1.crt" "$WORK/s1.first.crt"
expect_eq "renew one SQLite device" "$(renew s1)" 200
sq device revoke "$(json_field s2.json device_id)" --reason superseded >/dev/null
stop_server
check "db export from SQLite" sq db export --out "$WORK/registry.jsonl"
expect_eq "the export is owner-only" "$(stat -c %a "$WORK/registry.jsonl")" 600
PG2=$(new_pg_database moved)
expect_contains "the export's header says sessions are not in it" \
  "$(head -1 "$WORK/registry.jsonl" | jq -r .sessions)" "not exported"
expect_eq "the export holds alice with her argon2id hash" \
  "$(jq -r 'select(.type == "user") | .name + " " + (.password_hash | startswith("$argon2id$") | tostring)' "$WORK/registry.jsonl")" \
  "alice true"
check "db import into PostgreSQL" bash -c "'$SERVER_BIN' --data-dir '$DATA_SQL' db import --in '$WORK/registry.jsonl' --db '$PG2' 2>'$WORK/import.err'"
expect_contains "db import says sessions are not moved" "$(cat "$WORK/import.err")" \
  "sessions are not moved"
expect_contains "and counts the user and the postures" "$(cat "$WORK/import.err")" \
  "1 dashboard user(s), 2 device posture(s)"
expect_eq "the policy keeps its minimum trust score" \
  "$(sq --db "$PG2" policy show web --json | jq -r .require.min_trust_score)" "$GOOD"
list() { "$SERVER_BIN" --data-dir "$DATA_SQL" "$@" device list --sort id --order asc --limit 1000 --json; }
before=$(list | jq -S .)
after=$(list --db "$PG2" | jq -S .)
expect_eq "device list --json is identical after the move" "$after" "$before"
expect_eq "4 devices moved" "$(jq .total <<<"$after")" 4
certs() {
  for id in $(jq -r '.devices[].id' <<<"$before"); do
    "$SERVER_BIN" --data-dir "$DATA_SQL" "$@" device show "$id" --json | jq -S -c .
  done
}
expect_eq "every device's certificate history is identical" "$(certs --db "$PG2")" "$(certs)"
check "a second import into the same database is refused" \
  bash -c "! '$SERVER_BIN' db import --in '$WORK/registry.jsonl' --db '$PG2' 2>'$WORK/again.err'"
expect_contains "with a clear message" "$(cat "$WORK/again.err")" "not empty"
check "import refuses a non-PostgreSQL target" \
  bash -c "! '$SERVER_BIN' db import --in '$WORK/registry.jsonl' --db 'sqlite:$WORK/x.db' 2>/dev/null"
echo '{"type":"wott-registry-dump","version":1}
{"type":"device","id":"zz"' >"$WORK/bad.jsonl"
PG3=$(new_pg_database broken)
check "a malformed dump is refused" \
  bash -c "! '$SERVER_BIN' db import --in '$WORK/bad.jsonl' --db '$PG3' 2>'$WORK/bad.err'"
expect_contains "naming the line" "$(cat "$WORK/bad.err")" "line 2"
expect_eq "and nothing was written" "$(list --db "$PG3" 2>/dev/null | jq .total)" 0
# refused_import NAME FILE TEXT: db import of FILE into a new database fails, its error
# contains TEXT, and the database holds no device and no user afterwards.
refused_import() {
  local db; db=$(new_pg_database "$1")
  check "$1: refused" bash -c "! '$SERVER_BIN' db import --in '$2' --db '$db' 2>'$WORK/$1.err'"
  expect_contains "$1: naming the line" "$(cat "$WORK/$1.err")" "$3"
  expect_eq "$1: no device written" "$(list --db "$db" 2>/dev/null | jq .total)" 0
  expect_eq "$1: no user written" \
    "$("$SERVER_BIN" --data-dir "$DATA_SQL" --db "$db" user list --json | jq '.users | length')" 0
}
# The good export with one bad line appended (its line number is the file's length + 1).
N=$(( $(wc -l <"$WORK/registry.jsonl") + 1 ))
{ cat "$WORK/registry.jsonl"; echo '{"type":"user","name":"mallory","created_at":1,"password_changed_at":1}'; } >"$WORK/nohash.jsonl"
refused_import nohash "$WORK/nohash.jsonl" "line $N (user): missing field \"password_hash\""
{ cat "$WORK/registry.jsonl"; echo '{"type":"user","name":"mallory","password_hash":7,"created_at":1,"password_changed_at":1}'; } >"$WORK/numhash.jsonl"
refused_import numhash "$WORK/numhash.jsonl" "line $N (user): field \"password_hash\" must be a string"
{ cat "$WORK/registry.jsonl"; echo '{"type":"session","secret_hash":"x"}'; } >"$WORK/unknown.jsonl"
refused_import unknown "$WORK/unknown.jsonl" "line $N (session): unknown record type"
sed 's/"min_trust_score":[0-9]*/"min_trust_score":101/' "$WORK/registry.jsonl" >"$WORK/score.jsonl"
L=$(grep -n '"type":"policy"' "$WORK/score.jsonl" | cut -d: -f1)
refused_import score "$WORK/score.jsonl" \
  "line $L (policy): field \"min_trust_score\" must be an integer from 0 to 100"
# An older export: version 1, no user or posture lines, policies without requirements.
jq -c 'if .type == "wott-registry-dump" then {type, version: 1}
       elif .type == "policy" then del(.min_trust_score, .deny_fixable_severity) else . end
       | select(.type != "user" and .type != "posture")' "$WORK/registry.jsonl" >"$WORK/v1.jsonl"
PG4=$(new_pg_database older)
check "an older export without users imports" \
  "$SERVER_BIN" --data-dir "$DATA_SQL" db import --in "$WORK/v1.jsonl" --db "$PG4"
expect_eq "with its devices" "$(list --db "$PG4" | jq .total)" 4
expect_eq "and no user" \
  "$("$SERVER_BIN" --data-dir "$DATA_SQL" --db "$PG4" user list --json | jq '.users | length')" 0

# The moved registry serves; the devices, now expired, recover with the tokens they got from
# the SQLite registry (s1 with the token before its renewal: the previous one).
"$SERVER_BIN" --data-dir "$DATA_SQL" --db "$PG2" serve --listen 127.0.0.1:0 \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$WORK/server.log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
URL="https://localhost:$PORT"
for _ in $(seq 1 40); do  # bounded: at most 20 s for the 6 s certificates to expire
  openssl x509 -in "$WORK/s1.crt" -noout -checkend 0 >/dev/null || break
  sleep 0.5
done
sleep 1.5  # not_after is valid through its own second (RFC 5280): be past it on the server too
recover_moved() {  # recover_moved TOKEN CERTFILE -> HTTP status
  new_csr moved
  jq -n --arg r "$1" --rawfile c "$WORK/moved.csr" --rawfile e "$2" \
    '{recovery_token:$r, csr:$c, expired_certificate:$e}' >"$WORK/moved.req"
  local out; out=$(post_json /v1/recover "$WORK/moved.req")
  echo "${out%% *}"
}
# The dashboard on PostgreSQL: the password set on SQLite logs in; the old session is gone.
expect_eq "alice logs in on PostgreSQL with her SQLite password" "$(login "$PW_ALICE" | cut -c1-3)" 200
expect_eq "a wrong password is still refused" "$(login 'not her password' | cut -c1-3)" 401
expect_eq "the session from SQLite did not move" \
  "$(http GET /v1/session -H "Cookie: wott_session=$OLD_SESSION" | cut -c1-3)" 401
expect_eq "s4's trust score moved" "$(score_of s4.json)" "$POOR"
expect_eq "a moved device recovers with its current token" \
  "$(recover_moved "$(json_field s3.json recovery_token)" "$WORK/s3.crt")" 200
# s3, with its new certificate, reads policy web: s4 is still refused for its moved score.
jq -r .certificate "$WORK/body" >"$WORK/s3.moved.crt"
cp "$WORK/moved.key" "$WORK/s3.moved.key"
expect_eq "policy web on PostgreSQL still refuses the low-score device" \
  "$(curl -sS --max-time 10 --cacert "$CA" --cert "$WORK/s3.moved.crt" --key "$WORK/s3.moved.key" \
    "$URL/v1/policies/web" | jq -c .refused_devices)" \
  "[{\"name\":\"$(json_field s4.json device_id)\",\"reason\":\"trust score $POOR < $GOOD\"}]"
expect_eq "a moved device recovers with its previous token" \
  "$(recover_moved "$(json_field s1.json recovery_token)" "$WORK/s1.first.crt")" 200
expect_eq "the revoked device does not recover after the move" \
  "$(recover_moved "$(json_field s2.json recovery_token)" "$WORK/s2.crt")" 401
expect_eq "an unknown token is refused after the move" \
  "$(recover_moved 0000 "$WORK/s4.crt")" 401
stop_server
finish
