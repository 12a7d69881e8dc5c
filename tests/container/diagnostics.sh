#!/usr/bin/env bash
# Stop, readiness and "why the runtime died" (contract section 7) inside real
# Podman containers. A small image: the local Debian base, this build's
# claw-init as ENTRYPOINT, the helpers memhog and upstream_server.
#
# 1. sd_notify: `podman run --sdnotify=container` with NOTIFY_SOCKET set for
#    Podman (as systemd sets it for a Type=notify unit; here a datagram socket
#    of the test stands in for systemd). Podman hands the container a proxy
#    socket (conmon's, /run/notify/notify.sock) and sends MAINPID itself;
#    claw-init's READY=1 comes through it once /health passes, not before.
#    What Podman 4.3 does, checked here: `podman run -d` does not wait for
#    READY=1 (it returns at once; the manager that owns the socket waits),
#    and conmon relays READY=1 only, not STOPPING=1 or STATUS=. With an
#    upstream check that never passes no READY=1 comes at all.
# 2. A socket of the host bind-mounted into the container as NOTIFY_SOCKET
#    (no proxy): READY=1, STATUS= and STOPPING=1 all arrive; the runtime does
#    not inherit NOTIFY_SOCKET.
# 3. `podman run --memory 64m` and a runtime that touches 512 MiB: the OOM
#    kill, found through the container's own memory cgroup (with and without
#    a cgroup namespace, and with the host's memory hierarchy mounted over the
#    container's own), in the log with the limit, on /health and /metrics,
#    and in the termination log at /dev/termination-log (a bind-mounted file,
#    as the kubelet makes it).
source "$(dirname "$0")/lib/container.bash"

require_tool python3
require_tool curl
container_setup
unset NOTIFY_SOCKET  # each podman run below is given its own, or none
# conmon 2.1 leaves an empty file "oom" in podman's working directory after
# an OOM kill in the container: keep it out of the source or build tree.
cd "$WORK"

CLAW_INIT="${CLAW_INIT:-$CLAW_BUILD/claw-init}"
CLAW_HELPERS="${CLAW_HELPERS:-$CLAW_BUILD/helpers}"
for f in "$CLAW_INIT" "$CLAW_HELPERS/memhog" "$CLAW_HELPERS/upstream_server"; do
  [[ -x "$f" ]] || die "missing $f (ninja -C build claw-init memhog upstream_server)"
done
file -L "$CLAW_INIT" | grep -q 'statically linked' || die "$CLAW_INIT is not static: it would not run in the image"

# --- the image -------------------------------------------------------------------
IMAGE="localhost/claw-init-test/diagnostics:$$"
ctx="$WORK/image"
mkdir -p "$ctx"
cp "$CLAW_INIT" "$ctx/claw-init"
cp "$CLAW_HELPERS/memhog" "$CLAW_HELPERS/upstream_server" "$ctx/"
cat >"$ctx/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
COPY claw-init memhog upstream_server /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/claw-init"]
EOF
podman build -q --pull=never --network none --format docker -t "$IMAGE" "$ctx" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; die "building the test image failed"; }
CLEANUP_CMDS+=("podman rmi -f $IMAGE")

# listen SOCKET OUT: a datagram socket like systemd's notify socket; each
# message is one line of OUT, "<ms since the epoch> <message, | for newline>".
LISTENERS=()
stop_listeners() { local p; for p in "${LISTENERS[@]}"; do kill "$p" 2>/dev/null || true; done; }
CLEANUP_CMDS+=(stop_listeners)
listen() {
  rm -f "$1"
  python3 - "$1" >"$2" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(f"{time.time() * 1000:.0f} bound", flush=True)
while True:
    msg = s.recv(4096).decode(errors="replace")
    print(f"{time.time() * 1000:.0f} " + msg.replace("\n", "|"), flush=True)
PY
  LISTENERS+=($!)
  local i
  for i in $(seq 1 100); do grep -q ' bound$' "$2" 2>/dev/null && return 0; sleep 0.05; done
  die "the notify listener did not bind $1"
}
# first_ms OUT PATTERN: the time of the first message matching PATTERN.
first_ms() { grep -E "^[0-9]+ .*$2" "$1" | head -n1 | cut -d' ' -f1; }
# wait_message OUT PATTERN SECONDS
wait_message() {
  local i
  for i in $(seq 1 $(($3 * 20))); do grep -qE "^[0-9]+ .*$2" "$1" && return 0; sleep 0.05; done
  return 1
}
health() { curl -s -m 3 "http://127.0.0.1:$1/health"; }
health_code() { curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health"; }
# The runtime becomes healthy (upstream_server answers 200) after SECONDS.
late_upstream() { echo "sleep $1; exec upstream_server --mode ok --port $2"; }

# --- 1. podman run --sdnotify=container ------------------------------------------
SN="claw-test-diag-notify-$$"
msgs="$WORK/notify.msgs"
listen "$WORK/notify.sock" "$msgs"
start=$(now_ms)
NOTIFY_SOCKET="$WORK/notify.sock" run_container "$SN" --network host --sdnotify=container \
  -e CLAW_HEALTH_LISTEN=127.0.0.1:28741 -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:28742/ \
  "$IMAGE" -- sh -c "$(late_upstream 2 28742)" || die "podman run --sdnotify=container failed"
returned=$(($(now_ms) - start))
record sdnotify_podman_run_returned_ms "$returned"
check_true "1: /health fails while the upstream is not up" wait_http http://127.0.0.1:28741/health 5 503
if wait_message "$msgs" 'READY=1' 20; then
  ready=$(($(first_ms "$msgs" 'READY=1') - start))
  record sdnotify_ready_after_ms "$ready"
  pass "1: READY=1 reached the NOTIFY_SOCKET Podman was given, ${ready} ms after podman run began"
  # The upstream comes up 2 s after the runtime starts; claw-init checks every 250 ms.
  check_true "1: not before /health could pass (>= 2000 ms: ${ready})" test "$ready" -ge 2000
  check_true "1: within a second of it (< 3000 ms + podman run's ${returned} ms)" test "$ready" -lt $((3000 + returned))
  check_true "1: podman run -d returned before READY=1 (Podman 4.3 does not wait: ${returned} ms < ${ready} ms)" \
    test "$returned" -lt "$ready"
else
  fail "1: no READY=1 within 20 s"
fi
check_eq "1: /health passes" pass "$(json_get "$(health 28741)" status)"
check_true "1: Podman sent MAINPID (conmon's pid) first" grep -qE '^[0-9]+ MAINPID=[0-9]+$' "$msgs"
check_eq "1: one READY=1" 1 "$(grep -c 'READY=1' "$msgs")"
check_eq "1: the container saw Podman's proxy socket" "NOTIFY_SOCKET=/run/notify/notify.sock" \
  "$(podman exec "$SN" sh -c 'tr "\0" "\n" </proc/1/environ | grep ^NOTIFY_SOCKET=')"
rpid="$(json_get "$(health 28741)" pid)"
check_eq "1: the runtime did not inherit NOTIFY_SOCKET" "" \
  "$(podman exec "$SN" sh -c "tr '\0' '\n' </proc/$rpid/environ | grep ^NOTIFY_SOCKET= || true")"
ms="$(timed_stop "$SN" 10)"
check_true "1: stops cleanly (${ms} ms)" test "$ms" -lt 3000
sleep 0.3
# conmon 2.1 relays READY=1 only; STOPPING=1 is proven in 2 (no proxy).
echo "# messages Podman's socket got: $(cut -d' ' -f2- "$msgs" | tr '\n' ' ')"

# Never healthy: the upstream check fails; Podman's socket gets no READY=1.
SF="claw-test-diag-notready-$$"
msgs="$WORK/notready.msgs"
listen "$WORK/notready.sock" "$msgs"
NOTIFY_SOCKET="$WORK/notready.sock" run_container "$SF" --network host --sdnotify=container \
  -e CLAW_HEALTH_LISTEN=127.0.0.1:28743 -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:28744/ \
  "$IMAGE" -- sleep 1000 || die "podman run (never healthy) failed"
check_true "1b: Podman sent MAINPID" wait_message "$msgs" 'MAINPID=' 10
if wait_message "$msgs" 'READY=1' 6; then
  fail "1b: READY=1 came although the upstream check never passed"
else
  pass "1b: no READY=1 in 6 s while the upstream check fails"
fi
check_eq "1b: /health says so" 503 "$(health_code 28743)"
check_eq "1b: and the container runs on" true "$(podman inspect -f '{{.State.Running}}' "$SF")"
podman rm -f -t 0 "$SF" >/dev/null 2>&1

# --- 2. a socket of the host as the container's NOTIFY_SOCKET ---------------------
SD="claw-test-diag-direct-$$"
msgs="$WORK/direct.msgs"
mkdir -p "$WORK/direct"
listen "$WORK/direct/notify.sock" "$msgs"
start=$(now_ms)
run_container "$SD" --network host -v "$WORK/direct:/run/manager" \
  -e NOTIFY_SOCKET=/run/manager/notify.sock \
  -e CLAW_HEALTH_LISTEN=127.0.0.1:28745 -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:28746/ \
  "$IMAGE" -- sh -c "$(late_upstream 1 28746)" || die "podman run (direct socket) failed"
if wait_message "$msgs" 'READY=1' 20; then
  ready=$(($(first_ms "$msgs" 'READY=1') - start))
  record sdnotify_direct_ready_after_ms "$ready"
  check_true "2: READY=1 after the upstream came up (${ready} ms >= 1000)" test "$ready" -ge 1000
else
  fail "2: no READY=1 within 20 s"
fi
check_true "2: READY=1 carries STATUS=running" grep -q 'READY=1|STATUS=running' "$msgs"
rpid="$(json_get "$(health 28745)" pid)"
check_eq "2: the runtime did not inherit NOTIFY_SOCKET" "" \
  "$(podman exec "$SD" sh -c "tr '\0' '\n' </proc/$rpid/environ | grep ^NOTIFY_SOCKET= || true")"
podman stop -t 10 "$SD" >/dev/null 2>&1
check_true "2: STOPPING=1 at the stop" wait_message "$msgs" 'STOPPING=1' 5
check_eq "2: nothing after STOPPING=1 but its status" "STOPPING=1|STATUS=stopping" "$(tail -n1 "$msgs" | cut -d' ' -f2-)"

# --- 3. podman run --memory 64m: an OOM kill ----------------------------------------
# A runtime whose first run touches 512 MiB; the restarted one sleeps.
oom_runtime='if [ ! -e /tmp/ran ]; then : >/tmp/ran; exec memhog 512; fi; exec sleep 1000'
for variant in host-cgroupns private-cgroupns host-hierarchy-on-top; do
  case $variant in
    host-cgroupns) opts=(--cgroupns=host) ;;
    private-cgroupns) opts=(--cgroupns=private) ;;
    host-hierarchy-on-top) opts=(-v /sys/fs/cgroup/memory:/sys/fs/cgroup/memory:ro) ;;
  esac
  SO="claw-test-diag-oom-$variant-$$"
  run_container "$SO" --network host --memory 64m "${opts[@]}" -e CLAW_HEALTH_LISTEN=127.0.0.1:28747 \
    "$IMAGE" --restart on-failure --backoff-initial 100ms -- sh -c "$oom_runtime" || die "podman run --memory 64m failed"
  body=""
  for _ in $(seq 1 200); do
    body="$(health 28747 || true)"
    grep -q '"restarts":1' <<<"$body" && grep -q '"state":"running"' <<<"$body" && break
    sleep 0.1
  done
  echo "# $variant /health: $body"
  check_eq "3 $variant: /health last_exit 137" 137 "$(json_get "$body" last_exit)"
  check_eq "3 $variant: /health last_exit_reason oom" oom "$(json_get "$body" last_exit_reason)"
  check_eq "3 $variant: /health oom_kills 1" 1 "$(json_get "$body" oom_kills)"
  check_true "3 $variant: /metrics claw_runtime_oom_kills_total 1" \
    grep -qx 'claw_runtime_oom_kills_total 1' <<<"$(curl -s -m 3 http://127.0.0.1:28747/metrics)"
  logs="$(podman logs "$SO" 2>&1)"
  check_true "3 $variant: the log names the OOM killer with the 64 MiB limit and the peak" \
    grep -qE "killed by signal KILL \(status 137\), killed by the kernel's OOM killer \(memory limit 64 MiB, peak [0-9.]+ MiB\)" <<<"$logs"
  { grep "OOM" <<<"$logs" || true; } | sed "s/^/# $variant: /"
  podman rm -f -t 0 "$SO" >/dev/null 2>&1
done

# No restart: the container ends with 137 and the termination log says why.
ST="claw-test-diag-termlog-$$"
: >"$WORK/termination-log"
run_container "$ST" --network none --memory 64m -v "$WORK/termination-log:/dev/termination-log" \
  -e CLAW_HEALTH_LISTEN=off "$IMAGE" -- memhog 512 || die "podman run (termination log) failed"
code="$(timeout 60 podman wait "$ST" 2>/dev/null || echo none)"
check_eq "3: the container exits with the runtime's 137" 137 "$code"
echo "# termination log: $(cat "$WORK/termination-log")"
check_eq "3: the termination log is one line" 1 "$(wc -l <"$WORK/termination-log")"
check_true "3: it says the OOM killer did it, with the limit" \
  grep -qE "memhog killed by signal KILL .*killed by the kernel's OOM killer \(memory limit 64 MiB" "$WORK/termination-log"

finish
