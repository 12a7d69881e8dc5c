#!/bin/bash
# Upstream checks against real servers: HTTP passing, HTTP 500, TCP refused,
# slow, tcp://, the start grace (warn, then fail), a flip from failing to
# passing, and the cache that keeps a flood of /health off the runtime.
source "$(dirname "$0")/../helpers/health_lib.bash"
skip_unless_wired

# run_with_upstream URL [OPTIONS...]: starts claw-init supervising sleep with
# that upstream; sets PORT and BASE.
run_with_upstream() {
  local url=$1
  shift
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  start_claw --health-listen "127.0.0.1:$PORT" --health-upstream "$url" "$@" -- sleep 1000
  wait_health "$PORT"
  wait_state "$PORT" running
}

# HTTP 500: fail, 503, and the reason.
start_upstream fail
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz"
check_eq "500 upstream: /health" 503 "$(http GET "$BASE/health")"
check_eq "status" fail "$(json 'j["status"]')"
check_eq "state" running "$(json 'j["state"]')"
check_eq "upstream" fail "$(json 'j["checks"]["upstream"]["status"]')"
check_eq "output" "HTTP 500" "$(json 'j["checks"]["upstream"]["output"]')"
check_eq "/health/ready" 503 "$(http GET "$BASE/health/ready")"
check_eq "/health/live" 200 "$(http GET "$BASE/health/live")"
http GET "$BASE/metrics" >/dev/null
check_true "claw_upstream_up 0" grep -q '^claw_upstream_up 0$' "$WORK/body"
check_true "claw_runtime_up 1" grep -q '^claw_runtime_up 1$' "$WORK/body"
code=0
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") || code=$?
check_true "claw-init health: unhealthy (exit $code)" test "$code" -ne 0
check_eq "claw-init health" "unhealthy: running, upstream fail (HTTP 500)" "$out"
stop_claw
pass "HTTP 500 upstream"

# Nothing listening: connection refused, for http:// and tcp://.
DEAD=$(free_port)
run_with_upstream "http://127.0.0.1:$DEAD/readyz"
check_eq "refused: /health" 503 "$(http GET "$BASE/health")"
check_eq "output" "connection refused" "$(json 'j["checks"]["upstream"]["output"]')"
stop_claw
run_with_upstream "tcp://127.0.0.1:$DEAD"
check_eq "tcp refused: /health" 503 "$(http GET "$BASE/health")"
check_eq "target" "tcp://127.0.0.1:$DEAD" "$(json 'j["checks"]["upstream"]["target"]')"
check_eq "output" "connection refused" "$(json 'j["checks"]["upstream"]["output"]')"
stop_claw
pass "refused upstream"

# tcp:// passes on a bare connect.
start_upstream tcp
run_with_upstream "tcp://127.0.0.1:$UP_PORT"
check_eq "tcp upstream: /health" 200 "$(http GET "$BASE/health")"
check_eq "upstream" pass "$(json 'j["checks"]["upstream"]["status"]')"
stop_claw
pass "tcp upstream"

# Slow (answers after 3 s): fails at the 1 s read timeout, and /health does
# not hang with it.
start_upstream slow
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz"
start=$(date +%s%N)
check_eq "slow upstream: /health" 503 "$(http GET "$BASE/health")"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "output" "no response within 1s" "$(json 'j["checks"]["upstream"]["output"]')"
check_true "/health answers within 2.5 s with a slow upstream (took ${took}ms)" test "$took" -lt 2500
check_eq "latency_ms about 1000" True "$(json '900 <= j["checks"]["upstream"]["latency_ms"] < 2000')"
stop_claw
pass "slow upstream (answered in ${took}ms)"

# Start grace: a failing upstream is warn (503) within the grace after the
# run started, fail after it; a flip to 200 passes within 2 s.
echo 500 >"$WORK/status"
start_upstream file --status-file "$WORK/status"
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz" --health-start-grace 3s
check_eq "in grace: /health" 503 "$(http GET "$BASE/health")"
check_eq "in grace: status" warn "$(json 'j["status"]')"
code=0
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") || code=$?
check_true "claw-init health in grace: unhealthy (exit $code)" test "$code" -ne 0
check_eq "claw-init health in grace" "unhealthy: running, upstream fail (HTTP 500), within the start grace" "$out"
sleep 3.2
check_eq "after grace: /health" 503 "$(http GET "$BASE/health")"
check_eq "after grace: status" fail "$(json 'j["status"]')"
echo 200 >"$WORK/status"
passed=""
for i in $(seq 30); do
  if [ "$(http GET "$BASE/health")" = 200 ]; then passed=$i; break; fi
  sleep 0.1
done
check_true "/health passes within 3 s of the upstream passing" test -n "$passed"
check_eq "status" pass "$(json 'j["status"]')"
stop_claw
pass "start grace: warn, then fail, then pass after the flip"

# The cache: 1,000 /health requests in a burst make at most a few checks.
start_upstream ok --log "$WORK/checks.log"
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz"
start=$(date +%s%N)
check_true "burst: 1000 answers, all 200" python3 - "$PORT" <<'PY'
import re, socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
codes = []
for batch in range(10):
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" * 100)
    data = b""
    while data.count(b"HTTP/1.1 ") < 100:
        chunk = s.recv(65536)
        assert chunk, "closed early"
        data += chunk
    codes += re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
    s.close()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
assert len(codes) == 1000 and set(codes) == {b"200"}, set(codes)
PY
took=$(( ($(date +%s%N) - start) / 1000000 ))
checks=$(wc -l <"$WORK/checks.log")
max=$(( took / 1000 + 2 ))
stop_claw
if [ "$checks" -le "$max" ]; then
  pass "1000 requests in ${took}ms made $checks upstream checks"
else
  fail "$checks upstream checks for 1000 requests in ${took}ms (at most $max)"
fi

finish
