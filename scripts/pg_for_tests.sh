#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests, on 127.0.0.1 only.
#
#   scripts/pg_for_tests.sh start DIR [PORT]   initdb into DIR, start, create database
#                                              "stridewise"; prints the SQLAlchemy URL last
#   scripts/pg_for_tests.sh stop DIR           stop the server started in DIR
#
# Installs Debian's postgresql package when no initdb is found and we are root (apt-get).
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres" user (or a
# system user "stridewise-test" created on the spot). The cluster trusts local connections and
# runs with fsync off: it is for tests only and is deleted by its caller.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
fi

find_bin() {
  local p
  if p=$(command -v pg_ctl 2>/dev/null) && [ -x "$(dirname "$p")/initdb" ]; then
    dirname "$(readlink -f "$p")"
    return 0
  fi
  p=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$p" ] && [ -x "$p/initdb" ]; then
    echo "$p"
    return 0
  fi
  return 1
}

BIN=$(find_bin || true)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "PostgreSQL is missing; installing Debian's postgresql package ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    BIN=$(find_bin || true)
  fi
fi
if [ -z "$BIN" ]; then
  echo "PostgreSQL is not installed and cannot be installed here (need root and apt-get)." >&2
  exit 3
fi

# Run a command as the server's user (root may not run PostgreSQL).
RUN_USER=""
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then
    RUN_USER=postgres
  else
    id stridewise-test >/dev/null 2>&1 || useradd --system --no-create-home \
      --shell /usr/sbin/nologin stridewise-test
    RUN_USER=stridewise-test
  fi
fi
as_server() {
  if [ -z "$RUN_USER" ]; then
    "$@"
  elif command -v runuser >/dev/null; then
    runuser -u "$RUN_USER" -- "$@"
  else
    su -s /bin/sh "$RUN_USER" -c "$(printf '%q ' "$@")"
  fi
}

case "$cmd" in
  start)
    port=${3:-}
    if [ -z "$port" ]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 40000)))
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ -n "$RUN_USER" ] && chown "$RUN_USER" "$dir"
    as_server "$BIN/initdb" -D "$dir/data" -U stridewise --auth=trust --encoding=UTF8 \
      --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2; echo "initdb failed." >&2; exit 4; }
    as_server "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; echo "PostgreSQL did not start." >&2; exit 5; }
    if [ -x "$BIN/createdb" ]; then
      as_server "$BIN/createdb" -h 127.0.0.1 -p "$port" -U stridewise stridewise
    else
      as_server psql -h 127.0.0.1 -p "$port" -U stridewise -d postgres -qc "CREATE DATABASE stridewise"
    fi
    echo "postgresql+psycopg://stridewise@127.0.0.1:$port/stridewise"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_server "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
