#!/usr/bin/env bash
# Soak: claw-init supervises a runtime that exits every 2 s and is restarted
# (--restart always), while /health is hammered (wrk, or Python when wrk is
# missing), for 5 minutes. claw-init's RSS, descriptors and threads are
# sampled every 5 s; the run fails unless they are flat:
#   - RSS at the end within 256 KiB of RSS after the 30 s warm-up, peak < 8 MiB;
#   - descriptors back to their pre-load count once the load stops and idle
#     connections time out, and never above that count + the load's connections;
#   - threads constant.
# Not part of the default test run (it takes 5 minutes); results go in
# docs/reliability.md.
#
#   scripts/soak.sh                    5 minutes, build/claw-init
#   CLAW_INIT=build-rel/claw-init CLAW_SOAK_SECONDS=60 scripts/soak.sh
#   CLAW_SOAK_CSV=/tmp/soak.csv        keep the samples (default: a temp dir)
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
claw="${CLAW_INIT:-$src/build/claw-init}"
duration="${CLAW_SOAK_SECONDS:-300}"
connections=20
[[ -x "$claw" ]] || { echo "soak.sh: no claw-init at $claw (set CLAW_INIT)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak.sh: needs python3" >&2; exit 2; }

work="$(mktemp -d /tmp/claw-soak.XXXXXX)"
csv="${CLAW_SOAK_CSV:-$work/samples.csv}"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$claw" --health-listen "127.0.0.1:$port" --restart always --backoff-initial 100ms --backoff-max 100ms \
  --max-restarts 0 --log-level warn -- /bin/sh -c 'sleep 1.9' 2>"$work/claw.log" &
init=$!
pids+=("$init")
for _ in $(seq 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' \
    "$port" 2>/dev/null && break
  sleep 0.05
done
sleep 1

field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$init/status"; }
fds() { ls "/proc/$init/fd" | wc -l; }
restarts() {
  python3 -c 'import sys,urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=2).read().decode()
print(next(l.split()[1] for l in text.splitlines() if l.startswith("claw_runtime_restarts_total ")))' \
    "$port" 2>/dev/null || echo -1
}
fd_before=$(fds)

if command -v wrk >/dev/null; then
  loader="wrk -t1 -c$connections -d${duration}s"
  wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/health" >"$work/load.txt" 2>&1 &
else
  loader="python3, $connections keep-alive clients"
  python3 - "$port" "$duration" "$connections" >"$work/load.txt" 2>&1 <<'PY' &
import http.client, sys, threading, time
port, duration, n = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
end, counts = time.monotonic() + duration, [0, 0]
def client():
    conn = None
    while time.monotonic() < end:
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            r = conn.getresponse(); r.read()
            counts[0] += 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except Exception:
            counts[1] += 1; conn = None
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print("%d requests in %.0fs, %d errors" % (counts[0], duration, counts[1]))
print("Requests/sec: %.0f" % (counts[0] / duration))
PY
fi
load=$!
pids+=("$load")

echo "t_s,rss_kib,hwm_kib,fds,threads,restarts" >"$csv"
t0=$(date +%s)
while kill -0 "$load" 2>/dev/null; do
  echo "$(( $(date +%s) - t0 )),$(field VmRSS),$(field VmHWM),$(fds),$(field Threads),$(restarts)" >>"$csv"
  sleep 5
done
wait "$load" || true
sleep 6  # idle connections close after 5 s
fd_after=$(fds)
echo "$(( $(date +%s) - t0 )),$(field VmRSS),$(field VmHWM),$fd_after,$(field Threads),$(restarts)" >>"$csv"

kill -TERM "$init"
status=0
wait "$init" || status=$?

python3 - "$csv" "$fd_before" "$fd_after" "$connections" "$duration" "$loader" "$status" "$work/load.txt" <<'PY'
import csv, sys
path, fd_before, fd_after, conns, duration, loader, status, load = sys.argv[1:]
fd_before, fd_after, conns = int(fd_before), int(fd_after), int(conns)
rows = [{k: int(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
warm = next((r for r in rows if r["t_s"] >= 30), rows[0])
last = rows[-1]
rss = [r["rss_kib"] for r in rows]
fds = [r["fds"] for r in rows[:-1]] or [fd_after]
threads = {r["threads"] for r in rows}
text = open(load).read()
rate = next((l.split()[1] for l in text.splitlines() if l.startswith("Requests/sec")), "?")
non2xx = next((l.split()[-1] for l in text.splitlines() if "Non-2xx" in l), "0")
errors = next((l.strip() for l in text.splitlines() if "Socket errors" in l or "errors" in l and "requests in" in l), "none")
problems = []
if last["rss_kib"] - warm["rss_kib"] > 256:
    problems.append("RSS grew %d KiB after the warm-up" % (last["rss_kib"] - warm["rss_kib"]))
if last["hwm_kib"] >= 8192:
    problems.append("peak RSS %d KiB" % last["hwm_kib"])
if fd_after != fd_before:
    problems.append("descriptors %d before the load, %d after it" % (fd_before, fd_after))
if max(fds) > fd_before + conns + 2:
    problems.append("descriptors reached %d (base %d + %d connections)" % (max(fds), fd_before, conns))
if len(threads) != 1:
    problems.append("thread count changed: %s" % sorted(threads))
if status not in ("0", "143"):
    problems.append("claw-init exited %s after TERM" % status)
print("soak: %s s, runtime restarted every ~2 s (%d restarts), /health under %s: %s req/s, %s non-2xx (backoff), errors: %s"
      % (duration, last["restarts"], loader, rate, non2xx, errors))
print("soak: RSS %d KiB after 30 s, %d KiB at the end, min %d, max %d, peak (VmHWM) %d KiB"
      % (warm["rss_kib"], last["rss_kib"], min(rss), max(rss), last["hwm_kib"]))
print("soak: fds %d before the load, %d..%d under it (%d connections), %d after; threads %s; exit %s"
      % (fd_before, min(fds), max(fds), conns, fd_after, sorted(threads), status))
for p in problems:
    print("soak: NOT FLAT:", p)
sys.exit(1 if problems else 0)
PY
