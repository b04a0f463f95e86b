# A throwaway PostgreSQL cluster for the PostgreSQL integration tests and bench, on
# 127.0.0.1 and a free port, in a temp dir owned by the `postgres` user when run as root
# (initdb refuses root). Never touches the machine's own cluster. Source after lib.sh:
#   start_postgres; PG_URL=$(new_pg_database NAME); ...; stop_postgres (also on exit)
PG_BIN=${WOTT_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_DIR=""
PG_PORT=""
PG_AS=()
# Server settings: durability off by default (tests); the benchmark passes its own.
PG_OPTS=${PG_OPTS:-"-c fsync=off -c max_connections=200"}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    (cd / && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1) || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  PG_DIR=""
}

start_postgres() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "FAIL - PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin:" \
      "install Debian's postgresql (scripts/install-deps) or set WOTT_PG_BINDIR"
    exit 1
  fi
  PG_DIR=$(mktemp -d /tmp/wott-pg-XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; PG_AS=(runuser -u postgres --); fi
  (cd / && "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync \
    -E UTF8 >"$PG_DIR/initdb.log" 2>&1) || { cat "$PG_DIR/initdb.log"; exit 1; }
  # Postgres cannot take port 0: try random high ports until one starts.
  for _ in 1 2 3 4 5 6 7 8; do
    PG_PORT=$((20000 + RANDOM % 30000))
    if (cd / && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR $PG_OPTS" \
      start >/dev/null 2>&1); then
      return 0
    fi
  done
  tail -20 "$PG_DIR/server.log"; echo "PostgreSQL did not start"; exit 1
}

# new_pg_database NAME: creates database NAME; prints its URL.
new_pg_database() {
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE DATABASE $1" >/dev/null
  echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1"
}
