#!/usr/bin/env bash
# Builds dist/: the static page, relative URLs only, for any static host and any sub-path, with its
# offline service worker (sw.js and its precache list), and dist/authtrail.html: the whole page in one
# file that works opened from disk (cargo xtask dist: esbuild through scripts/dist.mjs, then the
# precache list and the single file's CSP).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
trunk build --release --offline --public-url ./
cargo xtask dist
echo "dist/ is ready: copy it to any static host (any sub-path works)."
echo "dist/authtrail.html is the single-file page: open it from disk, no server needed."
