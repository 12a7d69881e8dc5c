#!/usr/bin/env bash
# Why the runtime died (contract section 7), with a real OOM kill: claw-init
# as PID 1 in a memory cgroup limited to 64 MiB (tests/integration/lib/
# oom_cgroup.bash), a runtime that touches 512 MiB.
# - the log line says the OOM killer did it, with the limit and the peak;
# - /health has "last_exit_reason":"oom" and "oom_kills":1 and /metrics
#   claw_runtime_oom_kills_total 1 while the restarted runtime runs;
# - the termination log says so; a SIGKILL of claw-init's own stop grace is
#   "signal", not "oom".
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/oom_cgroup.bash"
source "$(dirname "$0")/../helpers/health_lib.bash"
require_root
require_tool curl
oom_cgroup_make 64

port="$(free_port)"
runtime="$WORK/runtime.sh"
cat >"$runtime" <<SH
#!/bin/sh
# The first run is OOM-killed; the second runs 4 s and exits 0.
if [ ! -e "$WORK/ran" ]; then : >"$WORK/ran"; exec "$CLAW_HELPERS/memhog" 512; fi
sleep 4
SH
chmod +x "$runtime"

# 1. OOM kill, restart, the reason on /health.
CLAW_HEALTH_LISTEN="127.0.0.1:${port}" oom_cgroup_run as_pid1 --restart on-failure --backoff-initial 100ms \
  --termination-log "$WORK/one.termlog" -- "$runtime" >/dev/null 2>"$WORK/one.log" &
runner=$!
body=""
for _ in $(seq 1 100); do
  body="$(curl -s "http://127.0.0.1:${port}/health" || true)"
  grep -q '"restarts":1' <<<"$body" && grep -q '"state":"running"' <<<"$body" && break
  sleep 0.05
done
echo "# /health: $body"
check_true "1: /health names the OOM kill" grep -q '"last_exit":137,"last_exit_reason":"oom","oom_kills":1' <<<"$body"
check_true "1: /metrics counts it" grep -qx "claw_runtime_oom_kills_total 1" <<<"$(curl -s "http://127.0.0.1:${port}/metrics")"
set +e; wait "$runner"; status=$?; set -e
check_eq "1: the restarted run exited 0" 0 "$status"
check_true "1: the log line names the OOM killer, the limit and the peak" \
  grep -qE "runtime.sh killed by signal KILL \(status 137\), killed by the kernel's OOM killer \(memory limit 64 MiB, peak [0-9.]+ MiB\)" "$WORK/one.log"
grep "OOM" "$WORK/one.log" | sed 's/^/# /'

# 2. No restart: the termination log carries the reason.
rm -f "$WORK/ran"
set +e
oom_cgroup_run as_pid1 --termination-log "$WORK/two.termlog" -- "$runtime" >/dev/null 2>"$WORK/two.log"
status=$?
set -e
check_eq "2: claw-init exits with the runtime's 137" 137 "$status"
check_true "2: the termination log says OOM" grep -q "killed by the kernel's OOM killer (memory limit 64 MiB" "$WORK/two.termlog"
echo "# termination log: $(cat "$WORK/two.termlog")"

# 3. A SIGKILL at the end of the stop grace is not an OOM kill.
set +e
CLAW_HEALTH_LISTEN="127.0.0.1:${port}" oom_cgroup_run as_pid1 --stop-grace 300ms --restart always --backoff-initial 2s \
  -- sh -c 'trap "" TERM; sleep 1; kill -TERM 1; sleep 100' >/dev/null 2>"$WORK/three.log"
status=$?
set -e
check_eq "3: killed at the end of the grace" 137 "$status"
check_true "3: no OOM named" test "$(grep -c "OOM killer" "$WORK/three.log")" = 0

finish
