#!/usr/bin/env bash
# Makes sure the services the test suite talks to are up: PostgreSQL (127.0.0.1:5432, database
# `test`) and Mosquitto (127.0.0.1:1883). Starts them when they are installed but down.
set -euo pipefail
log() { printf '\033[1m[services]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  log "PostgreSQL is down: starting it"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || $SUDO pg_ctlcluster "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { log "PostgreSQL is not reachable at 127.0.0.1:5432"; exit 1; }
# The tests connect as postgres over TCP; on a stock Debian install that needs trust for localhost.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  log "PostgreSQL refuses postgres@127.0.0.1 without a password; allow trust for localhost in pg_hba.conf"; exit 1
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname='test'" | grep -q 1; then
  log "creating database test"; psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  if command -v mosquitto >/dev/null; then
    log "Mosquitto is down: starting it"
    $SUDO mosquitto -d -c /etc/mosquitto/mosquitto.conf
    sleep 1
  fi
fi
(exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null || { log "Mosquitto is not reachable at 127.0.0.1:1883"; exit 1; }
log "PostgreSQL and Mosquitto are up"
