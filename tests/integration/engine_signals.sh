#!/usr/bin/env bash
# Signal forwarding: every catchable signal (fault signals sent with kill
# included) reaches the runtime; the whole process group gets it by default,
# the child alone with --single-child; --rewrite changes or drops signals;
# TERM stops with the stop signal.
source "$(dirname "$0")/lib/common.bash"
require_root
REC="$CLAW_HELPERS/sigrecord"

# start_recorder OUT [claw-init options...]: starts claw-init as PID 1
# running the recorder (with a forked second recorder in its group); sets
# UNSHARE_PID, INIT (start_pid1).
start_recorder() {
  local out="$1"; shift
  start_pid1 "$@" -- "$REC" --fork "$out" >/dev/null 2>"$WORK/stderr"
  wait_for_file "$out.ready" && wait_for_file "$out.child.ready" || { fail "recorder did not start"; cat "$WORK/stderr"; }
}

received() { grep -qx "$2" "$1" 2>/dev/null; }

# 1. Every forwardable signal, to the group.
out="$WORK/all"
start_recorder "$out"
sigs=()
for s in $(seq 1 64); do
  case $s in 9|19|17|15|2|32|33) continue ;; esac  # KILL STOP CHLD TERM INT glibc-internal
  sigs+=("$s")
done
for s in "${sigs[@]}"; do kill -s "$s" "$INIT"; sleep 0.005; done
sleep 0.5
missing="" ; missing_child=""
for s in "${sigs[@]}"; do
  received "$out" "$s" || missing+=" $s"
  received "$out.child" "$s" || missing_child+=" $s"
done
check_eq "every catchable signal reaches the runtime" "" "$missing"
check_eq "every catchable signal reaches the runtime's process group" "" "$missing_child"
stop_pid1
check_eq "TERM stops: the recorder exits 0 on TERM" 0 "$STATUS"
check_true "TERM reached the runtime" received "$out" 15

# 2. --single-child: the group member does not get forwarded signals.
out="$WORK/single"
start_recorder "$out" --single-child
kill -USR1 "$INIT"; kill -HUP "$INIT"; sleep 0.3
check_true "single-child: child gets USR1" received "$out" 10
check_true "single-child: group member does not get USR1" bash -c "! grep -qx 10 '$out.child'"
stop_pid1

# 3. --rewrite USR1:USR2 and HUP:0 (dropped), TERM:INT (still a stop).
out="$WORK/rewrite"
start_recorder "$out" -r USR1:USR2 -r HUP:0 -r TERM:INT
kill -USR1 "$INIT"; kill -HUP "$INIT"; sleep 0.3
check_true "rewrite: USR1 arrives as USR2" received "$out" 12
check_true "rewrite: USR1 itself does not arrive" bash -c "! grep -qx 10 '$out'"
check_true "drop: HUP does not arrive" bash -c "! grep -qx 1 '$out'"
kill -TERM "$INIT"
sleep 0.3
check_true "TERM rewritten to INT reaches the runtime" received "$out" 2
# The recorder exits only on TERM; INT keeps it alive, so the grace ends it.
timeout 20 tail --pid="$UNSHARE_PID" -f /dev/null || true
wait_pid1
check_eq "a stop rewritten to INT still stops (SIGKILL after the grace)" 137 "$STATUS"

# 4. --rewrite TERM:0: TERM is dropped and is no stop.
out="$WORK/noterm"
start_recorder "$out" -r TERM:0 --stop-grace 1s
kill -TERM "$INIT"; sleep 0.5
check_true "TERM:0: claw-init keeps running" kill -0 "$INIT"
check_true "TERM:0: the runtime did not get TERM" bash -c "! grep -qx 15 '$out'"
kill -INT "$INIT"
wait_pid1
check_true "INT still stops" received "$out" 2

# 5. --stop-signal QUIT: TERM goes on as QUIT.
out="$WORK/stopsig"
start_recorder "$out" --stop-signal QUIT --stop-grace 1s
kill -TERM "$INIT"
wait_pid1
check_true "stop signal QUIT is sent on TERM" received "$out" 3
check_true "TERM itself is not sent" bash -c "! grep -qx 15 '$out'"

# 6. Not PID 1: the same forwarding as a subreaper.
out="$WORK/sub"
"$CLAW_INIT" -- "$REC" --fork "$out" >/dev/null 2>&1 &
INIT=$!
wait_for_file "$out.ready"; wait_for_file "$out.child.ready"
kill -USR2 "$INIT"; kill -WINCH "$INIT"; sleep 0.3
check_true "subreaper: USR2 reaches the child" received "$out" 12
check_true "subreaper: WINCH reaches the group" received "$out.child" 28
kill -TERM "$INIT"
set +e; wait "$INIT"; STATUS=$?; set -e
check_eq "subreaper: TERM stop gives the runtime's status" 0 "$STATUS"
finish
