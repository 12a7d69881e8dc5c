# The one bash library of the test scripts (tests/integration/*.sh,
# tests/container/*.sh). Sourced first by tests/integration/lib/common.bash,
# tests/helpers/health_lib.bash and tests/container/lib/container.bash, which
# add only their own helpers on top. Each test is one bash script, run by
# ctest or by hand; exit 77 means SKIP.
#
# Every assertion takes its description first, then what is expected, then
# what was got:
#   check_eq DESCRIPTION EXPECTED ACTUAL
#   check_true DESCRIPTION COMMAND...
#   pass DESCRIPTION, fail DESCRIPTION    counted; a failure does not stop the script
#   die MESSAGE                           a failure after which nothing can be checked
# and every script ends with `finish`, which fails when a check failed or
# when no check ran at all.
set -euo pipefail

[[ -z "${CLAW_TESTLIB_LOADED:-}" ]] || return 0  # sourced once per script
CLAW_TESTLIB_LOADED=1

CLAW_SRC="${CLAW_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TEST_NAME="$(basename "$0" .sh)"
WORK="$(mktemp -d "/tmp/claw-test-${TEST_NAME}.XXXXXX")"
PASSES=0
FAILURES=0
FINISHED=0
# Commands run (eval'd, in this order, output dropped) when the script exits;
# then $WORK is removed, unless CLAW_TEST_KEEP=1.
CLEANUP_CMDS=()
# A command run after every failure, to show what led to it (health_lib.bash
# prints the last response body and the claw-init log).
FAIL_HOOK=""

# Only the test's own shell cleans up: a forked subshell killed before it
# execs (a test signalling a job early) runs EXIT traps too.
TESTLIB_MAIN_PID=$$
testlib_exit() {
  local status=$? cmd
  [[ $BASHPID == "$TESTLIB_MAIN_PID" ]] || return 0
  for cmd in "${CLEANUP_CMDS[@]}"; do
    eval "$cmd" >/dev/null 2>&1 || true
  done
  if [[ "${CLAW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  if ((!FINISHED)) && [[ $status != 77 ]]; then
    # Stopped by `set -e` or an exit before `finish`: say so, and never pass.
    echo "FAIL - ${TEST_NAME}: exited (status ${status}) before finish; ${PASSES} passed, ${FAILURES} failed" >&2
    ((status != 0)) || exit 1
  fi
}
trap testlib_exit EXIT

skip() {
  echo "SKIP: ${TEST_NAME}: $*" >&2
  echo "SKIP: ${TEST_NAME}: $*"
  exit 77
}

# require_tool NAME: skips unless NAME is on PATH. Keep calls in this form,
# one tool a line: tests/container/fresh_debian.sh greps `require_tool X` to
# learn what the suite needs installed.
require_tool() { command -v "$1" >/dev/null 2>&1 || skip "needs $1 (run scripts/install-deps.sh)"; }
# require_root [WHY]
require_root() { [[ $(id -u) -eq 0 ]] || skip "needs root (${1:-PID namespaces})"; }

pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() {
  FAILURES=$((FAILURES + 1))
  echo "FAIL - $*" >&2
  echo "FAIL - $*"
  if [[ -n "$FAIL_HOOK" ]]; then $FAIL_HOOK >&2 || true; fi
}
# A fatal step: nothing after it can be checked.
die() { fail "$*"; finish || true; exit 1; }

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_true DESCRIPTION COMMAND...
check_true() {
  local what="$1"; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

now_ms() { date +%s%3N; }

# The last command of every script: fails when a check failed, and when no
# check ran (a script that checks nothing proves nothing).
finish() {
  FINISHED=1
  echo "${TEST_NAME}: ${PASSES} passed, ${FAILURES} failed"
  if ((PASSES + FAILURES == 0)); then
    echo "FAIL - ${TEST_NAME}: no check ran" >&2
    echo "FAIL - ${TEST_NAME}: no check ran"
    return 1
  fi
  ((FAILURES == 0))
}
