#!/usr/bin/env bash
# Restart policies and backoff: counts, gaps (doubling, +-20% jitter),
# give-up status, and a stop during backoff exits without another start.
source "$(dirname "$0")/lib/common.bash"
require_root

# 1. on-failure, 3 restarts max: 4 runs, gaps ~200/400/800 ms, status 7.
log="$WORK/runs"
set +e
"$CLAW_INIT" --restart on-failure --backoff-initial 200ms --backoff-max 10s --max-restarts 3 \
  -- /bin/sh -c "date +%s%3N >> $log; exit 7" 2>"$WORK/err"
status=$?
set -e
check_eq "gives up with the last run's status" 7 "$status"
check_eq "max-restarts 3 means 4 runs" 4 "$(wc -l < "$log")"
mapfile -t t < "$log"
for i in 1 2 3; do
  gap=$(( t[i] - t[i-1] ))
  want=$(( 200 * (1 << (i - 1)) ))
  lo=$(( want * 8 / 10 - 20 )); hi=$(( want * 12 / 10 + 300 ))
  check_true "gap $i is ${gap} ms, expected ${want} ms +-20%" test "$gap" -ge "$lo" -a "$gap" -le "$hi"
done
check_true "giving up is logged" grep -q "giving up" "$WORK/err"

# 2. on-failure does not restart a clean exit.
: > "$log"
"$CLAW_INIT" --restart on-failure --backoff-initial 100ms -- /bin/sh -c "echo x >> $log; exit 0" 2>/dev/null
check_eq "on-failure: a clean exit is final" 1 "$(wc -l < "$log")"

# 3. always restarts clean exits; the backoff caps at --backoff-max.
: > "$log"
set +e
timeout 10 "$CLAW_INIT" --restart always --backoff-initial 100ms --backoff-max 100ms --max-restarts 2 \
  -- /bin/sh -c "date +%s%3N >> $log; n=\$(wc -l < $log); [ \$n -ge 4 ] && exit 9; exit 0" 2>/dev/null
status=$?
set -e
# runs 1-3 exit 0 (restarted), run 4 exits 9, 5 and 6 fail too: gives up after 3 failures in a row.
check_eq "always: restarts clean exits until 3 failures in a row" 6 "$(wc -l < "$log")"
check_eq "always: status of the last run" 9 "$status"

# 4. never (default): one run.
: > "$log"
set +e; "$CLAW_INIT" -- /bin/sh -c "echo x >> $log; exit 3" 2>/dev/null; status=$?; set -e
check_eq "never: one run" 1 "$(wc -l < "$log")"
check_eq "never: its status" 3 "$status"

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
: > "$log"
set +e
"$CLAW_INIT" --restart on-failure --backoff-initial 50ms --backoff-reset 300ms --max-restarts 1 \
  -- /bin/sh -c "echo x >> $log; n=\$(wc -l < $log); [ \$n -eq 2 ] && sleep 0.5; exit 1" 2>/dev/null
status=$?
set -e
# run1 fails fast (1 in a row), run2 long (reset -> 1 in a row), run3 fast (2 in a row: give up)
check_eq "a long run resets the failure count" 3 "$(wc -l < "$log")"
check_eq "status after reset and give-up" 1 "$status"

# 7. As PID 1 too: restart and give up.
: > "$log"
set +e
as_pid1 --restart on-failure --backoff-initial 50ms --max-restarts 2 -- /bin/sh -c "echo x >> $log; exit 2" 2>/dev/null
status=$?
set -e
check_eq "pid1: 3 runs" 3 "$(wc -l < "$log")"
check_eq "pid1: give-up status" 2 "$status"
finish
