#!/usr/bin/env bash
# Stopping: a TERM-ignoring runtime is killed when --stop-grace runs out,
# well before Docker's 10 s; leftovers are killed when the runtime exits,
# including a grandchild that escaped the group with setsid() (as PID 1).
source "$(dirname "$0")/lib/common.bash"
require_root

# 1. TERM ignored: SIGKILL after a 1 s grace.
start_pid1 --stop-grace 1s -- /bin/sh -c "trap '' TERM; sleep 1000 & wait" 2>"$WORK/err"
sleep 0.5
stop_pid1
check_eq "TERM-ignoring runtime dies of SIGKILL (137)" 137 "$STATUS"
check_true "stop took ${ELAPSED} ms: at least the 1 s grace" test "$ELAPSED" -ge 900
check_true "stop took ${ELAPSED} ms: well under 8 s" test "$ELAPSED" -lt 4000
check_true "the kill is logged" grep -q "SIGKILL" "$WORK/err"

# 1b. A repeated TERM is passed on again but logged once (at info).
start_pid1 --stop-grace 1s -- /bin/sh -c "trap '' TERM; sleep 1000 & wait" 2>"$WORK/err2"
sleep 0.5
kill -TERM "$INIT"; sleep 0.1; kill -TERM "$INIT"; sleep 0.1; kill -TERM "$INIT"
wait_pid1
check_eq "three TERMs, one stop line" 1 "$(grep -c 'received TERM: stopping; sent TERM to process group' "$WORK/err2")"

# 2. A runtime that exits on TERM: fast, status of the runtime.
start_pid1 -- /bin/sh -c "trap 'exit 0' TERM; sleep 1000 & wait" 2>/dev/null
sleep 0.3
stop_pid1
check_eq "runtime exiting on TERM: status 0" 0 "$STATUS"
check_true "and fast (${ELAPSED} ms)" test "$ELAPSED" -lt 1500

# 3. As PID 1: a grandchild that escaped with setsid() and ignores TERM is
# gone after the runtime exits, and claw-init exits within grace + a little.
start_pid1 --stop-grace 1s -- "$CLAW_HELPERS/escape" "$WORK/esc.pid" --stay --ignore-term 2>/dev/null
wait_for_file "$WORK/esc.pid"; sleep 0.2
escaped_host=$(pgrep -P "$(pgrep -P "$INIT" | head -n1)" | head -n1 || true)
stop_pid1
check_eq "pid1: runtime stopped by TERM" 143 "$STATUS"
check_true "pid1: escaped grandchild is gone" bash -c "[[ -z '$escaped_host' ]] || ! kill -0 '$escaped_host' 2>/dev/null"

# 4. Runtime exits by itself leaving a grandchild in its group: the
# grandchild is killed and claw-init returns the runtime's status.
unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" --stop-grace 1s -- /bin/sh -c "sleep 1000 & echo \$! > $WORK/gc.pid; exit 5" 2>/dev/null &
U=$!
t0=$(now_ms)
set +e; wait "$U"; status=$?; set -e
elapsed=$(( $(now_ms) - t0 ))
check_eq "runtime's status after leftovers are cleaned" 5 "$status"
check_true "leftover grandchild cleaned within the grace (${elapsed} ms)" test "$elapsed" -lt 3000

# 5. Not PID 1 (subreaper): a leftover in the group is killed too.
"$CLAW_INIT" --stop-grace 1s -- /bin/sh -c "sleep 1000 & echo \$! > $WORK/sub.pid; exit 6" 2>/dev/null &
INIT=$!
set +e; wait "$INIT"; status=$?; set -e
check_eq "subreaper: runtime's status" 6 "$status"
gc=$(cat "$WORK/sub.pid")
sleep 0.2
check_true "subreaper: leftover sleep $gc is gone" bash -c "! kill -0 $gc 2>/dev/null"

# 6. Subreaper: an escaped (setsid) orphan is reparented and killed too.
"$CLAW_INIT" --stop-grace 1s -- "$CLAW_HELPERS/escape" "$WORK/sub-esc.pid" 2>/dev/null &
INIT=$!
set +e; wait "$INIT"; status=$?; set -e
esc=$(cat "$WORK/sub-esc.pid")
sleep 0.2
check_eq "subreaper: runtime's status with an escaped orphan" 0 "$status"
check_true "subreaper: escaped orphan $esc is gone" bash -c "! kill -0 $esc 2>/dev/null"
finish
