# A real OOM kill on demand: a child memory cgroup with a small limit, for
# tests of "Why the runtime died" (contract section 7). Source it after
# common.bash; it needs root and the helpers memhog and cgroup_probe.
#
#   source "$(dirname "$0")/lib/common.bash"
#   source "$(dirname "$0")/lib/oom_cgroup.bash"
#   oom_cgroup_make 64                     # or SKIP (77) when none can be made
#   set +e
#   oom_cgroup_run as_pid1 -- "$CLAW_HELPERS/memhog" 512   # claw-init inside
#   status=$?
#   set -e
#   check_eq "OOM kill counted" 1 "$(oom_cgroup_probe oom_kills)"
#
# Everything run through oom_cgroup_run (claw-init, the runtime it starts,
# its children) is in the cgroup and shares the limit, so claw-init's own
# /proc/self/cgroup names the cgroup, as it would in a container run with
# `--memory 64m`. The kernel kills the biggest process: memhog, not
# claw-init. The cgroup is removed when the script exits.

# oom_cgroup_make LIMIT_MIB: makes a child of the memory cgroup this shell
# runs in (cgroup v1 memory controller, else v2), limited to LIMIT_MIB with
# no swap beyond it; sets OOM_CGROUP (its directory) and OOM_CGROUP_VERSION.
oom_cgroup_make() {
  local limit=$(($1 << 20)) found parent
  require_root "to make a memory cgroup"
  [[ -x "$CLAW_HELPERS/cgroup_probe" && -x "$CLAW_HELPERS/memhog" ]] ||
    die "needs the helpers cgroup_probe and memhog in $CLAW_HELPERS (ninja -C build cgroup_probe memhog)"
  found="$("$CLAW_HELPERS/cgroup_probe" 2>&1)" || skip "no memory cgroup to make a child of: ${found}"
  parent="$(sed -n 's/^dir=//p' <<<"$found")"
  OOM_CGROUP_VERSION="$(sed -n 's/^version=//p' <<<"$found")"
  OOM_CGROUP="$parent/claw-oom-$$"
  mkdir "$OOM_CGROUP" 2>"$WORK/oom_cgroup.err" ||
    skip "cannot make a memory cgroup under $parent: $(cat "$WORK/oom_cgroup.err")"
  CLEANUP_CMDS+=("oom_cgroup_remove")
  if [[ $OOM_CGROUP_VERSION == 1 ]]; then
    echo "$limit" >"$OOM_CGROUP/memory.limit_in_bytes"
    # memory+swap no higher than memory: the kernel kills instead of swapping.
    if [[ -e "$OOM_CGROUP/memory.memsw.limit_in_bytes" ]]; then
      echo "$limit" >"$OOM_CGROUP/memory.memsw.limit_in_bytes"
    fi
  else
    if [[ ! -e "$OOM_CGROUP/memory.max" ]] && ! echo +memory >"$parent/cgroup.subtree_control" 2>/dev/null; then
      skip "the memory controller cannot be enabled below $parent (a v2 cgroup with processes of its own)"
    fi
    echo "$limit" >"$OOM_CGROUP/memory.max"
    if [[ -e "$OOM_CGROUP/memory.swap.max" ]]; then echo 0 >"$OOM_CGROUP/memory.swap.max"; fi
  fi
  echo "# memory cgroup v${OOM_CGROUP_VERSION} ${OOM_CGROUP}, limit $1 MiB"
}

# oom_cgroup_run CMD...: runs CMD inside $OOM_CGROUP (a subshell moves
# itself there and execs CMD, or calls it when it is a shell function such
# as as_pid1); returns CMD's status.
oom_cgroup_run() {
  (
    echo "$BASHPID" >"$OOM_CGROUP/cgroup.procs"
    if [[ $(type -t "$1") == function ]]; then "$@"; else exec "$@"; fi
  )
}

# oom_cgroup_probe KEY: what claw-init's reader (cgroup_probe, run inside
# the cgroup) says for KEY: version, dir, oom_kills, limit, peak, reason.
oom_cgroup_probe() {
  oom_cgroup_run "$CLAW_HELPERS/cgroup_probe" | sed -n "s/^$1=//p"
}

# Kills what is left in the cgroup and removes it (run at exit).
oom_cgroup_remove() {
  local i pid
  [[ -n "${OOM_CGROUP:-}" && -d "$OOM_CGROUP" ]] || return 0
  for i in $(seq 1 50); do
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$OOM_CGROUP/cgroup.procs"
    rmdir "$OOM_CGROUP" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "oom_cgroup: could not remove $OOM_CGROUP" >&2
}
