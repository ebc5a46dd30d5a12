#!/usr/bin/env bash
# Builds dist/: the static page, relative URLs only, for any static host and any sub-path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
trunk build --release --offline --public-url ./
echo "dist/ is ready: copy it to any static host (any sub-path works)."
