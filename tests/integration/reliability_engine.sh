#!/usr/bin/env bash
# Faults and abuse of the process engine: a crash loop leaks nothing, signal
# storms lose no stop request, odd runtimes (closed stdout, blocked pipe,
# 10,000 orphans, exit while signals fly) do not upset claw-init, and bad
# argv/env values are clean errors.
source "$(dirname "$0")/lib/common.bash"
require_root

# 1. Crash loop: 51 runs; claw-init's fd count and RSS are sampled by each run.
log="$WORK/crash"
set +e
"$CLAW_INIT" --restart on-failure --backoff-initial 10ms --backoff-max 20ms --max-restarts 50 -- /bin/sh -c \
  "sleep 0.05; echo \$(ls /proc/\$PPID/fd | wc -l) \$(awk '/^VmRSS/ {print \$2}' /proc/\$PPID/status) >> $log; exit 1" 2>/dev/null
status=$?
set -e
check_eq "crash loop: gives up with status 1" 1 "$status"
check_eq "crash loop: 51 runs" 51 "$(wc -l < "$log")"
read -r fd1 rss1 < <(sed -n 2p "$log")
read -r fd50 rss50 < <(sed -n 51p "$log")
check_eq "crash loop: fd count after 1st and 50th restart" "$fd1" "$fd50"
check_true "crash loop: RSS ${rss1} KiB -> ${rss50} KiB (growth < 256 KiB)" test $((rss50 - rss1)) -lt 256

# 2. Signal storm: 1,000 mixed signals within a second, then TERM: exit 0.
out="$WORK/storm"
"$CLAW_INIT" -- "$CLAW_HELPERS/sigrecord" "$out" 2>/dev/null &
INIT=$!
wait_for_file "$out.ready"
python3 - "$INIT" <<'PY'
import os, signal, sys, time
pid = int(sys.argv[1])
kinds = [signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGCONT, signal.SIGALRM,
         signal.SIGRTMIN, signal.SIGRTMIN + 5, signal.SIGQUIT, signal.SIGPIPE]
t0 = time.time()
for i in range(1000):
    os.kill(pid, kinds[i % len(kinds)])
assert time.time() - t0 < 1.0
os.kill(pid, signal.SIGTERM)
PY
set +e; timeout 20 tail --pid="$INIT" -f /dev/null; wait "$INIT"; status=$?; set -e
check_eq "storm: the stop request is not lost; runtime exits 0 on TERM" 0 "$status"
check_true "storm: the runtime received TERM" grep -qx 15 "$out"

# 3. Storm of TERMs and INTs alone: one stop, correct status.
"$CLAW_INIT" --stop-grace 2s -- /bin/sh -c "trap 'exit 3' TERM; sleep 100 & wait" 2>/dev/null &
INIT=$!
sleep 0.3
for i in $(seq 1 200); do kill -TERM "$INIT" 2>/dev/null || true; kill -INT "$INIT" 2>/dev/null || true; done
set +e; wait "$INIT"; status=$?; set -e
check_eq "TERM/INT storm: the runtime's own status" 3 "$status"

# 4. A runtime that closes its stdout, and one blocked on a full pipe:
# claw-init still stops them.
"$CLAW_INIT" --stop-grace 1s -- /bin/sh -c 'exec 1>&-; exec 2>&-; sleep 100' 2>/dev/null &
INIT=$!; sleep 0.3; kill -TERM "$INIT"
set +e; wait "$INIT"; status=$?; set -e
check_eq "closed stdout: stopped by TERM" 143 "$status"
mkfifo "$WORK/fifo"
exec 9<>"$WORK/fifo"  # a reader that never reads: the pipe fills
"$CLAW_INIT" --stop-grace 1s -- /bin/sh -c 'yes > /dev/fd/9' 2>/dev/null &
INIT=$!; sleep 0.5; kill -TERM "$INIT"
set +e; wait "$INIT"; status=$?; set -e
exec 9>&-
check_eq "blocked on a full pipe: stopped by TERM" 143 "$status"

# 5. 10,000 orphans dying at once, as PID 1: all reaped, runtime status kept.
start_pid1 -- "$CLAW_HELPERS/orphans" 10000 200 1500 2>/dev/null
wait_pid1
check_eq "10,000 orphans: runtime status 0 after all are reaped" 0 "$STATUS"

# 6. A runtime exiting while signals are being forwarded.
for i in $(seq 1 20); do
  "$CLAW_INIT" -- /bin/sh -c 'exit 0' 2>/dev/null &
  INIT=$!
  wait_for_exec "$INIT" || true
  for j in 1 2 3 4 5; do kill -USR1 "$INIT" 2>/dev/null || true; kill -HUP "$INIT" 2>/dev/null || true; done
  set +e; wait "$INIT"; status=$?; set -e
  [[ $status -eq 0 || $status -eq 138 || $status -eq 129 ]] || { fail "exit during forwarding: status $status"; break; }
done
pass "runtime exiting during forwarding: 20 runs, no crash"

# 7. argv and env abuse: usage errors (2) or configuration errors (78), never a crash.
for args in "-- " "--stop-grace -1s true" "--stop-grace 1e309 true" "--stop-grace 999999999h true" \
            "--max-restarts 99999999999999999999 true" "--stop-signal SIGNOPE true" "-r FOO:BAR true" \
            "-e 300 true" "--health-listen 1.2.3.4.5:6 true" "--backoff-initial true"; do
  set +e; "$CLAW_INIT" $args >/dev/null 2>"$WORK/err"; status=$?; set -e
  check_eq "usage error for: $args" 2 "$status"
done
set +e; "$CLAW_INIT" "" 2>/dev/null; status=$?; set -e
check_eq "empty command is a usage error" 2 "$status"
set +e; CLAW_STOP_GRACE=1e309 "$CLAW_INIT" true 2>/dev/null; status=$?; set -e
check_eq "bad duration in env is a configuration error" 78 "$status"
set +e; CLAW_MAX_RESTARTS=18446744073709551616 "$CLAW_INIT" true 2>/dev/null; status=$?; set -e
check_eq "overflowing number in env is a configuration error" 78 "$status"
finish
