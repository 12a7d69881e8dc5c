#!/bin/bash
# Upstream checks against real servers: HTTP passing, HTTP 500, TCP refused,
# slow, tcp://, the start grace (warn, then fail), a flip from failing to
# passing, and the cache that keeps a flood of /health off the runtime.
source "${CLAW_SRC:?}/tests/helpers/health_lib.bash"
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
expect_eq "500 upstream: /health" "$(http GET "$BASE/health")" 503
expect_eq "status" "$(json 'j["status"]')" fail
expect_eq "state" "$(json 'j["state"]')" running
expect_eq "upstream" "$(json 'j["checks"]["upstream"]["status"]')" fail
expect_eq "output" "$(json 'j["checks"]["upstream"]["output"]')" "HTTP 500"
expect_eq "/health/ready" "$(http GET "$BASE/health/ready")" 503
expect_eq "/health/live" "$(http GET "$BASE/health/live")" 200
http GET "$BASE/metrics" >/dev/null
grep -q '^claw_upstream_up 0$' "$WORK/body" || fail "claw_upstream_up should be 0"
grep -q '^claw_runtime_up 1$' "$WORK/body" || fail "claw_runtime_up should be 1"
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") && fail "claw-init health said healthy"
expect_eq "claw-init health" "$out" "unhealthy: running, upstream fail (HTTP 500)"
stop_claw
ok "HTTP 500 upstream"

# Nothing listening: connection refused, for http:// and tcp://.
DEAD=$(free_port)
run_with_upstream "http://127.0.0.1:$DEAD/readyz"
expect_eq "refused: /health" "$(http GET "$BASE/health")" 503
expect_eq "output" "$(json 'j["checks"]["upstream"]["output"]')" "connection refused"
stop_claw
run_with_upstream "tcp://127.0.0.1:$DEAD"
expect_eq "tcp refused: /health" "$(http GET "$BASE/health")" 503
expect_eq "target" "$(json 'j["checks"]["upstream"]["target"]')" "tcp://127.0.0.1:$DEAD"
expect_eq "output" "$(json 'j["checks"]["upstream"]["output"]')" "connection refused"
stop_claw
ok "refused upstream"

# tcp:// passes on a bare connect.
start_upstream tcp
run_with_upstream "tcp://127.0.0.1:$UP_PORT"
expect_eq "tcp upstream: /health" "$(http GET "$BASE/health")" 200
expect_eq "upstream" "$(json 'j["checks"]["upstream"]["status"]')" pass
stop_claw
ok "tcp upstream"

# Slow (answers after 3 s): fails at the 1 s read timeout, and /health does
# not hang with it.
start_upstream slow
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz"
start=$(date +%s%N)
expect_eq "slow upstream: /health" "$(http GET "$BASE/health")" 503
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "output" "$(json 'j["checks"]["upstream"]["output"]')" "no response within 1s"
[ "$took" -lt 2500 ] || fail "/health took ${took}ms with a slow upstream"
expect_eq "latency_ms about 1000" "$(json '900 <= j["checks"]["upstream"]["latency_ms"] < 2000')" True
stop_claw
ok "slow upstream (answered in ${took}ms)"

# Start grace: a failing upstream is warn (503) within the grace after the
# run started, fail after it; a flip to 200 passes within 2 s.
echo 500 >"$WORK/status"
start_upstream file --status-file "$WORK/status"
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz" --health-start-grace 3s
expect_eq "in grace: /health" "$(http GET "$BASE/health")" 503
expect_eq "in grace: status" "$(json 'j["status"]')" warn
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") && fail "claw-init health said healthy in warn"
expect_eq "claw-init health in grace" "$out" "unhealthy: running, upstream fail (HTTP 500), within the start grace"
sleep 3.2
expect_eq "after grace: /health" "$(http GET "$BASE/health")" 503
expect_eq "after grace: status" "$(json 'j["status"]')" fail
echo 200 >"$WORK/status"
passed=""
for i in $(seq 30); do
  if [ "$(http GET "$BASE/health")" = 200 ]; then passed=$i; break; fi
  sleep 0.1
done
[ -n "$passed" ] || fail "/health did not pass within 3 s of the upstream passing"
expect_eq "status" "$(json 'j["status"]')" pass
stop_claw
ok "start grace: warn, then fail, then pass after the flip"

# The cache: 1,000 /health requests in a burst make at most a few checks.
start_upstream ok --log "$WORK/checks.log"
run_with_upstream "http://127.0.0.1:$UP_PORT/readyz"
start=$(date +%s%N)
python3 - "$PORT" <<'PY' || fail "burst"
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
[ "$checks" -le "$max" ] || fail "$checks upstream checks for 1000 requests in ${took}ms (at most $max)"
stop_claw
ok "1000 requests in ${took}ms made $checks upstream checks"
