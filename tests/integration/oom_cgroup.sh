#!/usr/bin/env bash
# The real OOM-kill fixture (tests/integration/lib/oom_cgroup.bash) and
# claw-init's cgroup reader (process/cgroup_memory.h, through the helper
# cgroup_probe) against the kernel: in a child memory cgroup limited to
# 64 MiB, memhog touching 512 MiB dies by SIGKILL and the oom_kill count
# rises by one; memhog touching 16 MiB lives and the count stays; the same
# with claw-init as PID 1 in the cgroup.
# To reuse the fixture in another test, see the head of lib/oom_cgroup.bash.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/oom_cgroup.bash"

oom_cgroup_make 64

check_eq "the reader finds the child cgroup from /proc/self/cgroup" "$OOM_CGROUP" "$(oom_cgroup_probe dir)"
check_eq "the reader sees the 64 MiB limit" "$((64 << 20))" "$(oom_cgroup_probe limit)"
before="$(oom_cgroup_probe oom_kills)"
check_eq "no OOM kill yet" 0 "$before"

# Under the limit: no kill, and the count stays.
oom_cgroup_run "$CLAW_HELPERS/memhog" 16 >"$WORK/small.out" &
small=$!
for _ in $(seq 1 100); do
  grep -q touched "$WORK/small.out" && break
  sleep 0.05
done
check_eq "16 MiB fit under the limit" "memhog: 16 MiB touched" "$(cat "$WORK/small.out")"
kill -TERM "$small"
set +e; wait "$small"; status=$?; set -e
check_eq "memhog 16 ended by our TERM" 143 "$status"
check_eq "no OOM kill for 16 MiB" "$before" "$(oom_cgroup_probe oom_kills)"

# Over it: the kernel's OOM killer ends memhog part way.
started=$(now_ms)
set +e; oom_cgroup_run "$CLAW_HELPERS/memhog" 512 >"$WORK/big.out" 2>"$WORK/big.err"; status=$?; set -e
echo "# memhog 512 ended with status ${status} after $(($(now_ms) - started)) ms"
check_eq "memhog 512 died by SIGKILL" 137 "$status"
check_eq "memhog 512 never got all of it" "" "$(cat "$WORK/big.out")"
check_eq "the OOM-kill count rose by one" "$((before + 1))" "$(oom_cgroup_probe oom_kills)"
peak="$(oom_cgroup_probe peak)"
echo "# peak ${peak} bytes"
check_true "the peak is near the limit (48-64 MiB)" test "$peak" -ge $((48 << 20)) -a "$peak" -le $((64 << 20))
reason="$(oom_cgroup_probe reason)"
check_eq "the log text names the limit and the peak" \
  "killed by the kernel's OOM killer (memory limit 64 MiB, peak" "${reason% [0-9]* MiB)}"
echo "# ${reason}"

# The fixture as the claw-init tests use it: claw-init as PID 1 inside the
# cgroup shares the limit, and the kernel picks memhog, not claw-init.
set +e; oom_cgroup_run as_pid1 -- "$CLAW_HELPERS/memhog" 512 >/dev/null 2>"$WORK/pid1.err"; status=$?; set -e
check_eq "claw-init as PID 1 reports memhog's SIGKILL" 137 "$status"
check_eq "the OOM-kill count rose by one more" "$((before + 2))" "$(oom_cgroup_probe oom_kills)"

finish
