#!/usr/bin/env bash
# Stopping as PID 1 when the runtime's tree fights back. engine_stop.sh has
# the basics (TERM ignored with a 1 s grace; an escaped grandchild gone);
# here the evidence that claw-init itself did the work, not the kernel
# tearing down the PID namespace after it exits:
# 1. a whole tree that ignores TERM, with the default grace: SIGKILL at 8 s,
#    claw-init gone before Docker's 10 s, status 137;
# 2. an escaped (setsid) process that records TERM and stays: it receives
#    claw-init's TERM, claw-init waits out the grace for it, kills it, says
#    so, and returns the runtime's own status;
# 3. an escaped process that leaves on TERM: no waiting for the grace.
source "$(dirname "$0")/lib/common.bash"
require_root
REC="$CLAW_HELPERS/sigrecord"

# 1. Everything ignores TERM (the runtime, its child, an escaped process that
#    records signals): the default 8 s grace, then SIGKILL for all.
start_pid1 -- /bin/sh -c "trap '' TERM; setsid '$REC' '$WORK/esc1' 0 & sleep 1000 & wait" 2>"$WORK/1.log"
wait_for_file "$WORK/esc1.ready" || fail "1: escaped recorder did not start"
esc="$(pgrep -f "$WORK/esc1" | head -n1 || true)"
stop_pid1
check_eq "1: TERM-ignoring tree: status 137 (SIGKILL)" 137 "$STATUS"
check_true "1: stopped after the default 8 s grace (${ELAPSED} ms)" test "$ELAPSED" -ge 7900
check_true "1: and before Docker's 10 s (${ELAPSED} ms)" test "$ELAPSED" -lt 9800
check_true "1: the kill is logged" grep -q "did not stop within 8s; sending SIGKILL" "$WORK/1.log"
check_true "1: escaped process gone" bash -c "[[ -n '$esc' ]] && ! kill -0 '$esc' 2>/dev/null"

# 2. The runtime leaves on TERM; an escaped process records TERM and stays.
start_pid1 --stop-grace 2s -- /bin/sh -c \
  "setsid '$REC' '$WORK/esc2' 0 & trap 'exit 4' TERM; while :; do sleep 0.05; done" 2>"$WORK/2.log"
wait_for_file "$WORK/esc2.ready" || fail "2: escaped recorder did not start"
esc="$(pgrep -f "$WORK/esc2" | head -n1 || true)"
stop_pid1
check_eq "2: the runtime's own status" 4 "$STATUS"
check_true "2: claw-init sent TERM to the escaped process" grep -qx 15 "$WORK/esc2"
check_true "2: and waited the grace for it (${ELAPSED} ms >= 1.8 s)" test "$ELAPSED" -ge 1800
check_true "2: then killed it (${ELAPSED} ms < 3.5 s)" test "$ELAPSED" -lt 3500
check_true "2: the kill of the leftovers is logged" grep -q "processes left after the runtime exited; sending SIGKILL" "$WORK/2.log"
check_true "2: escaped process gone" bash -c "[[ -n '$esc' ]] && ! kill -0 '$esc' 2>/dev/null"

# 3. The escaped process leaves on TERM: claw-init exits at once.
start_pid1 --stop-grace 5s -- /bin/sh -c \
  "setsid '$REC' '$WORK/esc3' 15 & trap 'exit 0' TERM; while :; do sleep 0.05; done" 2>"$WORK/3.log"
wait_for_file "$WORK/esc3.ready" || fail "3: escaped recorder did not start"
stop_pid1
check_eq "3: status 0" 0 "$STATUS"
check_true "3: the escaped process got TERM" grep -qx 15 "$WORK/esc3"
check_true "3: no wait for the 5 s grace (${ELAPSED} ms < 2 s)" test "$ELAPSED" -lt 2000
check_true "3: nothing left to kill" bash -c "! grep -q 'sending SIGKILL' '$WORK/3.log'"
finish
