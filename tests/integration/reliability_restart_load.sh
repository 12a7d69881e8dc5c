#!/usr/bin/env bash
# /health under load while the runtime restarts every second for 60 s
# (CLAW_REL_SECONDS to change it). Clients on keep-alive and fresh
# connections ask /health and /metrics as fast as they can; every reply must
# be well-formed (status line, content type, JSON with the contract's
# fields), its state must agree with its code, pid and last_exit, and its
# restart count must agree with the number of runs the runtime itself
# recorded around the request (a run appends a line when it starts: between
# the counts read before and after a request, restarts is runs-1..runs, and
# exactly runs in backoff). Every restart count up to the last is seen,
# none goes backwards, claw-init's RSS and descriptors stay flat, and the
# final count matches the runs.
source "$(dirname "$0")/lib/common.bash"
require_tool python3
SECONDS_TOTAL="${CLAW_REL_SECONDS:-60}"

# Sanitizer builds carry hundreds of MiB of shadow memory and quarantine:
# RSS is reported there, not bounded.
BOUND_RSS=1
grep -qs "CLAW_SANITIZE:BOOL=ON" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt" && BOUND_RSS=0

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUNS="$WORK/runs"
: >"$RUNS"
"$CLAW_INIT" --health-listen "127.0.0.1:$PORT" --restart always --backoff-initial 100ms --backoff-max 100ms \
  --max-restarts 0 -- /bin/sh -c "echo run >> '$RUNS'; sleep 0.9" 2>"$WORK/claw.log" &
INIT=$!

set +e
PYTHONPATH="$CLAW_SRC/tests/helpers" timeout $((SECONDS_TOTAL + 60)) python3 - "$PORT" "$INIT" "$RUNS" "$SECONDS_TOTAL" "$BOUND_RSS" >"$WORK/py.out" 2>&1 <<'PY'
import http.client, json, sys, threading, time
from rawhttp import fd_count, proc_status

port, init, runs_file, total = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
bound_rss = sys.argv[5] == "1"
FIELDS = {"status", "runtime", "version", "claw_init", "state", "pid", "uptime_s", "restarts", "last_exit", "last_exit_reason", "oom_kills", "checks"}
problems, lock = [], threading.Lock()
seen_restarts, counts = set(), {"health": 0, "metrics": 0}
states = {}

def problem(msg):
    with lock:
        if len(problems) < 30:
            print("PROBLEM:", msg, flush=True)
        problems.append(msg)

def runs():
    with open(runs_file) as f:
        return sum(1 for _ in f)

def check_health(code, ctype, body, c0, c1):
    try:
        j = json.loads(body)
    except ValueError as e:
        return problem("not JSON (%s): %r" % (e, body[:200]))
    if ctype != "application/health+json":
        problem("content type %r" % ctype)
    if set(j) != FIELDS:
        return problem("fields %s" % sorted(j))
    s, r = j["state"], j["restarts"]
    with lock:
        states[s] = states.get(s, 0) + 1
        seen_restarts.add(r)
    if not isinstance(r, int) or not (c0 - 1 <= r <= c1):
        problem("restarts %r with %d..%d runs recorded around the request" % (r, c0, c1))
    if s == "running":
        if code != 200 or j["status"] != "pass" or not (isinstance(j["pid"], int) and j["pid"] > 0):
            problem("running but %d %s pid %r" % (code, j["status"], j["pid"]))
        if not (isinstance(j["uptime_s"], (int, float)) and 0 <= j["uptime_s"] < 5):
            problem("running with uptime_s %r" % j["uptime_s"])
        if r > 0 and j["last_exit"] != 0:
            problem("running after a clean exit with last_exit %r" % j["last_exit"])
    elif s == "backoff":
        if code != 503 or j["status"] != "fail" or j["pid"] is not None or j["last_exit"] != 0:
            problem("backoff but %d %s pid %r last_exit %r" % (code, j["status"], j["pid"], j["last_exit"]))
        if not (c0 <= r <= c1):
            problem("backoff with restarts %d, %d..%d runs recorded" % (r, c0, c1))
    elif s == "starting":
        if code != 503:
            problem("starting but %d" % code)
    else:
        problem("state %r while restarting" % s)
    return r

def check_metrics(code, body, c0, c1):
    values = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = value
    try:
        r = int(values["claw_runtime_restarts_total"])
        up = values["claw_runtime_up"]
    except (KeyError, ValueError):
        return problem("metrics without restarts/up: %r" % body[:300])
    if code != 200 or up not in ("0", "1") or not (c0 - 1 <= r <= c1):
        problem("metrics %d up %s restarts %d with %d..%d runs" % (code, up, r, c0, c1))
    return r

end = time.monotonic() + total

def client(path, keep_alive):
    last = -1
    conn = None
    while time.monotonic() < end:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c0 = runs()
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read().decode()
            c1 = runs()
            if path == "/health":
                r = check_health(resp.status, resp.getheader("Content-Type"), body, c0, c1)
            else:
                r = check_metrics(resp.status, body, c0, c1)
            with lock:
                counts["health" if path == "/health" else "metrics"] += 1
            if r is not None:
                if r < last:
                    problem("%s: restarts went back from %d to %d" % (path, last, r))
                last = r
            if not keep_alive or resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            problem("%s: %r" % (path, e))
            conn = None
        time.sleep(0.001)

time.sleep(0.5)
rss0, fd0 = proc_status(init, "VmRSS"), fd_count(init)
threads = [threading.Thread(target=client, args=a) for a in
           [("/health", True)] * 3 + [("/health", False), ("/metrics", True)]]
for t in threads:
    t.start()
mid = None
while time.monotonic() < end:
    time.sleep(1)
    if mid is None and time.monotonic() > end - total * 0.75:
        mid = (proc_status(init, "VmRSS"), fd_count(init))
for t in threads:
    t.join()
rss1, fd1, hwm = proc_status(init, "VmRSS"), fd_count(init), proc_status(init, "VmHWM")
# The clients start half a second in, during or after the first run.
first = min(seen_restarts) if seen_restarts else -1
last = max(seen_restarts) if seen_restarts else -1
missing = sorted(set(range(first, last + 1)) - seen_restarts)
print("requests: %d /health, %d /metrics in %.0f s; states %s" % (counts["health"], counts["metrics"], total, states))
print("restarts seen: %d..%d, %d runs recorded; missing %s" % (first, last, runs(), missing[:10]))
print("claw-init: RSS %d KiB at start, %d KiB at 1/4, %d KiB at the end (peak %d KiB); fds %d, %d, %d"
      % (rss0, mid[0], rss1, hwm, fd0, mid[1], fd1))
if first not in (0, 1) or missing:
    problem("restart counts never seen: %s (first %d)" % (missing[:10], first))
if last < total * 0.6:
    problem("only %d restarts in %.0f s" % (last, total))
if bound_rss and rss1 - mid[0] > 256:
    problem("RSS grew %d KiB during the run" % (rss1 - mid[0]))
if fd1 != fd0:
    problem("descriptors %d -> %d" % (fd0, fd1))
if bound_rss and hwm >= 8192:
    problem("peak RSS %d KiB" % hwm)
print("RESULT problems=%d requests=%d restarts=%d rss_kib=%d->%d" % (len(problems), counts["health"] + counts["metrics"], last, mid[0], rss1))
sys.exit(1 if problems else 0)
PY
py=$?
set -e
cat "$WORK/py.out"
check_eq "every reply well-formed and consistent with the restarts" 0 "$py"

kill -TERM "$INIT"
set +e; timeout 10 tail --pid="$INIT" -f /dev/null; wait "$INIT"; status=$?; set -e
runs=$(wc -l <"$RUNS")
check_true "stopped: status 0 (in backoff) or 143 (running), got $status" test "$status" -eq 0 -o "$status" -eq 143
check_eq "claw-init started the runtime once per recorded run" "$runs" "$(grep -c 'started /bin/sh' "$WORK/claw.log")"
check_eq "the last restart logged is runs-1" "$((runs - 1))" \
  "$(grep -o 'started /bin/sh (pid [0-9]*), restart [0-9]*' "$WORK/claw.log" | tail -n1 | awk '{print $NF}')"
finish
