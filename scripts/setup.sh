#!/usr/bin/env bash
# Sets OskarTrack up on a Debian machine: system packages, npm packages, the native addons.
# Safe to run twice. Needs only the Debian and npm package registries.
#   bash scripts/setup.sh          what the product needs
#   bash scripts/setup.sh --test   also what the test suite needs (Chromium, PostgreSQL, Mosquitto)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages --------------------------------------------------------------------------
pkgs=(libopencv-dev pkg-config build-essential python3)
# vtest.avi (the demo clip) ships in opencv-doc.
pkgs+=(opencv-doc)
# iproute2 (ip, tc) and nftables: the field tests' network namespaces, pulled link, drops, slow link.
if [ "$want_test" = 1 ]; then pkgs+=(chromium postgresql mosquitto openssl iproute2 nftables systemd); fi
# redis-server: the shared rate-limit test starts a throwaway Redis (hubs may keep rate limits there).
if [ "$want_test" = 1 ]; then pkgs+=(redis-server); fi
# GStreamer's RTSP server (through python3-gi): the network camera tests' RTSP camera (x264enc is in -ugly).
if [ "$want_test" = 1 ]; then
  pkgs+=(python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0)
  pkgs+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    log "missing system packages (${missing[*]}) and no apt-get: install them by hand"; exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node.js ----------------------------------------------------------------------------------
command -v node >/dev/null || { log "Node.js 20.19 or newer is needed: install it (e.g. the Debian package nodejs from Debian 13, or nodesource)"; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { log "Node.js $(node --version) is too old: OskarTrack needs 20.19 or newer (type stripping, require(esm)); install a newer Node.js and run this again"; exit 1; }

# --- npm packages -----------------------------------------------------------------------------
# Install scripts are skipped (npm 11 would skip unapproved ones anyway, and opencv4nodejs's own
# script downloads OpenCV): the native addons are built explicitly below.
# A second run skips the install when the lock file has not changed since the last one, so the
# native builds below are kept too.
# A registry connection that stalls can leave npm waiting forever on an idle socket (seen here: 36
# minutes on an established connection): each attempt gets 15 minutes, and a stalled one is tried once more.
npm_with_retry() { # ci | install
  local attempt
  for attempt in 1 2; do
    timeout 900 npm "$1" --ignore-scripts --no-audit --no-fund --loglevel=error && return 0
    log "npm $1 did not finish (attempt $attempt of 2): check the connection to the npm registry"
  done
  return 1
}
stamp=node_modules/.oskartrack-lock.sha256
lock_hash="$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1)"
if [ -n "$lock_hash" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  log "npm packages are up to date"
elif [ -n "$lock_hash" ]; then
  npm_with_retry ci
  echo "$lock_hash" > "$stamp"
else
  npm_with_retry install
fi

# --- native addons ----------------------------------------------------------------------------
# shellcheck source=scripts/opencv-env.sh
. scripts/opencv-env.sh
gyp="$PWD/node_modules/node-gyp/bin/node-gyp.js"
nodedir="$(dirname "$(dirname "$(command -v node)")")"
[ -f "$nodedir/include/node/node.h" ] || nodedir=/usr
jobs="$(nproc 2>/dev/null || echo 2)"

build_addon() { # folder, expected .node file
  local dir="$1" out="$2"
  if [ -f "$dir/$out" ] && node -e "require('./$dir/$out')" 2>/dev/null; then
    log "$dir: already built"; return
  fi
  log "building $dir (a few minutes the first time)"
  (cd "$dir" && node "$gyp" rebuild --release --nodedir="$nodedir" --jobs="$jobs" >/tmp/oskartrack-gyp.log 2>&1) ||
    { tail -40 /tmp/oskartrack-gyp.log; log "build of $dir failed (full log: /tmp/oskartrack-gyp.log)"; exit 1; }
}
build_addon node_modules/better-sqlite3 build/Release/better_sqlite3.node
build_addon node_modules/@u4/opencv4nodejs build/Release/opencv4nodejs.node

node --import tsx -e "import('./agent/src/cv.ts').then(async (m) => { const cv = await m.loadOpenCV(); console.log('[setup] OpenCV', cv.version.major + '.' + cv.version.minor + '.' + cv.version.revision, 'ready'); })"
log "done"
