#!/usr/bin/env bash
# Exit status: every code 0-255 passes through, 128+N for a signal, 127 for
# a missing command, 126 for a file that is not executable, remapping with
# -e. As PID 1 and as a subreaper.
source "$(dirname "$0")/lib/common.bash"
require_root

for mode in pid1 subreaper; do
  run() { if [[ $mode == pid1 ]]; then as_pid1 "$@"; else "$CLAW_INIT" "$@"; fi; }
  bad=""
  for code in $(seq 0 255); do
    set +e; run -- /bin/sh -c "exit $code" 2>/dev/null; got=$?; set -e
    [[ $got -eq $code ]] || bad+=" $code->$got"
  done
  check_eq "$mode: exit codes 0-255 pass through" "" "$bad"

  for sig in HUP INT USR1 USR2 TERM KILL SEGV ABRT; do
    num=$(kill -l "$sig")
    set +e; run -- /bin/sh -c "kill -$sig \$\$" 2>/dev/null; got=$?; set -e
    check_eq "$mode: death by SIG$sig is 128+$num" "$((128 + num))" "$got"
  done

  set +e; run -- /nonexistent/command 2>"$WORK/err"; got=$?; set -e
  check_eq "$mode: missing command is 127" 127 "$got"
  check_true "$mode: missing command named on stderr" grep -q "/nonexistent/command" "$WORK/err"
  set +e; run -- no-such-command-anywhere 2>/dev/null; got=$?; set -e
  check_eq "$mode: command not in PATH is 127" 127 "$got"

  printf '#!/bin/sh\nexit 0\n' > "$WORK/noexec"; chmod 0644 "$WORK/noexec"
  set +e; run -- "$WORK/noexec" 2>/dev/null; got=$?; set -e
  check_eq "$mode: non-executable file is 126" 126 "$got"
  set +e; run -- "$WORK" 2>/dev/null; got=$?; set -e
  check_eq "$mode: a directory is 126" 126 "$got"

  set +e; run -e 3 -e 5 -- /bin/sh -c "exit 3" 2>/dev/null; got=$?; set -e
  check_eq "$mode: -e 3 remaps 3 to 0" 0 "$got"
  set +e; run -e 3 -- /bin/sh -c "exit 4" 2>/dev/null; got=$?; set -e
  check_eq "$mode: -e 3 leaves 4 alone" 4 "$got"

  set +e; run --restart sometimes -- true 2>/dev/null; got=$?; set -e
  check_eq "$mode: bad option is a usage error" 2 "$got"
  set +e; CLAW_RESTART=sometimes run -- true 2>/dev/null; got=$?; set -e
  check_eq "$mode: bad env value is a configuration error" 78 "$got"
  set +e; run -- 2>/dev/null; got=$?; set -e
  check_eq "$mode: '--' alone is a usage error" 2 "$got"
done
finish
