#!/usr/bin/env bash
# Runs every benchmark and writes each one's latest output into docs/benchmarks.md, between the
# markers `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` (added at the end the first time), with the
# date, the machine and the command. Hand-written tables and readings above the markers are kept.
#   bash scripts/bench.sh            every benchmark (an hour or more on a 2-core machine)
#   bash scripts/bench.sh api ingest only these
# Benchmarks that need PostgreSQL use TEST_DATABASE_URL (a throwaway cluster is started when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/opencv-env.sh
declare -A BENCH=(
  [pets09]="node --import tsx agent/bench/pets09.ts --write"
  [one-core]="node --import tsx agent/bench/one-core.ts --write"
  [scenes]="node --import tsx agent/bench/scenes.ts --write"
  [uploads]="node --import tsx hub/bench/uploads.ts --write"
  [live-video]="node --import tsx agent/bench/live-video.ts"
  [detectors]="node --import tsx agent/bench/detectors.ts"
  [ingest]="node --import tsx hub/bench/ingest.ts"
  [api]="node --import tsx hub/bench/api.ts"
  [fanout]="node --import tsx hub/bench/fanout.ts"
  [reports]="node --import tsx hub/bench/reports.ts"
)
[ -f hub/bench/field-drain.ts ] && BENCH[field-drain]="node --import tsx hub/bench/field-drain.ts"
names=("$@"); [ "${#names[@]}" -gt 0 ] || names=("${!BENCH[@]}")
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  eval "$(bash scripts/services.sh start)"
  trap 'bash scripts/services.sh stop "$OT_SERVICES_DIR"' EXIT
fi
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, Node $(node --version)"
for name in "${names[@]}"; do
  cmd="${BENCH[$name]:?unknown benchmark $name (known: ${!BENCH[*]})}"
  echo "[bench] $name: $cmd"
  out="$(mktemp)"
  $cmd | tee "$out"
  # These write their own tables between their markers (--write).
  case "$name" in pets09|one-core|scenes|uploads) rm -f "$out"; continue ;; esac
  python3 - "$name" "$cmd" "$machine" "$out" <<'PY'
import sys, datetime, pathlib
name, cmd, machine, out = sys.argv[1:]
doc = pathlib.Path('docs/benchmarks.md'); text = doc.read_text()
start, end = f'<!-- bench:{name} -->', f'<!-- /bench:{name} -->'
when = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
block = f"{start}\nLatest run of `{cmd}` ({when}; {machine}):\n\n```text\n{pathlib.Path(out).read_text().strip()}\n```\n{end}"
if start in text and end in text:
    text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip('\n') + f"\n\n## Latest output: {name}\n\n{block}\n"
doc.write_text(text)
PY
  rm -f "$out"
done
