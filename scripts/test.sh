#!/usr/bin/env bash
# Runs every test: formatting and lints (Rust, and JS with Biome), the API docs, Rust tests, the
# wasm32 builds, the facade's tests in headless Chromium, the page's end-to-end tests in headless
# Chromium, and a seconds-long benchmark run (its figures are printed, never asserted). Installs
# what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

scripts/setup.sh test

step "cargo fmt --check"
cargo fmt --all --check
step "Biome: lint and format check of the JS (www/, tests/e2e/, scripts/; biome.json)"
node_modules/.bin/biome check
step "clippy (native, warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm32, warnings denied)"
cargo clippy -p authtrail-core --lib --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p authtrail-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
step "cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
step "cargo test (workspace)"
cargo test --workspace --exclude authtrail-wasm --locked
step "unit tests of the page's pure helpers (www/js/lib, no browser)"
node --test tests/e2e/unit/
step "authtrail-core builds for wasm32-unknown-unknown"
cargo build -p authtrail-core --target wasm32-unknown-unknown --locked
step "wasm-bindgen-test of the facade in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test -p authtrail-wasm --target wasm32-unknown-unknown --locked
step "trunk build (dist/)"
trunk build --release --offline --public-url ./
step "cargo xtask dist (scripts bundled by esbuild, the service worker's precache list, dist/authtrail.html)"
cargo xtask dist
step "release CLI (the end-to-end tests compare the page with it)"
cargo build --release -p authtrail-cli --locked
step "end-to-end tests in headless Chromium"
(cd tests/e2e && npm test)
step "benchmark, short run (figures only)"
cargo xtask bench --sizes 10 --runs 1
printf '\nAll tests passed.\n'
