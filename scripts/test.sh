#!/usr/bin/env bash
# The README's test command: installs every dependency (Debian packages,
# httplib.h from Debian's source package), builds the static release
# binary and runs the whole suite through ctest: unit tests, integration
# tests (real binary as PID 1 in PID namespaces), container tests (Podman).
# Then the same unit and integration tests under ASan+UBSan
# (scripts/sanitize.sh) and a short run of every fuzz target
# (scripts/fuzz.sh). Run as root on Debian 12.
#
#   scripts/test.sh [CTEST-ARGS...]   e.g. -R engine (then only the release ctest runs)
#   CLAW_TEST_SANITIZE=0              skip the sanitizer pass
#   CLAW_TEST_FUZZ_SECONDS=N          fuzz budget per target (default 15; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build="${CLAW_BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
# -j2: the project's machines have two cores (ninja's default of 4 jobs on
# 2 cores drove the load to 21).
ninja -C "$build" -j2
status=0
ctest --test-dir "$build" --output-on-failure -j2 "$@" || status=$?
# ctest shows a skipped test only as "***Skipped": say which and why (every
# test prints one "SKIP: <test>: <reason>" line before it exits 77).
skips="$(grep -h '^SKIP: ' "$build/Testing/Temporary/LastTest.log" 2>/dev/null | sort -u || true)"
if [[ -n "$skips" ]]; then
  echo "== SKIPPED tests and why ($(wc -l <<<"$skips")):" >&2
  sed 's/^SKIP: /   /' <<<"$skips" >&2
fi
if [[ $# -gt 0 ]]; then exit "$status"; fi

if [[ "${CLAW_TEST_SANITIZE:-1}" != 0 ]]; then
  echo "== unit and integration tests under ASan+UBSan" >&2
  bash scripts/sanitize.sh || status=$?
fi
fuzz_seconds="${CLAW_TEST_FUZZ_SECONDS:-15}"
if [[ "$fuzz_seconds" != 0 ]]; then
  echo "== fuzz targets, ${fuzz_seconds} s each" >&2
  bash scripts/fuzz.sh "$fuzz_seconds" || status=$?
fi
exit "$status"
