# Shared helpers of the integration tests. Each test is one bash script run
# by ctest with CLAW_INIT (the binary), CLAW_HELPERS (helper programs),
# CLAW_SRC and CLAW_BUILD in its environment. Exit 77 means SKIP.
set -euo pipefail

: "${CLAW_INIT:?CLAW_INIT must point at the claw-init binary}"
: "${CLAW_HELPERS:=$(dirname "$CLAW_INIT")/helpers}"
TEST_NAME="$(basename "$0" .sh)"
WORK="$(mktemp -d "/tmp/claw-test-${TEST_NAME}.XXXXXX")"
FAILURES=0
PASSES=0
export CLAW_HEALTH_LISTEN="${CLAW_HEALTH_LISTEN:-off}"  # tests opt in to the health server

MAIN_PID=$$
# Only the test's own shell cleans up: a forked subshell killed before it
# execs (a test signalling a job early) runs EXIT traps too.
cleanup_work() { [[ $BASHPID == "$MAIN_PID" ]] && rm -rf "$WORK"; return 0; }
trap cleanup_work EXIT

skip() {
  echo "SKIP: ${TEST_NAME}: $*" >&2
  echo "SKIP: ${TEST_NAME}: $*"
  exit 77
}

require_root() { [[ $(id -u) -eq 0 ]] || skip "needs root (PID namespaces)"; }
require_tool() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (run scripts/install-deps.sh)"; }

pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL - $*" >&2; echo "FAIL - $*"; }

# check DESCRIPTION EXPECTED ACTUAL
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_true DESCRIPTION COMMAND...
check_true() {
  local what="$1"; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
  echo "${TEST_NAME}: ${PASSES} passed, ${FAILURES} failed"
  [[ $FAILURES -eq 0 ]]
}

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

now_ms() { date +%s%3N; }

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
