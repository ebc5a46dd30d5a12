#!/usr/bin/env bash
# Fuzzes authtrail-core with cargo-fuzz (libFuzzer): every target in fuzz/ for a fixed time, seeded
# from tests/fixtures, then one line per target with executions and crashes.
#
#     scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 60 s, every target
#
# Installs cargo-fuzz when missing (`cargo install --locked cargo-fuzz`, a few minutes). Uses the
# nightly toolchain when rustup has one, otherwise stable (AUTHTRAIL_FUZZ_TOOLCHAIN=stable forces
# it), always with `--sanitizer none`: cargo-fuzz then passes only stable codegen flags (sancov
# passes), so stable works; the sanitizers would need nightly's -Zsanitizer, and the core is
# #![forbid(unsafe_code)], so coverage-guided fuzzing without AddressSanitizer loses little.
#
# Nothing is written to the repository: corpora, crash artifacts and logs go to $AUTHTRAIL_FUZZ_DIR
# (default /tmp/authtrail-fuzz), builds to $CARGO_TARGET_DIR (default /tmp/authtrail-fuzz/target).
# A crash is a file under $AUTHTRAIL_FUZZ_DIR/artifacts/TARGET/; reproduce it with
#     cargo fuzz run -s none TARGET FILE        (from fuzz/)
# and add it to tests/fixtures/hostile/ with a test (see tests/fixtures/hostile/README.md).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
work="${AUTHTRAIL_FUZZ_DIR:-/tmp/authtrail-fuzz}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$work/target}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed; installing it (cargo install --locked cargo-fuzz)..."
  cargo install --locked cargo-fuzz
fi

if [ -n "${AUTHTRAIL_FUZZ_TOOLCHAIN:-}" ]; then
  toolchain="$AUTHTRAIL_FUZZ_TOOLCHAIN"
elif rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=nightly
else
  toolchain=stable
  echo "NOTE: no nightly toolchain (rustup toolchain install nightly to get one)."
  echo "      Fuzzing on stable with --sanitizer none: coverage-guided, no AddressSanitizer."
fi

cd "$repo/fuzz"
mapfile -t all < <(cargo fuzz list)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

mkdir -p "$work"
echo "building the fuzz targets with +$toolchain into $CARGO_TARGET_DIR..."
if ! cargo "+$toolchain" fuzz build -s none >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  exit 1
fi

# Seeds: every fixture (inputs only, not the notes or expected summaries).
seeds() {
  find "$repo/tests/fixtures" -type f ! -name '*.md' ! -name '*.source.txt' ! -path '*/expected/*'
}

results=()
status=0
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  seeds | while read -r f; do cp -n "$f" "$corpus/seed-$(basename "$f")"; done
  before=$(find "$artifacts" -type f | wc -l)
  echo "fuzzing $t for ${seconds}s (log: $log)"
  set +e
  cargo "+$toolchain" fuzz run -s none "$t" "$corpus" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  if [ -z "$execs" ]; then
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  fi
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || status=1
  results+=("$(printf '%-20s executions %12s   crashes %d   exit %d' "$t" "${execs:-?}" "$crashes" "$rc")")
  if [ "$crashes" -gt 0 ]; then
    grep -m1 -E 'panicked at|ERROR: libFuzzer' "$log" | sed 's/^/    /' || true
    ls -t "$artifacts" | head -n "$crashes" | sed "s|^|    $artifacts/|"
  fi
done

echo
echo "fuzzed ${#targets[@]} target(s), ${seconds}s each, toolchain $toolchain, sanitizer none:"
printf '%s\n' "${results[@]}"
echo "artifacts (crashes): $work/artifacts/TARGET/"
exit "$status"
