#!/bin/bash
# Every health endpoint and status code, HEAD, 405, 404, the JSON fields and
# their types, the Prometheus text, and no secret or environment value in
# any response or log line.
source "${CLAW_SRC:?}/tests/helpers/health_lib.bash"
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
expect_eq "GET /health" "$(http GET "$BASE/health")" 200
grep -qi '^Content-Type: application/health+json' "$WORK/headers" || fail "Content-Type of /health"
expect_eq status "$(json 'j["status"]')" pass
expect_eq runtime "$(json 'j["runtime"]')" sleep
expect_eq "version (no stamp)" "$(json 'j["version"]')" None
expect_eq "claw_init is a string" "$(json 'type(j["claw_init"]).__name__')" str
expect_eq state "$(json 'j["state"]')" running
expect_eq "pid is an int" "$(json 'type(j["pid"]).__name__')" int
expect_eq "pid is the runtime" "$(json 'j["pid"]')" "$(pgrep -P "$CLAW_PID" -x sleep)"
expect_eq "uptime_s is a number" "$(json 'type(j["uptime_s"]).__name__ in ("int","float")')" True
expect_eq "restarts" "$(json 'j["restarts"]')" 0
expect_eq "last_exit" "$(json 'j["last_exit"]')" None
expect_eq "upstream status" "$(json 'j["checks"]["upstream"]["status"]')" pass
expect_eq "upstream target hides the query" "$(json 'j["checks"]["upstream"]["target"]')" \
  "http://127.0.0.1:$UP_PORT/readyz"
expect_eq "latency_ms is a number" "$(json 'type(j["checks"]["upstream"]["latency_ms"]).__name__ in ("int","float")')" True
expect_eq "fields" "$(json '",".join(j)')" "status,runtime,version,claw_init,state,pid,uptime_s,restarts,last_exit,checks"
grep -q "GET /readyz?token=$SECRET HTTP/1.1" "$WORK/upstream.log" || fail "the upstream was not asked with its query"
ok "/health fields and types"

expect_eq "GET /health/ready" "$(http GET "$BASE/health/ready")" 200
expect_eq "ready status" "$(json 'j["status"]')" pass
expect_eq "GET /health/live" "$(http GET "$BASE/health/live")" 200
expect_eq "live status" "$(json 'j["status"]')" pass
ok "/health/ready and /health/live"

# /metrics: Prometheus text with HELP and TYPE for every family.
expect_eq "GET /metrics" "$(http GET "$BASE/metrics")" 200
grep -qi '^Content-Type: text/plain; version=0.0.4' "$WORK/headers" || fail "Content-Type of /metrics"
for family in claw_runtime_up:gauge claw_runtime_restarts_total:counter claw_runtime_uptime_seconds:gauge \
  claw_upstream_up:gauge claw_info:gauge; do
  name=${family%%:*}
  grep -q "^# HELP $name " "$WORK/body" || fail "no HELP for $name"
  grep -q "^# TYPE $name ${family#*:}\$" "$WORK/body" || fail "no TYPE for $name"
done
grep -q '^claw_runtime_up 1$' "$WORK/body" || fail "claw_runtime_up"
grep -q '^claw_runtime_restarts_total 0$' "$WORK/body" || fail "claw_runtime_restarts_total"
grep -Eq '^claw_runtime_uptime_seconds [0-9.]+$' "$WORK/body" || fail "claw_runtime_uptime_seconds"
grep -q '^claw_upstream_up 1$' "$WORK/body" || fail "claw_upstream_up"
grep -Eq '^claw_info\{runtime="sleep",version="",claw_init="[^"]+"\} 1$' "$WORK/body" || fail "claw_info"
ok "/metrics"

# HEAD: the GET's status and headers, no body (read on a raw socket until
# the server closes, so a body could not hide).
for path in /health /health/live /health/ready /metrics; do
  python3 - "$PORT" "$path" >>"$RESPONSES" <<'PY' || fail "HEAD $path"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(("HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2]).encode())
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
text = data.decode()
print(text)
head, sep, rest = text.partition("\r\n\r\n")
assert head.startswith("HTTP/1.1 200 "), head
assert sep and rest == "", "a body after the headers: %r" % rest
assert any(l.lower().startswith("content-length: ") and int(l.split(":")[1]) > 0 for l in head.split("\r\n")), head
PY
done
ok "HEAD"

# Other methods: 405 with Allow; unknown paths: 404 whatever the method.
for method in POST PUT DELETE PATCH OPTIONS; do
  for path in /health /health/live /health/ready /metrics; do
    expect_eq "$method $path" "$(http "$method" "$BASE$path")" 405
    grep -qi '^Allow: GET, HEAD' "$WORK/headers" || fail "$method $path: no Allow header"
  done
done
for path in / /healthz /health/ /health/livez /metrics/x /HEALTH; do
  expect_eq "GET $path" "$(http GET "$BASE$path")" 404
done
expect_eq "POST /nope" "$(http POST "$BASE/nope")" 404
ok "405 and 404"

# The subcommand, against the same server.
out=$("$CLAW_INIT" health --health-listen "127.0.0.1:$PORT") || fail "claw-init health exited $? ($out)"
expect_eq "claw-init health" "$out" "healthy: running, upstream pass"
echo "$out" >>"$RESPONSES"
ok "claw-init health"

stop_claw
expect_eq "claw-init exit status after TERM" "$CLAW_STATUS" 143

# No secret, in any response or log line.
if grep -q "$SECRET" "$RESPONSES" "$WORK/claw.log"; then
  fail "a secret value leaked: $(grep -l "$SECRET" "$RESPONSES" "$WORK/claw.log")"
fi
ok "no secret in $(wc -l <"$RESPONSES") response lines or the log"
