#!/usr/bin/env bash
# Stop and readiness (contract section 7), claw-init as PID 1 with /health on:
# - --stop-delay: from the TERM on, /health and /health/ready answer 503 with
#   state "stopping" while /health/live stays 200 and the runtime still runs;
#   the runtime gets its TERM only after the delay; a second TERM cuts the
#   delay short; the grace counts from the signal.
# - the termination log: one line, the reason of the final exit.
# - NOTIFY_SOCKET: READY=1 once /health passes, STOPPING=1 at the stop, over a
#   real datagram socket; the runtime does not inherit NOTIFY_SOCKET.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/../helpers/health_lib.bash"
require_root
require_tool curl
require_tool python3

port="$(free_port)"
export CLAW_HEALTH_LISTEN="127.0.0.1:${port}"
runtime="$WORK/runtime.sh"
cat >"$runtime" <<'SH'
#!/bin/sh
# Records when TERM arrives (ms) and what NOTIFY_SOCKET it inherited.
echo "notify=${NOTIFY_SOCKET:-unset}" >"$OUT.env"
trap 'date +%s%3N >"$OUT.term"; exit 0' TERM
while :; do sleep 0.02; done
SH
chmod +x "$runtime"

get() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port}$1"; }
body() { curl -s "http://127.0.0.1:${port}$1"; }
wait_healthy() {
  local i
  for i in $(seq 1 100); do [[ "$(get /health)" == 200 ]] && return 0; sleep 0.05; done
  return 1
}

# 1. A 2 s stop delay.
OUT="$WORK/one" start_pid1 --stop-delay 2s --stop-grace 5s --termination-log "$WORK/one.termlog" -- "$runtime" \
  2>"$WORK/one.log"
check_true "1: healthy before the stop" wait_healthy
sent=$(now_ms)
kill -TERM "$INIT"
sleep 0.5
check_eq "1: /health is 503 during the delay" 503 "$(get /health)"
check_eq "1: /health/ready is 503 during the delay" 503 "$(get /health/ready)"
check_eq "1: /health/live stays 200" 200 "$(get /health/live)"
check_true "1: state is stopping" grep -q '"state":"stopping"' <<<"$(body /health)"
check_true "1: the runtime has no TERM yet" test ! -e "$WORK/one.term"
wait_pid1
check_eq "1: exit status of the runtime (0 after its TERM trap)" 0 "$STATUS"
delay=$(($(cat "$WORK/one.term") - sent))
echo "# TERM reached the runtime ${delay} ms after claw-init got it"
check_true "1: the TERM came after the 2 s delay (1900-4000 ms)" test "$delay" -ge 1900 -a "$delay" -le 4000
check_true "1: the delay is logged" grep -q "(stop delay)" "$WORK/one.log"
check_eq "1: the termination log is one line" 1 "$(wc -l <"$WORK/one.termlog")"
check_true "1: the termination log says why" grep -q "runtime.sh exited with status 0 after .*; stopped by TERM" "$WORK/one.termlog"
check_eq "1: the runtime did not inherit NOTIFY_SOCKET (none set)" "notify=unset" "$(cat "$WORK/one.env")"

# 2. A second TERM cuts a 60 s delay short.
OUT="$WORK/two" start_pid1 --stop-delay 60s --termination-log off -- "$runtime" 2>"$WORK/two.log"
check_true "2: healthy" wait_healthy
sent=$(now_ms)
kill -TERM "$INIT"
sleep 0.3
kill -TERM "$INIT"
wait_pid1
took=$(($(now_ms) - sent))
check_eq "2: clean exit" 0 "$STATUS"
check_true "2: a second TERM ended the delay (< 5 s, took ${took} ms)" test "$took" -lt 5000
check_true "2: the cut is logged" grep -q "stop delay cut short" "$WORK/two.log"

# 3. sd_notify over a real datagram socket (path, then abstract).
for kind in path abstract; do
  if [[ $kind == path ]]; then sock="$WORK/notify.sock"; else sock="@claw-init-test-$$"; fi
  python3 - "$sock" >"$WORK/notify.$kind" <<'PY' &
import socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + name[1:] if name.startswith("@") else name)
s.settimeout(20)
print("bound", flush=True)
try:
    while True:
        msg = s.recv(4096).decode()
        print(msg.replace("\n", "|"), flush=True)
        if "STOPPING=1" in msg:
            break
except socket.timeout:
    pass
PY
  listener=$!
  for _ in $(seq 1 100); do grep -q bound "$WORK/notify.$kind" 2>/dev/null && break; sleep 0.05; done
  OUT="$WORK/three" NOTIFY_SOCKET="$sock" start_pid1 --termination-log off -- "$runtime" 2>"$WORK/three.log"
  check_true "3 $kind: healthy" wait_healthy
  for _ in $(seq 1 100); do grep -q READY=1 "$WORK/notify.$kind" && break; sleep 0.05; done
  check_true "3 $kind: READY=1 once /health passes" grep -q "^READY=1" "$WORK/notify.$kind"
  stop_pid1
  wait "$listener" || true
  check_true "3 $kind: STOPPING=1 at the stop" grep -q "^STOPPING=1" "$WORK/notify.$kind"
  check_eq "3 $kind: READY=1 was sent once" 1 "$(grep -c "^READY=1" "$WORK/notify.$kind")"
  check_eq "3 $kind: the runtime did not inherit NOTIFY_SOCKET" "notify=unset" "$(cat "$WORK/three.env")"
done

# 4. A termination log that cannot be written is a warning, never a changed status.
OUT="$WORK/four" unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" --termination-log /nonexistent-dir/termlog -- sh -c 'exit 3' 2>"$WORK/four.log" &
set +e; wait $!; status=$?; set -e
check_eq "4: the runtime's status stands" 3 "$status"
check_true "4: a warning names the problem" grep -q "termination log" "$WORK/four.log"

finish
