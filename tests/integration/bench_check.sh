#!/usr/bin/env bash
# Start-up CPU instructions (callgrind) against bench/baseline.json: fails
# when a scenario grows by more than 20%. SKIP without valgrind, without
# root, or for a build the baseline does not describe (not static Release).
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool valgrind

set +e
"$CLAW_SRC/bench/check" --binary "$CLAW_INIT" --build-dir "${CLAW_BUILD:-$(dirname "$CLAW_INIT")}"
status=$?
set -e
case $status in
  0) pass "start-up instructions within 20% of bench/baseline.json" ;;
  77) skip "bench/check skipped (reason above)" ;;
  *) fail "bench/check: instructions above bench/baseline.json (see the table above)" ;;
esac
finish
