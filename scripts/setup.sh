#!/usr/bin/env bash
# Installs what authtrail's build and tests need, idempotently: each step is skipped when its tool
# is already there at the right version. Usage: scripts/setup.sh [build|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen 0.2.105" ]; then
  step "cargo install wasm-bindgen-cli 0.2.105 (about 3 minutes)"
  cargo install --locked wasm-bindgen-cli --version 0.2.105
fi
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  step "cargo install trunk 0.21.14 (about 14 minutes on 2 cores)"
  cargo install --locked trunk --version 0.21.14
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  step "npm ci (esbuild and Biome: the page's build and lint tools)"
  npm ci --no-audit --no-fund
fi

if [ "$what" = test ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    step "apt-get install chromium chromium-driver"
    sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    sudo_ apt-get update -q
    DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -q chromium chromium-driver
  fi
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
    step "npm ci (tests/e2e)"
    (cd tests/e2e && npm ci --no-audit --no-fund)
  fi
fi
