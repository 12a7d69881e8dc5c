#!/usr/bin/env bash
# Reaping: 100 orphans that die while the runtime runs leave no zombie, as
# PID 1 and as a subreaper.
source "$(dirname "$0")/lib/common.bash"
require_root

zombies_under() {  # counts zombie processes whose parent is $1
  local n=0 pid
  for pid in $(pgrep -P "$1" 2>/dev/null); do
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && n=$((n + 1))
  done
  echo "$n"
}

# PID 1: orphans are reparented to claw-init.
start_pid1 -- "$CLAW_HELPERS/orphans" 100 100 3000 2>/dev/null
sleep 1.5  # the orphans died 100 ms in; the runtime is still running
check_eq "pid1: no zombie left of 100 orphans" 0 "$(zombies_under "$INIT")"
children=$(pgrep -P "$INIT" | wc -l)
check_eq "pid1: only the runtime is left as a child" 1 "$children"
wait_pid1
check_eq "pid1: runtime's status" 0 "$STATUS"

# Subreaper.
"$CLAW_INIT" -- "$CLAW_HELPERS/orphans" 100 100 3000 2>/dev/null &
INIT=$!
sleep 1.5
check_eq "subreaper: no zombie left of 100 orphans" 0 "$(zombies_under "$INIT")"
check_eq "subreaper: only the runtime is left as a child" 1 "$(pgrep -P "$INIT" | wc -l)"
set +e; wait "$INIT"; status=$?; set -e
check_eq "subreaper: runtime's status" 0 "$status"
finish
