#!/usr/bin/env bash
# Builds claw-init, its unit tests and the test helpers with AddressSanitizer
# + UndefinedBehaviorSanitizer (CLAW_SANITIZE=ON, the `asan` preset's
# settings; dynamic, RelWithDebInfo) and runs every unit and integration test
# under it (ctest -LE container), then fails on any sanitizer report.
#
#   scripts/sanitize.sh [BUILD-DIR]      default: build-asan-rel
#   CLAW_SANITIZE_JOBS=2                 ninja and ctest parallelism
#   CLAW_SANITIZE_TESTS=REGEX            only the ctest tests matching REGEX
#
# Reports are not left to each test to notice: many tests send claw-init's
# stderr to /dev/null, and a child's report may not change an exit status.
# Every sanitized process (claw-init, claw_tests, helpers, including those
# running as nobody or as PID 1 of a namespace) writes its report to a file
# under BUILD-DIR/sanitizer-logs (log_path); any file there fails the run.
#
# The compiler is clang (CLAW_SANITIZE_CXX to change it): GCC 12's UBSan,
# linked beside ASan, ignores log_path and writes to stderr only, where
# half the reports would be lost. RapidJSON 1.1 offsets a null pointer in
# its stack (internal/stack.h, fixed upstream after 1.1; harmless, not ours):
# clang reports it, so pointer-overflow is made recoverable (a compiler
# launcher appends the flag after CMakeLists.txt's -fno-sanitize-recover)
# and that one place is suppressed; every other report still halts.
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$src/build-asan-rel}"
jobs="${CLAW_SANITIZE_JOBS:-2}"
cxx="${CLAW_SANITIZE_CXX:-clang++}"
logs="$build/sanitizer-logs"
command -v "$cxx" >/dev/null || { echo "sanitize.sh: $cxx not found (scripts/install-deps.sh)" >&2; exit 2; }
if grep -qs '^CMAKE_CXX_COMPILER:' "$build/CMakeCache.txt" &&
   ! grep -qs "^CMAKE_CXX_COMPILER:.*=$(command -v "$cxx")\$" "$build/CMakeCache.txt"; then
  echo "sanitize.sh: $build was configured with another compiler; remove it or pick another directory" >&2
  exit 2
fi

start=$(date +%s)
mkdir -p "$build"
launcher=()
if [[ "$("$cxx" --version)" == *clang* ]]; then
  printf '#!/bin/sh\nexec "$@" -fsanitize-recover=pointer-overflow\n' >"$build/recover-pointer-overflow"
  chmod +x "$build/recover-pointer-overflow"
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$build/recover-pointer-overflow")
fi
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLAW_SANITIZE=ON -DCLAW_STATIC=OFF \
  -DCMAKE_CXX_COMPILER="$(command -v "$cxx")" "${launcher[@]}" >/dev/null
ninja -C "$build" -j"$jobs"
built=$(date +%s)

rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs"  # processes that dropped to another user report here too
printf 'pointer-overflow:*rapidjson*internal/stack.h\n' >"$build/ubsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$build/ubsan.supp:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"

ctest_args=(--test-dir "$build" -LE container --output-on-failure -j "$jobs")
[[ -n "${CLAW_SANITIZE_TESTS:-}" ]] && ctest_args+=(-R "$CLAW_SANITIZE_TESTS")
status=0
ctest "${ctest_args[@]}" || status=$?
end=$(date +%s)

reports=("$logs"/*)
if [[ -e "${reports[0]}" ]]; then
  echo "sanitize.sh: ${#reports[@]} sanitizer report(s):" >&2
  for r in "${reports[@]}"; do
    echo "=== $r" >&2
    head -n 60 "$r" >&2
  done
  status=1
fi
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s; ctest and reports: $([[ $status -eq 0 ]] && echo clean || echo FAILED)" >&2
exit "$status"
