#!/bin/bash
# The supervisor's states as /health, /health/live and /metrics show them,
# sampled while a real claw-init runs: running -> backoff -> running ->
# fatal (gave up), stopping (after TERM), stopping again in the clean-up
# after a normal exit (contract section 7: a stop begins when the runtime
# ends with no restart to follow). "starting" lasts microseconds; the unit tests cover it.
source "$(dirname "$0")/../helpers/health_lib.bash"
skip_unless_wired

# sample PORT OUT: polls /health, /health/live and /metrics every 50 ms until
# the server goes away (at most 30 s); one JSON line per distinct sample.
# Runs last a few seconds, so a sampler slow to start on a loaded machine
# still sees the first one.
sample() {
  python3 - "$1" >"$2" <<'PY'
import http.client, json, sys, time
port = int(sys.argv[1])
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.read().decode()
last, end, gone = None, time.time() + 30, 0
while time.time() < end:
    try:
        code, body = get("/health")
        live, _ = get("/health/live")
        _, metrics = get("/metrics")
        gone = 0
    except OSError:
        gone += 1
        if gone >= 10:
            break
        time.sleep(0.05)
        continue
    j = json.loads(body)
    up = [l.split()[1] for l in metrics.splitlines() if l.startswith("claw_runtime_up ")][0]
    s = {"state": j["state"], "code": code, "live": live, "pid": j["pid"], "restarts": j["restarts"],
         "last_exit": j["last_exit"], "status": j["status"], "up": up}
    if s != last:
        print(json.dumps(s), flush=True)
        last = s
    time.sleep(0.05)
PY
}

# check SAMPLES PYTHON-ASSERTIONS: runs assertions over `samples` (a list of
# dicts) and `states` (the distinct states in order, repeats collapsed).
check() {
  if python3 - "$1" "$2" <<'PY'
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
states = []
for s in samples:
    if not states or states[-1] != s["state"]:
        states.append(s["state"])
exec(sys.argv[2])
PY
  then pass "state samples in $(basename "$1")"; else fail "state samples: $(cat "$1")"; fi
}

# sample_until_exit OUT ARGS...: claw-init with its health server on a free
# port (PORT) and ARGS, sampled into OUT until it exits on its own; sets
# CLAW_STATUS.
sample_until_exit() {
  local out="$1"
  shift
  PORT=$(free_port)
  start_claw --health-listen "127.0.0.1:$PORT" "$@"
  wait_health "$PORT"
  sample "$PORT" "$out"
  wait_claw
}
# A runtime that leaves a TERM-ignoring process, then exits $2 after $1 s.
leave_and_exit() { echo "(trap '' TERM; exec sleep 30) & sleep $1; exit $2"; }

# 1. Fails twice, with a TERM-ignoring leftover each time: running, backoff,
#    running again, then fatal while the leftover gets its grace period.
sample_until_exit "$WORK/samples1" --restart on-failure --backoff-initial 2s --max-restarts 1 \
  --stop-grace 3s -- sh -c "$(leave_and_exit 2.5 3)"
check_eq "exit status after giving up" 3 "$CLAW_STATUS"
check "$WORK/samples1" '
seq = [s for s in states if s != "starting"]
assert seq[:4] == ["running", "backoff", "running", "fatal"], states
run1 = next(s for s in samples if s["state"] == "running")
back = next(s for s in samples if s["state"] == "backoff")
run2 = [s for s in samples if s["state"] == "running" and s["restarts"] == 1][0]
fatal = next(s for s in samples if s["state"] == "fatal")
assert run1["code"] == 200 and run1["live"] == 200 and isinstance(run1["pid"], int) and run1["up"] == "1", run1
assert run1["last_exit"] is None and run1["restarts"] == 0, run1
assert back["code"] == 503 and back["live"] == 200 and back["pid"] is None and back["up"] == "0", back
assert back["last_exit"] == 3 and back["restarts"] == 1 and back["status"] == "fail", back
assert run2["code"] == 200 and run2["pid"] != run1["pid"] and run2["last_exit"] == 3, run2
assert fatal["code"] == 503 and fatal["live"] == 503 and fatal["pid"] is None and fatal["up"] == "0", fatal
'
pass "running -> backoff -> running -> fatal: $(python3 -c 'import json,sys; print(" ".join(json.loads(l)["state"] for l in open(sys.argv[1])))' "$WORK/samples1")"

# 2. A runtime that ignores TERM: stopping for the grace period, then gone.
cat >"$WORK/stubborn.sh" <<'EOF'
#!/bin/sh
trap '' TERM
sleep 30 &
wait
EOF
PORT=$(free_port)
start_claw --health-listen "127.0.0.1:$PORT" --stop-grace 2s -- sh "$WORK/stubborn.sh"
wait_health "$PORT"
wait_state "$PORT" running
sample "$PORT" "$WORK/samples2" &
SAMPLER=$!
# TERM only once the sampler has seen the running state.
for i in $(seq 100); do
  [ -s "$WORK/samples2" ] && break
  sleep 0.05
done
kill -TERM "$CLAW_PID"
wait "$SAMPLER"
stop_claw
check "$WORK/samples2" '
assert states[:2] == ["running", "stopping"], states
stopping = next(s for s in samples if s["state"] == "stopping")
assert stopping["code"] == 503 and stopping["live"] == 200 and isinstance(stopping["pid"], int), stopping
'
pass "running -> stopping"

# 3. A clean exit that leaves a TERM-ignoring process: stopping during clean-up.
sample_until_exit "$WORK/samples3" --stop-grace 2s -- sh -c "$(leave_and_exit 2 0)"
check_eq "exit status" 0 "$CLAW_STATUS"
check "$WORK/samples3" '
seq = [s for s in states if s != "starting"]
assert seq[:2] == ["running", "stopping"], states
cleanup = next(s for s in samples if s["state"] == "stopping")
assert cleanup["code"] == 503 and cleanup["live"] == 200 and cleanup["last_exit"] == 0 and cleanup["pid"] is None, cleanup
'
pass "running -> stopping (clean-up after the exit)"

finish
