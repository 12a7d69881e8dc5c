#!/bin/bash
# Load on /health while claw-init supervises a runtime: claw-init's peak RSS
# stays under 8 MiB under `wrk -c 50 -d 10s` (flat out), and at 5,000 req/s
# the p99 latency stays under 2 ms. Latency depends on what else the machine
# runs: the p99 bound is enforced when the 1-minute load average is below
# half the CPU count (or CLAW_BENCH_STRICT=1), otherwise reported only.
source "$(dirname "$0")/../helpers/health_lib.bash"
skip_unless_wired
if grep -qs "CLAW_SANITIZE:BOOL=ON" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt"; then
  # ASan's shadow memory makes the RSS bound meaningless and its slowdown the
  # latency bound; the release run measures both. The server's behaviour
  # under load is exercised in the sanitizer run by reliability_health.sh.
  skip "load and memory figures are measured on the release build, not under ASan"
fi
require_tool wrk

# Each connection pauses between requests: 50 connections x (9 ms + the
# reply) is about 5,000 req/s.
cat >"$WORK/rate.lua" <<'EOF'
function delay() return 9 end
EOF

PORT=$(free_port)
start_claw --health-listen "127.0.0.1:$PORT" -- sleep 1000
wait_health "$PORT"
wait_state "$PORT" running

wrk -t2 -c50 -d10s --latency "http://127.0.0.1:$PORT/health" >"$WORK/flat.txt"
hwm_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$CLAW_PID/status")
flat_rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/flat.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/flat.txt")
if [ -z "$non2xx" ]; then pass "flat out: only 2xx replies"; else fail "wrk saw $non2xx non-2xx replies: $(cat "$WORK/flat.txt")"; fi
check_true "claw-init peak RSS ${hwm_kib} KiB under wrk -c 50 (limit 8192 KiB)" test "$hwm_kib" -lt 8192
pass "flat out: ${flat_rps} req/s, claw-init peak RSS ${hwm_kib} KiB"

load_before=$(cut -d' ' -f1 /proc/loadavg)
wrk -t2 -c50 -d10s --latency -s "$WORK/rate.lua" "http://127.0.0.1:$PORT/health" >"$WORK/rate.txt"
rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/rate.txt")
p99=$(awk '$1 == "99%" {print $2}' "$WORK/rate.txt")
p50=$(awk '$1 == "50%" {print $2}' "$WORK/rate.txt")
# wrk prints 1.23ms, 456.00us or 1.02s.
p99_us=$(python3 -c 'import sys; v=sys.argv[1]
for unit, f in (("us", 1), ("ms", 1000), ("s", 1000000)):
    if v.endswith(unit): print(int(float(v[:-len(unit)]) * f)); break' "$p99")
load=$(cut -d' ' -f1 /proc/loadavg)
cpus=$(nproc)
hwm_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$CLAW_PID/status")
echo "at ${rps} req/s: p50 ${p50}, p99 ${p99}; load average ${load_before} -> ${load} on ${cpus} CPUs; peak RSS ${hwm_kib} KiB"
check_true "the paced run reaches 4,500 req/s (${rps} req/s)" \
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 4500 else 1)' "$rps"
quiet=$(python3 -c 'import sys; print(int(max(float(sys.argv[1]), float(sys.argv[2])) < int(sys.argv[3]) / 2))' \
  "$load_before" "$load" "$cpus")
if [ "$quiet" = 1 ] || [ "${CLAW_BENCH_STRICT:-0}" = 1 ]; then
  if [ "$p99_us" -lt 2000 ]; then pass "p99 ${p99} at ${rps} req/s"; else fail "p99 ${p99} at ${rps} req/s (limit 2 ms)"; fi
else
  echo "NOTE: the machine is busy (load ${load} on ${cpus} CPUs): p99 ${p99} reported, not enforced"
fi
stop_claw

finish
