#!/usr/bin/env bash
# Throwaway services for the test suite: a PostgreSQL cluster (initdb + pg_ctl) and a Mosquitto with a
# generated config, each on a free port on 127.0.0.1, in a folder of their own.
#   eval "$(bash scripts/services.sh start)"   prints the exports (TEST_DATABASE_URL, TEST_MQTT_URL, OT_SERVICES_DIR)
#   bash scripts/services.sh stop DIR          stops both and deletes the folder
# A service named by the caller (TEST_DATABASE_URL or TEST_MQTT_URL already set) is used as it is:
# only checked, never started. The machine's own services are never touched.
set -euo pipefail
log() { printf '\033[1m[services]\033[0m %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Runs a command as the unprivileged owner of the folder: PostgreSQL refuses to run as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || die "PostgreSQL server binaries not found: install the Debian package postgresql"
  echo "$dir"
}

start_postgres() { # folder -> prints the URL
  local dir="$1/pg" bin port
  bin="$(pg_bin)"
  port="$(free_port)"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$1/pg-initdb.log" 2>&1 ||
    { cat "$1/pg-initdb.log" >&2; die "initdb failed"; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ||
    { cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc 'create database test' >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/test"
}

start_mosquitto() { # folder -> prints the URL
  local dir="$1/mqtt" port
  command -v mosquitto >/dev/null || die "mosquitto not found: install the Debian package mosquitto"
  port="$(free_port)"
  mkdir -p "$dir"
  chmod 755 "$dir"
  cat >"$dir/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
pid_file $dir/mosquitto.pid
log_dest file $dir/mosquitto.log
EOF
  [ "$(id -u)" = 0 ] && chown -R mosquitto "$dir" 2>/dev/null || true
  mosquitto -d -c "$dir/mosquitto.conf" || die "Mosquitto did not start (log: $dir/mosquitto.log)"
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "Mosquitto is not answering on port $port"
  echo "mqtt://127.0.0.1:$port"
}

check_named() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    psql "$TEST_DATABASE_URL" -Atc 'select 1' >/dev/null 2>&1 ||
      die "TEST_DATABASE_URL does not answer; fix it or unset it to get a throwaway PostgreSQL"
  fi
  if [ -n "${TEST_MQTT_URL:-}" ]; then
    local hostport="${TEST_MQTT_URL#*://}"
    (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null ||
      die "TEST_MQTT_URL ($TEST_MQTT_URL) does not answer; fix it or unset it to get a throwaway Mosquitto"
  fi
}

case "${1:-}" in
  start)
    check_named
    root="$(mktemp -d /tmp/oskartrack-services.XXXXXX)"
    chmod 755 "$root"
    echo "export OT_SERVICES_DIR=$root"
    if [ -z "${TEST_DATABASE_URL:-}" ]; then
      url="$(start_postgres "$root")"; log "throwaway PostgreSQL at $url"; echo "export TEST_DATABASE_URL=$url"
    fi
    if [ -z "${TEST_MQTT_URL:-}" ]; then
      url="$(start_mosquitto "$root")"; log "throwaway Mosquitto at $url"; echo "export TEST_MQTT_URL=$url"
    fi
    ;;
  stop)
    root="${2:?usage: services.sh stop DIR}"
    case "$root" in /tmp/oskartrack-services.*) ;; *) die "refusing to stop services in $root" ;; esac
    if [ -d "$root/pg/data" ]; then as_owner "$(pg_bin)/pg_ctl" -D "$root/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
    if [ -f "$root/mqtt/mosquitto.pid" ]; then kill "$(cat "$root/mqtt/mosquitto.pid")" 2>/dev/null || true; fi
    rm -rf "$root"
    ;;
  *) die "usage: services.sh start | stop DIR" ;;
esac
