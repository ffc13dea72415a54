#!/usr/bin/env bash
# The whole test suite from a fresh clone: setup, services, type check, lint, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/services.sh
. scripts/opencv-env.sh
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export TEST_MQTT_URL="${TEST_MQTT_URL:-mqtt://127.0.0.1:1883}"
echo "[test] type check"; npx tsc -p tsconfig.json && npx tsc -p dashboard/tsconfig.json --noEmit
echo "[test] dashboard build"; npm run build -w dashboard --silent
echo "[test] lint"; npx biome check .
echo "[test] unit, integration and browser tests (screenshots go to test-output/screenshots)"
npx vitest run "$@"
