#!/usr/bin/env bash
# The runtime's stdout and stderr are its own: bytes pass through unchanged,
# and claw-init's own lines go to stderr only. Descriptors claw-init opens
# do not leak into the runtime. No periodic wake-ups when idle.
source "$(dirname "$0")/lib/common.bash"
require_root

head -c 1000000 /dev/urandom > "$WORK/blob"
"$CLAW_INIT" -- /bin/cat "$WORK/blob" > "$WORK/out" 2>"$WORK/err"
check_eq "stdout passes 1 MB of binary unchanged" "$(sha256sum < "$WORK/blob")" "$(sha256sum < "$WORK/out")"
"$CLAW_INIT" -- /bin/sh -c 'echo to-stderr >&2' > "$WORK/out2" 2>"$WORK/err2"
check_eq "nothing of claw-init on stdout" "" "$(cat "$WORK/out2")"
check_true "runtime's stderr passes" grep -qx "to-stderr" "$WORK/err2"

as_pid1 -- /bin/cat "$WORK/blob" > "$WORK/out3" 2>/dev/null
check_eq "pid1: stdout passes unchanged" "$(sha256sum < "$WORK/blob")" "$(sha256sum < "$WORK/out3")"

# The runtime gets exactly the descriptors claw-init was given (its own
# signalfd and pipes are close-on-exec) and the signal mask it was started
# with (claw-init blocks everything for itself and restores it).
# (ls reads its own table: /proc/self is ls, exec'd directly, no shell.)
plain_fds=$(ls /proc/self/fd | sort -n | tr "\n" " ")
fds=$("$CLAW_INIT" -- ls /proc/self/fd 2>/dev/null | sort -n | tr "\n" " ")
check_eq "runtime inherits the same descriptors as without claw-init" "$plain_fds" "$fds"
# (grep reads its own mask: /proc/self is grep, not a shell that may be
# blocking signals while it waits.)
plain_mask=$(grep SigBlk /proc/self/status | awk '{print $2}')
mask=$("$CLAW_INIT" -- grep SigBlk /proc/self/status 2>/dev/null | awk '{print $2}')
check_eq "runtime's signal mask is the one claw-init was started with" "$plain_mask" "$mask"
mask=$(python3 -c "import signal,os; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv('$CLAW_INIT', ['$CLAW_INIT','--','grep','SigBlk','/proc/self/status'])" 2>/dev/null | awk '{print $2}')
check_eq "started with an empty mask, the runtime's mask is empty" "0000000000000000" "$mask"
mask=$(python3 -c "import signal,os; signal.pthread_sigmask(signal.SIG_SETMASK, [signal.SIGUSR1]); os.execv('$CLAW_INIT', ['$CLAW_INIT','--','grep','SigBlk','/proc/self/status'])" 2>/dev/null | awk '{print $2}')
check_eq "started with USR1 blocked, the runtime has USR1 blocked" "0000000000000200" "$mask"

# Own process group / session (not claw-init's).
read -r pgid sid < <("$CLAW_INIT" -- /bin/sh -c 'ps -o pgid=,sid= -p $$' 2>/dev/null)
self_pgid=$(ps -o pgid= -p $$ | tr -d ' ')
check_true "runtime runs in its own process group ($pgid)" test "$pgid" != "$self_pgid"

# Idle: no context switches of claw-init over 2 s (health off).
"$CLAW_INIT" -- sleep 30 2>/dev/null &
INIT=$!
sleep 0.5
before=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$INIT/status")
sleep 2
after=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$INIT/status")
check_eq "idle: no wake-ups in 2 s" "$before" "$after"
kill -TERM "$INIT"; wait "$INIT" || true

# JSON log lines: one object per line.
"$CLAW_INIT" --log-format json -- true 2>"$WORK/json" || true
check_true "json log lines parse" python3 -c "
import json,sys
lines=[l for l in open('$WORK/json') if l.strip()]
assert lines
for l in lines:
    o=json.loads(l); assert o['level'] and o['msg'] and o['ts']
"
finish
