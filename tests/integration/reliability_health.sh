#!/usr/bin/env bash
# Hostile clients of /health, one wave after another while a prober asks
# /health every 100 ms: 1,000 slowloris connections (twice the server's
# connection cap) trickling a byte a second, 1 MiB request lines and 1 MiB of
# headers, pipelined garbage, 10,000 connections opened and dropped (FIN and
# RST). Throughout: every probe is answered within 1 s with well-formed JSON,
# claw-init's RSS stays under 8 MiB, its descriptors come back to where they
# were, and supervision is untouched (a USR1 sent during each wave reaches the
# runtime; a USR2 makes it exit and it is restarted; TERM still stops it).
# Clients are Python stdlib sockets on loopback, bounded in count and time.
source "$(dirname "$0")/lib/common.bash"
require_tool python3

# Sanitizer builds carry hundreds of MiB of shadow memory and quarantine:
# the RSS bound is reported there, not enforced.
RSS_LIMIT=8192
grep -qs "CLAW_SANITIZE:BOOL=ON" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt" && RSS_LIMIT=0

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
REC="$WORK/rec"
# The recorder exits 0 on USR2 (so USR2 means "exit" and is restarted) and
# TERM from claw-init arrives as USR2 through --stop-signal.
"$CLAW_INIT" --health-listen "127.0.0.1:$PORT" --restart always --backoff-initial 100ms --backoff-max 200ms \
  --stop-signal USR2 --stop-grace 2s -- "$CLAW_HELPERS/sigrecord" "$REC" 12 2>"$WORK/claw.log" &
INIT=$!
wait_for_file "$REC.ready" || die "the runtime did not start"

set +e
PYTHONPATH="$CLAW_SRC/tests/helpers" timeout 150 python3 - "$PORT" "$INIT" "$REC" "$RSS_LIMIT" >"$WORK/py.out" 2>&1 <<'PY'
import json, os, random, resource, signal, socket, struct, sys, threading, time
from rawhttp import exchange, fd_count, proc_status

port, init, rec, rss_limit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY:
    soft = min(hard, 4096)
else:
    soft = 4096
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
# 1,000 slowloris sockets, or what the descriptor limit allows; above 512
# (the server's cap) either way, or the wave proves nothing.
SLOW = min(1000, soft - 100)
if SLOW <= 600:
    print("SKIP: only %d descriptors for the test's clients" % soft)
    sys.exit(77)
ADDR = ("127.0.0.1", port)
problems = []

def problem(msg):
    problems.append(msg)
    print("PROBLEM:", msg, flush=True)

def get(path, timeout=2.0):
    """One GET on a fresh connection: (status, body)."""
    request = "GET %s HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n" % path
    head, _, body = exchange(port, request.encode(), timeout).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body

# --- the prober: the real HEALTHCHECK, every 100 ms, for the whole test ------
probe_stats = {"n": 0, "worst": 0.0, "rss": 0}
stop_probing = threading.Event()
wave_name = ["start"]

def prober():
    while not stop_probing.is_set():
        t0 = time.monotonic()
        try:
            code, body = get("/health", timeout=1.0)
            took = time.monotonic() - t0
            j = json.loads(body)
            if code not in (200, 503) or j["state"] not in ("starting", "running", "backoff"):
                problem("%s: probe got %d %s" % (wave_name[0], code, body[:200]))
            if took >= 1.0:
                problem("%s: probe took %.3f s" % (wave_name[0], took))
            probe_stats["worst"] = max(probe_stats["worst"], took)
        except Exception as e:
            problem("%s: probe failed after %.3f s: %r" % (wave_name[0], time.monotonic() - t0, e))
        probe_stats["n"] += 1
        probe_stats["rss"] = max(probe_stats["rss"], proc_status(init, "VmRSS"))
        time.sleep(0.1)

def recorded():
    with open(rec) as f:
        return f.read().split()

def check_forwarding(wave):
    """USR1 to claw-init must reach the runtime within 1 s, mid-wave."""
    before = recorded().count("10")
    os.kill(init, signal.SIGUSR1)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        if recorded().count("10") > before:
            print("ok: %s: USR1 forwarded" % wave, flush=True)
            return
        time.sleep(0.02)
    problem("%s: USR1 not forwarded within 1 s" % wave)

fd_base = fd_count(init)
threading.Thread(target=prober, daemon=True).start()
time.sleep(0.5)

# --- wave 1: slowloris, 1,000 connections, a byte a second, 12 s -------------
wave_name[0] = "slowloris"
REQUEST = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
conns = []  # [socket, bytes sent]
def slow_open():
    s = socket.socket()
    s.settimeout(2)
    s.connect(ADDR)
    s.setblocking(False)
    return [s, 0]
for _ in range(SLOW):
    conns.append(slow_open())
reopened, ended = 0, time.monotonic() + 12
checked = False
while time.monotonic() < ended:
    for c in conns:
        try:
            c[0].send(REQUEST[c[1]:c[1] + 1])
            c[1] += 1
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # the server dropped it: come back, as an attacker does
            c[0].close()
            try:
                c[:] = slow_open()
                reopened += 1
            except OSError as e:
                problem("slowloris: reconnect failed: %r" % e)
    if not checked and time.monotonic() > ended - 6:
        check_forwarding("slowloris")
        checked = True
    time.sleep(1)
for c in conns:
    c[0].close()
print("ok: slowloris: %d connections for 12 s, %d reopened after the server dropped them" % (SLOW, reopened), flush=True)

# --- wave 2: 1 MiB request lines and 1 MiB of headers -------------------------
wave_name[0] = "oversized"
MIB = 1 << 20
def oversized(kind, results):
    s = socket.create_connection(ADDR, timeout=5)
    if kind == "line":
        payload = b"GET /" + b"a" * MIB + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    else:
        payload = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * MIB + b"\r\n\r\n"
    t0 = time.monotonic()
    sent = 0
    try:
        while sent < len(payload):
            sent += s.send(payload[sent:sent + 65536])
    except OSError:
        pass  # cut off mid-request: fine, that is the point
    reply = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError:
        pass
    s.close()
    results.append((kind, sent, reply.split(b"\r\n", 1)[0], time.monotonic() - t0))
results = []
threads = [threading.Thread(target=oversized, args=(k, results)) for k in ["line", "header"] * 10]
for t in threads:
    t.start()
check_forwarding("oversized")
for t in threads:
    t.join(20)
for kind, sent, status, took in results:
    if status not in (b"", b"HTTP/1.1 431 Request Header Fields Too Large", b"HTTP/1.1 414 URI Too Long",
                      b"HTTP/1.1 400 Bad Request"):
        problem("oversized %s: answered %r" % (kind, status))
    if took > 6:
        problem("oversized %s: connection held %.1f s" % (kind, took))
if len(results) != 20:
    problem("oversized: %d of 20 clients finished" % len(results))
refused = sum(1 for r in results if r[2].startswith(b"HTTP/1.1 4"))
print("ok: oversized: 20 clients sent up to 1 MiB each; %d got a 4xx, all cut off within %.1f s"
      % (refused, max(r[3] for r in results)), flush=True)

# --- wave 3: pipelined garbage --------------------------------------------------
wave_name[0] = "garbage"
rng = random.Random(8)
GOOD = b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
def read_all(s, limit=5.0):
    s.settimeout(limit)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data
answered = 0
for i in range(200):
    s = socket.create_connection(ADDR, timeout=5)
    kind = i % 4
    if kind == 0:    # random bytes with request-like breaks
        payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4000))) + b"\r\n\r\n"
    elif kind == 1:  # valid requests, then garbage, then more valid requests
        payload = GOOD * 5 + b"\x00\xff BREW /pot HTCPCP/1.0\r\n\r\n" + GOOD * 5
    elif kind == 2:  # a body-carrying request lying about its length, pipelined
        payload = b"POST /health HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n" + GOOD * 3
    else:            # chunked nonsense and header injection attempts
        payload = (b"GET /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" +
                   b"GET /health\r\nHost: a\r\nHost: b\n\n" + GOOD)
    try:
        s.sendall(payload)
    except OSError:
        pass
    data = read_all(s)
    s.close()
    answered += data.count(b"HTTP/1.1 ")
    if kind == 1 and data.count(b"HTTP/1.1 200") < 5:
        problem("garbage: the 5 valid requests before the garbage got %d replies" % data.count(b"HTTP/1.1 200"))
    if i == 100:
        check_forwarding("garbage")
print("ok: garbage: 200 connections of pipelined garbage, %d replies, each connection closed" % answered, flush=True)

# --- wave 4: 10,000 connections opened and dropped ----------------------------
wave_name[0] = "churn"
def churn(n, results):
    linger = struct.pack("ii", 1, 0)
    for i in range(n):
        try:
            s = socket.create_connection(ADDR, timeout=5)
            if i % 3 == 1:
                s.sendall(b"GET /hea")         # half a request, then FIN
            if i % 3 == 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)  # RST
            s.close()
            results[0] += 1
        except OSError as e:
            results[1] += 1
t0 = time.monotonic()
counts = [0, 0]
threads = [threading.Thread(target=churn, args=(2500, counts)) for _ in range(4)]
for t in threads:
    t.start()
check_forwarding("churn")
for t in threads:
    t.join(60)
if counts[0] + counts[1] != 10000 or counts[1] > 100:
    problem("churn: %d connected, %d failed" % tuple(counts))
print("ok: churn: 10,000 connections opened and dropped in %.1f s (%d refused)"
      % (time.monotonic() - t0, counts[1]), flush=True)

# --- after: restarts still happen, descriptors come back ------------------------
wave_name[0] = "after"
first_pid = json.loads(get("/health")[1])["pid"]
os.kill(init, signal.SIGUSR2)  # the runtime exits 0 on USR2; --restart always
deadline, restarted = time.monotonic() + 5, None
while time.monotonic() < deadline:
    j = json.loads(get("/health")[1])
    if j["state"] == "running" and j["pid"] != first_pid and j["restarts"] == 1:
        restarted = j
        break
    time.sleep(0.05)
if restarted is None:
    problem("after: the runtime was not restarted after it exited")
else:
    print("ok: after the waves the runtime exited and was restarted (pid %d -> %d, restarts 1)"
          % (first_pid, restarted["pid"]), flush=True)
deadline = time.monotonic() + 8  # idle deadlines are 5 s
while time.monotonic() < deadline and fd_count(init) > fd_base + 2:
    time.sleep(0.2)
stop_probing.set()
time.sleep(0.2)
hwm = proc_status(init, "VmHWM")
print("fds: %d before, %d after" % (fd_base, fd_count(init)), flush=True)
print("probes: %d answered, worst %.1f ms; claw-init peak RSS %d KiB"
      % (probe_stats["n"], probe_stats["worst"] * 1000, hwm), flush=True)
if fd_count(init) > fd_base + 2:
    problem("claw-init holds %d descriptors, %d before the waves" % (fd_count(init), fd_base))
if rss_limit and hwm >= rss_limit:
    problem("claw-init peak RSS %d KiB (limit %d KiB)" % (hwm, rss_limit))
print("RESULT %d %d %.1f" % (len(problems), hwm, probe_stats["worst"] * 1000))
sys.exit(1 if problems else 0)
PY
py=$?
set -e
cat "$WORK/py.out"
[[ $py -eq 77 ]] && { kill -TERM "$INIT"; wait "$INIT" 2>/dev/null || true; skip "$(grep -m1 SKIP "$WORK/py.out" | sed "s/^SKIP: //")"; }
check_eq "hostile clients: no probe late, failed or malformed; RSS, fds, forwarding and restarts held" 0 "$py"

# TERM still stops: it arrives as USR2 and the recorder exits 0.
kill -TERM "$INIT"
set +e; timeout 10 tail --pid="$INIT" -f /dev/null; wait "$INIT"; status=$?; set -e
check_eq "TERM after the waves: clean stop, runtime's status 0" 0 "$status"
check_true "no crash or sanitizer report in claw-init's log" \
  bash -c "! grep -Eq 'AddressSanitizer|runtime error|LeakSanitizer' '$WORK/claw.log'"
finish
