#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on a loopback port, for the tests that check the SQL
# the query compiler writes in its PostgreSQL dialect (Tests/QueryTests/
# PostgreSQLDialectTests.swift): a fresh data folder, trust authentication on
# 127.0.0.1 only, no fsync, one empty database `lexgraph_test`.
#
#   eval "$(tools/pg_test_server.sh start)"   # prints the exports the tests read
#   tools/pg_test_server.sh stop              # stops it and removes its folder
#
# Port: $LEXGRAPH_PG_PORT (default 55432); folder: $LEXGRAPH_PG_DIR (default
# /tmp/lexgraph-pg-PORT); binaries: $LEXGRAPH_PG_BIN (default /usr/lib/postgresql/15/bin).
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user.
set -euo pipefail
BIN=${LEXGRAPH_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${LEXGRAPH_PG_PORT:-55432}
DIR=${LEXGRAPH_PG_DIR:-/tmp/lexgraph-pg-$PORT}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    [ -x "$BIN/initdb" ] || { echo "pg_test_server.sh: no PostgreSQL at $BIN (set LEXGRAPH_PG_BIN)" >&2; exit 1; }
    if [ -d "$DIR/data" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
        echo "pg_test_server.sh: already running in $DIR on port $PORT" >&2
    else
        rm -rf "$DIR"
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres "$DIR"
        as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; exit 1; }
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
            -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2 \
            || { cat "$DIR/server.log" >&2; exit 1; }
        "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAt -c "CREATE DATABASE lexgraph_test" >&2
    fi
    echo "export LEXGRAPH_PG_PORT=$PORT LEXGRAPH_PG_PSQL=$BIN/psql"
    ;;
stop)
    if [ -d "$DIR/data" ]; then as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true; fi
    rm -rf "$DIR"
    ;;
*)
    echo "usage: tools/pg_test_server.sh start|stop" >&2
    exit 2
    ;;
esac
