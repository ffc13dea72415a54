#!/usr/bin/env bash
# The whole test suite from a fresh clone: setup, services, type check, lint, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# Throwaway PostgreSQL and Mosquitto on free ports, stopped at the end; set TEST_DATABASE_URL /
# TEST_MQTT_URL to use existing ones instead.
eval "$(bash scripts/services.sh start)"
trap 'bash scripts/services.sh stop "$OT_SERVICES_DIR"' EXIT
. scripts/opencv-env.sh
echo "[test] type check"
npx tsc -p tsconfig.json
npx tsc -p dashboard/tsconfig.json --noEmit
echo "[test] dashboard build"; npm run build -w dashboard --silent
echo "[test] lint"; npx biome check .
echo "[test] unit, integration and browser tests (screenshots go to test-output/screenshots)"
npx vitest run "$@"
