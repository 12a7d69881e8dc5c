#!/bin/bash
# Every health endpoint and status code, HEAD, 405, 404, the JSON fields and
# their types, the Prometheus text, and no secret or environment value in
# any response or log line.
source "$(dirname "$0")/../helpers/health_lib.bash"
skip_unless_wired

start_upstream ok --log "$WORK/upstream.log"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SECRET="sekrit-$RANDOM-value-$$"
export OPENCLAW_GATEWAY_TOKEN="$SECRET" ANTHROPIC_API_KEY="$SECRET-2"
start_claw --health-listen "127.0.0.1:$PORT" \
  --health-upstream "http://127.0.0.1:$UP_PORT/readyz?token=$SECRET" -- sleep 1000
wait_health "$PORT"
wait_state "$PORT" running

# /health: 200, health+json, the contract's fields with their types.
check_eq "GET /health" 200 "$(http GET "$BASE/health")"
check_true "Content-Type of /health" grep -qi '^Content-Type: application/health+json' "$WORK/headers"
check_eq status pass "$(json 'j["status"]')"
check_eq runtime sleep "$(json 'j["runtime"]')"
check_eq "version (no stamp)" None "$(json 'j["version"]')"
check_eq "claw_init is a string" str "$(json 'type(j["claw_init"]).__name__')"
check_eq state running "$(json 'j["state"]')"
check_eq "pid is an int" int "$(json 'type(j["pid"]).__name__')"
check_eq "pid is the runtime" "$(pgrep -P "$CLAW_PID" -x sleep)" "$(json 'j["pid"]')"
check_eq "uptime_s is a number" True "$(json 'type(j["uptime_s"]).__name__ in ("int","float")')"
check_eq "restarts" 0 "$(json 'j["restarts"]')"
check_eq "last_exit" None "$(json 'j["last_exit"]')"
check_eq "upstream status" pass "$(json 'j["checks"]["upstream"]["status"]')"
check_eq "upstream target hides the query" "http://127.0.0.1:$UP_PORT/readyz" \
  "$(json 'j["checks"]["upstream"]["target"]')"
check_eq "latency_ms is a number" True "$(json 'type(j["checks"]["upstream"]["latency_ms"]).__name__ in ("int","float")')"
check_eq "fields" "status,runtime,version,claw_init,state,pid,uptime_s,restarts,last_exit,last_exit_reason,oom_kills,checks" "$(json '",".join(j)')"
check_true "the upstream is asked with its query" grep -q "GET /readyz?token=$SECRET HTTP/1.1" "$WORK/upstream.log"
pass "/health fields and types"

check_eq "GET /health/ready" 200 "$(http GET "$BASE/health/ready")"
check_eq "ready status" pass "$(json 'j["status"]')"
check_eq "GET /health/live" 200 "$(http GET "$BASE/health/live")"
check_eq "live status" pass "$(json 'j["status"]')"
pass "/health/ready and /health/live"

# /metrics: Prometheus text with HELP and TYPE for every family.
check_eq "GET /metrics" 200 "$(http GET "$BASE/metrics")"
check_true "Content-Type of /metrics" grep -qi '^Content-Type: text/plain; version=0.0.4' "$WORK/headers"
for family in claw_runtime_up:gauge claw_runtime_restarts_total:counter claw_runtime_uptime_seconds:gauge \
  claw_upstream_up:gauge claw_info:gauge; do
  name=${family%%:*}
  check_true "HELP for $name" grep -q "^# HELP $name " "$WORK/body"
  check_true "TYPE $name ${family#*:}" grep -q "^# TYPE $name ${family#*:}\$" "$WORK/body"
done
check_true "claw_runtime_up 1" grep -q '^claw_runtime_up 1$' "$WORK/body"
check_true "claw_runtime_restarts_total 0" grep -q '^claw_runtime_restarts_total 0$' "$WORK/body"
check_true "claw_runtime_uptime_seconds" grep -Eq '^claw_runtime_uptime_seconds [0-9.]+$' "$WORK/body"
check_true "claw_upstream_up 1" grep -q '^claw_upstream_up 1$' "$WORK/body"
check_true "claw_info" grep -Eq '^claw_info\{runtime="sleep",version="",claw_init="[^"]+"\} 1$' "$WORK/body"
pass "/metrics"

# HEAD: the GET's status and headers, no body (read on a raw socket until
# the server closes, so a body could not hide).
for path in /health /health/live /health/ready /metrics; do
  if PYTHONPATH="$CLAW_SRC/tests/helpers" python3 - "$PORT" "$path" >>"$RESPONSES" <<'PY'
import sys
from rawhttp import exchange
request = "HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2]
text = exchange(int(sys.argv[1]), request.encode(), 3).decode()
print(text)
head, sep, rest = text.partition("\r\n\r\n")
assert head.startswith("HTTP/1.1 200 "), head
assert sep and rest == "", "a body after the headers: %r" % rest
assert any(l.lower().startswith("content-length: ") and int(l.split(":")[1]) > 0 for l in head.split("\r\n")), head
PY
  then pass "HEAD $path"; else fail "HEAD $path"; fi
done
pass "HEAD"

# Other methods: 405 with Allow; unknown paths: 404 whatever the method.
for method in POST PUT DELETE PATCH OPTIONS; do
  for path in /health /health/live /health/ready /metrics; do
    check_eq "$method $path" 405 "$(http "$method" "$BASE$path")"
    check_true "$method $path: Allow header" grep -qi '^Allow: GET, HEAD' "$WORK/headers"
  done
done
for path in / /healthz /health/ /health/livez /metrics/x /HEALTH; do
  check_eq "GET $path" 404 "$(http GET "$BASE$path")"
done
check_eq "POST /nope" 404 "$(http POST "$BASE/nope")"
pass "405 and 404"

# The subcommand, against the same server.
code=0
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") || code=$?
check_eq "claw-init health: exit code" 0 "$code"
check_eq "claw-init health" "healthy: running, upstream pass" "$out"
echo "$out" >>"$RESPONSES"
pass "claw-init health"

stop_claw
check_eq "claw-init exit status after TERM" 143 "$CLAW_STATUS"

# No secret, in any response or log line.
if grep -q "$SECRET" "$RESPONSES" "$WORK/claw.log"; then
  fail "a secret value leaked: $(grep -l "$SECRET" "$RESPONSES" "$WORK/claw.log")"
else
  pass "no secret in $(wc -l <"$RESPONSES") response lines or the log"
fi

finish
