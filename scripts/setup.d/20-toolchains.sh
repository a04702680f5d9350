#!/usr/bin/env bash
# Toolchains the tests use, from Debian/Ubuntu packages when missing: node + npm (the JS checker and
# the npm clients of 40-clients.sh), g++ (C++ checker), rustc (Rust checker), a JDK (Java checker),
# and the PostgreSQL client and server (the store tests use 127.0.0.1:5432, database `test`).
# When nothing answers on 127.0.0.1:5432, a private cluster (trust auth, loopback only) is started
# under $BENCHROUTE_PG_DIR. Idempotent: installed tools and a running server are left alone.
set -euo pipefail

need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v rustc >/dev/null 2>&1 || need+=(rustc)
{ command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; } || need+=(default-jdk-headless)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
{ command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

node --version && g++ --version | head -1 && rustc --version && javac -version && psql --version

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  bin="$(dirname "$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)")"
  dir="${BENCHROUTE_PG_DIR:-$HOME/.cache/benchroute-pg}"
  run_as=()
  if [ "$(id -u)" = 0 ]; then  # initdb refuses root: run the private cluster as `postgres`
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
    mkdir -p "$dir" && chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
  fi
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p 5432 -k $dir" start
  createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
fi
pg_isready -h 127.0.0.1 -p 5432
