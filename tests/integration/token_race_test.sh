#!/usr/bin/env bash
# A single-use token raced by 50 concurrent enrollments yields exactly one certificate.
. "$(dirname "$0")/lib.sh"
start_server --workers 8

T=$(wott token create --uses 1 2>/dev/null)
for i in $(seq 1 50); do
  new_csr "r$i"
  jq -n --arg t "$T" --rawfile c "$WORK/r$i.csr" '{token:$t, csr:$c}' >"$WORK/r$i.req"
done
seq 1 50 | xargs -P 50 -I{} curl -s --max-time 30 --cacert "$CA" -o /dev/null -w '%{http_code}\n' \
  -H 'Content-Type: application/json' --data-binary "@$WORK/r{}.req" "$URL/v1/enroll" \
  >"$WORK/codes"
expect_eq "exactly one 201" "$(grep -c '^201$' "$WORK/codes")" 1
expect_eq "49 refusals (403)" "$(grep -c '^403$' "$WORK/codes")" 49
expect_eq "one active device in the registry" \
  "$(sqlite3 "$DATA/registry.db" "select count(*) from devices")" 1

T10=$(wott token create --uses 10 2>/dev/null)
for i in $(seq 1 40); do
  jq -n --arg t "$T10" --rawfile c "$WORK/r$(( (i - 1) % 50 + 1 )).csr" '{token:$t, csr:$c}' >"$WORK/s$i.req"
done
seq 1 40 | xargs -P 40 -I{} curl -s --max-time 30 --cacert "$CA" -o /dev/null -w '%{http_code}\n' \
  -H 'Content-Type: application/json' --data-binary "@$WORK/s{}.req" "$URL/v1/enroll" \
  >"$WORK/codes10"
expect_eq "a 10-use token raced by 40: exactly ten 201" "$(grep -c '^201$' "$WORK/codes10")" 10
expect_eq "11 devices in total" "$(sqlite3 "$DATA/registry.db" "select count(*) from devices")" 11
finish
