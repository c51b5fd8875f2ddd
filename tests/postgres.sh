#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests: `tests/postgres.sh start` installs Debian's postgresql if needed,
# starts a cluster in a temp folder on port 5433 (trust auth, user postgres) and prints the URL to export as
# COURSEBOT_TEST_POSTGRES; `tests/postgres.sh stop` stops it and removes the folder. Both are idempotent.
set -euo pipefail

PGROOT="${COURSEBOT_PG_DIR:-${TMPDIR:-/tmp}/coursebot-pg}"
PORT="${COURSEBOT_PG_PORT:-5433}"
URL="postgresql://postgres@127.0.0.1:${PORT}/postgres"

fail() { echo "tests/postgres.sh: $*" >&2; exit 1; }

as_postgres() {  # initdb and the server refuse to run as root
    if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi
}

bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install() {
    bindir >/dev/null && return 0
    [ "$(id -u)" = 0 ] || fail "PostgreSQL is not installed and this is not root: apt-get install -y postgresql"
    echo "installing postgresql (Debian's package)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
        || fail "cannot install PostgreSQL with apt-get (see above)"
    bindir >/dev/null || fail "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found"
}

start() {
    install
    local bin
    bin=$(bindir)
    if [ -f "$PGROOT/data/postmaster.pid" ] && as_postgres "'$bin/pg_ctl' -D '$PGROOT/data' status" >/dev/null 2>&1; then
        echo "$URL"; return 0
    fi
    mkdir -p "$PGROOT"
    [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
    if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
        as_postgres "'$bin/initdb' -D '$PGROOT/data' -A trust -U postgres" >"$PGROOT/initdb.log" 2>&1 \
            || { cat "$PGROOT/initdb.log" >&2; fail "initdb failed in $PGROOT/data"; }
    fi
    as_postgres "'$bin/pg_ctl' -D '$PGROOT/data' -o '-p $PORT -k $PGROOT -c listen_addresses=127.0.0.1' \
        -l '$PGROOT/log' -w -t 30 start" >/dev/null \
        || { tail -n 20 "$PGROOT/log" >&2 || true; fail "PostgreSQL did not start on port $PORT (log: $PGROOT/log)"; }
    as_postgres "'$bin/pg_isready' -h 127.0.0.1 -p $PORT -q" || fail "PostgreSQL started but does not answer on port $PORT"
    echo "$URL"
}

stop() {
    local bin
    if bin=$(bindir) && [ -f "$PGROOT/data/postmaster.pid" ]; then
        as_postgres "'$bin/pg_ctl' -D '$PGROOT/data' -m fast -w stop" >/dev/null || fail "cannot stop PostgreSQL in $PGROOT"
    fi
    rm -rf "$PGROOT"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: tests/postgres.sh start|stop  (start prints the URL for COURSEBOT_TEST_POSTGRES)" >&2; exit 2 ;;
esac
