#!/usr/bin/env bash
# Restart policies and backoff: counts, gaps (doubling, +-20% jitter),
# give-up status, and a stop during backoff exits without another start.
source "$(dirname "$0")/lib/common.bash"
require_root

# runs CMD...: empties the run log ($log, one line a run of the runtime),
# runs CMD (stderr in $WORK/err); sets STATUS and RUNS (lines in the log).
log="$WORK/runs"
runs() {
  : >"$log"
  STATUS=0
  "$@" 2>"$WORK/err" || STATUS=$?
  RUNS=$(wc -l <"$log")
}

# 1. on-failure, 3 restarts max: 4 runs, gaps ~200/400/800 ms, status 7.
runs "$CLAW_INIT" --restart on-failure --backoff-initial 200ms --backoff-max 10s --max-restarts 3 \
  -- /bin/sh -c "date +%s%3N >> $log; exit 7"
check_eq "gives up with the last run's status" 7 "$STATUS"
check_eq "max-restarts 3 means 4 runs" 4 "$RUNS"
mapfile -t t < "$log"
for i in 1 2 3; do
  gap=$(( t[i] - t[i-1] ))
  want=$(( 200 * (1 << (i - 1)) ))
  lo=$(( want * 8 / 10 - 20 )); hi=$(( want * 12 / 10 + 300 ))
  check_true "gap $i is ${gap} ms, expected ${want} ms +-20%" test "$gap" -ge "$lo" -a "$gap" -le "$hi"
done
check_true "giving up is logged" grep -q "giving up" "$WORK/err"

# 2. on-failure does not restart a clean exit.
runs "$CLAW_INIT" --restart on-failure --backoff-initial 100ms -- /bin/sh -c "echo x >> $log; exit 0"
check_eq "on-failure: a clean exit is final" 1 "$RUNS"
check_eq "on-failure: its status" 0 "$STATUS"

# 3. always restarts clean exits; the backoff caps at --backoff-max.
# Runs 1-3 exit 0 (restarted), run 4 exits 9, 5 and 6 fail too: gives up after 3 failures in a row.
runs timeout 10 "$CLAW_INIT" --restart always --backoff-initial 100ms --backoff-max 100ms --max-restarts 2 \
  -- /bin/sh -c "date +%s%3N >> $log; n=\$(wc -l < $log); [ \$n -ge 4 ] && exit 9; exit 0"
check_eq "always: restarts clean exits until 3 failures in a row" 6 "$RUNS"
check_eq "always: status of the last run" 9 "$STATUS"

# 4. never (default): one run.
runs "$CLAW_INIT" -- /bin/sh -c "echo x >> $log; exit 3"
check_eq "never: one run" 1 "$RUNS"
check_eq "never: its status" 3 "$STATUS"

# 5. A TERM during a long backoff exits at once, without another start.
: > "$log"
"$CLAW_INIT" --restart always --backoff-initial 30s -- /bin/sh -c "echo x >> $log; exit 4" 2>/dev/null &
INIT=$!
sleep 0.7
t0=$(now_ms); kill -TERM "$INIT"
set +e; wait "$INIT"; status=$?; set -e
elapsed=$(( $(now_ms) - t0 ))
check_eq "stop in backoff: no second start" 1 "$(wc -l < "$log")"
check_eq "stop in backoff: last status" 4 "$status"
check_true "stop in backoff is immediate (${elapsed} ms)" test "$elapsed" -lt 1000

# 6. A run longer than --backoff-reset resets the failure count.
# Run 1 fails fast (1 in a row), run 2 long (reset -> 1 in a row), run 3 fast (2 in a row: give up).
runs "$CLAW_INIT" --restart on-failure --backoff-initial 50ms --backoff-reset 300ms --max-restarts 1 \
  -- /bin/sh -c "echo x >> $log; n=\$(wc -l < $log); [ \$n -eq 2 ] && sleep 0.5; exit 1"
check_eq "a long run resets the failure count" 3 "$RUNS"
check_eq "status after reset and give-up" 1 "$STATUS"

# 7. As PID 1 too: restart and give up.
runs as_pid1 --restart on-failure --backoff-initial 50ms --max-restarts 2 -- /bin/sh -c "echo x >> $log; exit 2"
check_eq "pid1: 3 runs" 3 "$RUNS"
check_eq "pid1: give-up status" 2 "$STATUS"
finish
