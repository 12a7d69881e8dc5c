# Helpers of the integration tests (tests/integration/*.sh) on top of
# tests/lib/testlib.bash (checks, skip, finish, cleanup). Each test is one
# bash script run by ctest with CLAW_INIT (the binary), CLAW_HELPERS (helper
# programs), CLAW_SRC and CLAW_BUILD in its environment; by hand, CLAW_INIT
# is enough: `CLAW_INIT=$PWD/build/claw-init bash tests/integration/engine_io.sh`.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/testlib.bash"

: "${CLAW_INIT:?CLAW_INIT must point at the claw-init binary}"
: "${CLAW_HELPERS:=$(dirname "$CLAW_INIT")/helpers}"
export CLAW_HEALTH_LISTEN="${CLAW_HEALTH_LISTEN:-off}"  # tests opt in to the health server

# Runs claw-init as PID 1 of a new PID namespace (with its own /proc).
# Prints nothing itself; returns claw-init's exit status.
as_pid1() { unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" "$@"; }

# The pid (in our namespace) of the claw-init started by the unshare whose
# pid is $1: unshare's only child.
pid1_of() {
  local parent="$1" child="" i
  for i in $(seq 1 200); do
    child="$(pgrep -P "$parent" | head -n1 || true)"
    [[ -n "$child" ]] && { echo "$child"; return 0; }
    sleep 0.01
  done
  return 1
}

# start_pid1 ARGS...: claw-init ARGS as PID 1 of a new PID namespace, in
# the background (the caller redirects its output); sets UNSHARE_PID (the
# unshare, whose status is claw-init's) and INIT (claw-init's pid in our
# namespace, to signal). unshare itself is the background job: a backgrounded
# function (as_pid1 &) would put a subshell between.
start_pid1() {
  unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" "$@" &
  UNSHARE_PID=$!
  INIT="$(pid1_of "$UNSHARE_PID")"
}

# wait_pid1: waits for the claw-init of start_pid1; sets STATUS.
wait_pid1() {
  STATUS=0
  wait "$UNSHARE_PID" || STATUS=$?
}

# stop_pid1: TERM to the claw-init of start_pid1, then wait_pid1; sets STATUS
# and ELAPSED (ms from the TERM to its exit).
stop_pid1() {
  local t0
  t0=$(now_ms)
  kill -TERM "$INIT" 2>/dev/null || true
  wait_pid1
  ELAPSED=$(( $(now_ms) - t0 ))
}

# wait_for_file FILE [TENTHS]: waits until FILE exists (default 5 s).
wait_for_file() {
  local i
  for i in $(seq 1 "${2:-50}"); do
    [[ -e "$1" ]] && return 0
    sleep 0.1
  done
  return 1
}

# wait_for_exit PID [TENTHS]: waits until PID is gone (default 10 s).
wait_for_exit() {
  local i
  for i in $(seq 1 "${2:-100}"); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}


# wait_for_exec PID: waits until PID runs claw-init (the fork has exec'd).
wait_for_exec() {
  local want i
  want="$(readlink -f "$CLAW_INIT")"
  for i in $(seq 1 200); do
    [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == "$want" ]] && return 0
    sleep 0.005
  done
  return 1
}
