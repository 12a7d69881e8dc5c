# Helpers of tests/integration/health_*.sh and version_probe.sh (sourced, not
# a test itself) on top of tests/lib/testlib.bash: claw-init with its health
# server in the background, upstream servers, HTTP requests, /health states.
# Needs CLAW_INIT (CLAW_HELPERS defaults to the helpers beside it), curl and
# python3. Every failure also prints the last response body and the tail of
# the claw-init log.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/testlib.bash"

: "${CLAW_INIT:?CLAW_INIT must name the claw-init binary}"
: "${CLAW_HELPERS:=$(dirname "$CLAW_INIT")/helpers}"

RESPONSES="$WORK/responses"  # every response body and header, for the secret check
: >"$RESPONSES"
BG_PIDS=()
CLAW_PID=""

stop_health_processes() {
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$CLAW_PID" ]; then
    # TERM first: claw-init takes its runtime (its own session) with it; a
    # KILL alone would orphan the runtime, which then holds ctest's pipe.
    kill -TERM "$CLAW_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$CLAW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CLAW_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
CLEANUP_CMDS+=(stop_health_processes)

# FAIL_HOOK: what the server said last, and what claw-init logged.
show_health_context() {
  if [ -s "$WORK/body" ]; then
    echo "--- last response body ---"
    head -c 2000 "$WORK/body"
    echo
  fi
  if [ -f "$WORK/claw.log" ]; then
    echo "--- claw-init log (last 30 lines) ---"
    tail -n 30 "$WORK/claw.log"
  fi
}
FAIL_HOOK=show_health_context

require_tool curl
require_tool python3

# Until main.cc dispatches the subcommands, there is nothing to test.
skip_unless_wired() {
  local out
  out=$("$CLAW_INIT" health --health-listen off 2>&1 || true)
  case "$out" in
    *"not available yet"*)
      skip "this claw-init does not dispatch the health/version subcommands yet (main.cc not wired)"
      ;;
  esac
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_upstream MODE [ARGS...]: starts upstream_server, sets UP_PORT.
start_upstream() {
  local mode=$1
  shift
  local port_file="$WORK/upstream.$RANDOM.port"
  "$CLAW_HELPERS/upstream_server" --mode "$mode" --port-file "$port_file" "$@" &
  BG_PIDS+=("$!")
  local i
  for i in $(seq 100); do
    [ -s "$port_file" ] && break
    sleep 0.05
  done
  [ -s "$port_file" ] || die "upstream_server ($mode) did not start"
  UP_PORT=$(cat "$port_file")
}

# start_claw ARGS...: runs claw-init in the background (log in $WORK/claw.log),
# sets CLAW_PID. The caller passes --health-listen.
start_claw() {
  "$CLAW_INIT" "$@" 2>>"$WORK/claw.log" &
  CLAW_PID=$!
}

# wait_health PORT: until the server answers anything (at most 5 s).
wait_health() {
  local i
  for i in $(seq 100); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/health/live"; then return 0; fi
    sleep 0.05
  done
  die "no health server on port $1"
}

# wait_claw: waits for claw-init to exit; sets CLAW_STATUS.
wait_claw() {
  CLAW_STATUS=0
  wait "$CLAW_PID" || CLAW_STATUS=$?
  CLAW_PID=""
}

# stop_claw: TERM, then wait; sets CLAW_STATUS.
stop_claw() {
  kill -TERM "$CLAW_PID" 2>/dev/null || true
  wait_claw
}

# http METHOD URL: prints the status code; the body is in $WORK/body and the
# headers in $WORK/headers.
http() {
  local method=$1 url=$2 code
  local -a extra=()
  if [ "$method" = HEAD ]; then extra=(-I); else extra=(-X "$method"); fi
  code=$(curl -s -o "$WORK/body" -D "$WORK/headers" --max-time 5 -w '%{http_code}' "${extra[@]}" "$url" || true)
  cat "$WORK/headers" "$WORK/body" >>"$RESPONSES" 2>/dev/null || true
  echo "$code"
}

# json EXPR: evaluates a Python expression over the last body as `j`.
json() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$WORK/body" "$1"
}

# state_of PORT: the "state" field of /health (or "none").
state_of() {
  local body
  body=$(curl -s --max-time 3 "http://127.0.0.1:$1/health" || true)
  python3 -c 'import json,sys
try: print(json.loads(sys.argv[1])["state"])
except Exception: print("none")' "$body"
}

# wait_state PORT STATE [SECONDS]: until /health reports that state.
wait_state() {
  local port=$1 want=$2 limit=${3:-5} i got=""
  for i in $(seq $((limit * 20))); do
    got=$(state_of "$port")
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  die "state stayed '$got', expected '$want'"
}

# wait_listening PORT: until something accepts connections on 127.0.0.1:PORT.
wait_listening() {
  python3 - "$1" <<'PY' || die "nothing listens on port $1"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}
