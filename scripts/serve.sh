#!/usr/bin/env bash
# Builds the page and serves it on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C to stop).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
trunk build --release --offline --public-url ./
cargo xtask dist
exec node tests/e2e/server.js dist / "${PORT:-8080}"
