#!/bin/bash
# The health server under abuse and misconfiguration: 200 idle connections
# and a client sending one byte a second must not keep a normal /health from
# answering within 1 s, and both are cut off by the server's deadlines; a
# taken port leaves supervision intact; health off; IPv6.
source "$(dirname "$0")/../helpers/health_lib.bash"
skip_unless_wired

PORT=$(free_port)
start_claw --health-listen "127.0.0.1:$PORT" -- sleep 1000
wait_health "$PORT"
wait_state "$PORT" running
check_true "idle connections and slow client" python3 - "$PORT" <<'PY'
import http.client, socket, sys, threading, time
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(200)]
# Half of them also start a request and never finish it.
for s in idle[:100]:
    s.sendall(b"GET /hea")
slow_closed_after = []
def slowloris():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    start = time.time()
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"
    try:
        for byte in request:
            s.sendall(bytes([byte]))
            time.sleep(1)
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    break
            except BlockingIOError:
                pass
            finally:
                s.setblocking(True)
    except OSError:
        pass
    slow_closed_after.append(time.time() - start)
t = threading.Thread(target=slowloris, daemon=True)
t.start()
time.sleep(1.5)
worst = 0
for i in range(10):
    start = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    c.request("GET", "/health")
    r = c.getresponse()
    r.read()
    took = time.time() - start
    worst = max(worst, took)
    assert r.status == 200, r.status
    assert took < 1.0, "a /health took %.3fs" % took
    time.sleep(0.2)
print("ok: 10 /health answered with 200 idle connections and a slow client open; worst %.1f ms" % (worst * 1000))
# The server closes idle connections after 5 s and the trickling request 5 s
# after its first byte.
time.sleep(5)
closed = 0
for s in idle:
    s.settimeout(2)
    try:
        if s.recv(1) == b"":
            closed += 1
    except OSError:
        closed += 1
assert closed == 200, "%d of 200 idle connections closed" % closed
t.join(timeout=5)
assert slow_closed_after and slow_closed_after[0] < 8, slow_closed_after
print("ok: the server closed all 200 idle connections and the slow client (after %.1f s)" % slow_closed_after[0])
PY
stop_claw

# A taken port: claw-init warns, supervises anyway, and passes the exit code on.
PORT=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(60)' "$PORT" &
BG_PIDS+=("$!")
wait_listening "$PORT"
CLAW_STATUS=0
"$CLAW_INIT" --health-listen "127.0.0.1:$PORT" -- sh -c 'sleep 0.2; exit 7' 2>"$WORK/taken.log" || CLAW_STATUS=$?
check_eq "exit status with the health port taken" 7 "$CLAW_STATUS"
if grep -q "cannot listen on 127.0.0.1:$PORT (bind: Address already in use); /health is off, supervision goes on" \
  "$WORK/taken.log"; then
  pass "taken port: the warning is logged"
else
  fail "no warning about the taken port: $(cat "$WORK/taken.log")"
fi
pass "taken port: warned, runtime supervised, exit status 7 passed on"

# Health off: nothing listens, supervision as usual, and the client says why.
CLAW_STATUS=0
CLAW_HEALTH_LISTEN=off "$CLAW_INIT" -- sh -c 'exit 5' 2>"$WORK/off.log" || CLAW_STATUS=$?
check_eq "exit status with health off" 5 "$CLAW_STATUS"
if grep -q "listening" "$WORK/off.log"; then
  fail "health off still listened: $(cat "$WORK/off.log")"
else
  pass "health off: nothing listened"
fi
code=0
out=$(CLAW_HEALTH_LISTEN=off "$CLAW_INIT" health) || code=$?
check_true "claw-init health fails with health off (exit $code)" test "$code" -ne 0
case "$out" in
  "unhealthy: the health server is off"*) pass "claw-init health with health off says why" ;;
  *) fail "claw-init health with health off said: $out" ;;
esac
pass "health off"

# IPv6 literals, and wildcards asked on loopback by the client.
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  PORT=$(free_port)
  start_claw --health-listen "[::1]:$PORT" -- sleep 1000
  for i in $(seq 100); do curl -sg -o /dev/null "http://[::1]:$PORT/health/live" && break; sleep 0.05; done
  check_eq "GET [::1]/health/live" 200 "$(http GET "http://[::1]:$PORT/health/live")"
  out=$("$CLAW_INIT" health --health-listen "[::1]:$PORT" --timeout 2s) || true
  case "$out" in
    "healthy: running"* | "unhealthy: starting"*) pass "claw-init health on [::1]" ;;
    *) fail "health on [::1]: $out" ;;
  esac
  stop_claw
  PORT=$(free_port)
  start_claw --health-listen "[::]:$PORT" -- sleep 1000
  for i in $(seq 100); do curl -sg -o /dev/null "http://[::1]:$PORT/health/live" && break; sleep 0.05; done
  check_eq "[::] answers on IPv4 too" 200 "$(http GET "http://127.0.0.1:$PORT/health/live")"
  if "$CLAW_INIT" health --health-listen "[::]:$PORT" >/dev/null; then
    pass "claw-init health on [::]"
  else
    fail "claw-init health on [::]"
  fi
  stop_claw
  pass "IPv6 [::1] and [::]"
else
  echo "note: no IPv6 loopback here; IPv6 checks skipped"
fi
PORT=$(free_port)
start_claw --health-listen "0.0.0.0:$PORT" -- sleep 1000
wait_health "$PORT"
wait_state "$PORT" running
code=0
out=$("$CLAW_INIT" health --health-listen "0.0.0.0:$PORT") || code=$?
check_eq "claw-init health on 0.0.0.0: exit code" 0 "$code"
check_eq "health on 0.0.0.0" "healthy: running" "$out"
stop_claw
pass "0.0.0.0 asked on 127.0.0.1"

finish
