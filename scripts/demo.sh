#!/usr/bin/env bash
# Sets OskarTrack up and starts the hub on its embedded defaults: embedded PostgreSQL (PGlite) and
# MQTT broker, one demo agent playing the PETS 2009 clip with the HOG detector. Safe to run twice.
# The demo runs on one machine without TLS (--insecure, the hub warns); drop it to serve HTTPS and
# MQTT over TLS with the hub's own certificate authority, as a real installation does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build -w dashboard --silent
. scripts/opencv-env.sh
export OSKARTRACK_DATA_DIR="${OSKARTRACK_DATA_DIR:-$PWD/.data}"
exec npx oskartrack-hub serve --demo --insecure "$@"
