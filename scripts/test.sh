#!/usr/bin/env bash
# The README's test command: installs every dependency (Debian packages,
# httplib.h from Debian's source package), builds the static release
# binary and runs the whole suite through ctest: unit tests, integration
# tests (real binary as PID 1 in PID namespaces), container tests (Podman).
# Run as root on Debian 12. Extra arguments go to ctest (e.g. -R engine).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build="${CLAW_BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build"
ctest --test-dir "$build" --output-on-failure -j2 "$@"
