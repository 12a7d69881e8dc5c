#!/usr/bin/env bash
# claw-init's own working directory is / once it runs the runtime, so it does
# not hold the directory it was started in (a mount) busy; the runtime still
# starts in the profile's workdir or, without one, in the directory claw-init
# was started in, on every restart, and a relative command keeps working.
source "$(dirname "$0")/lib/common.bash"
require_root
chmod 755 "$WORK"
export CLAW_CONFIG_MODE=off

# The runtime: ./run.sh, relative to the start directory. Each run appends
# "<its cwd><TAB><claw-init's cwd>" to $LOG; runs 1 and 2 fail, run 3 exits 0.
START="$WORK/start dir"  # a space, to be sure the path is passed whole
mkdir -p "$START"
LOG="$WORK/runs"
cat >"$START/run.sh" <<EOF2
#!/bin/sh
printf '%s\t%s\n' "\$(readlink /proc/self/cwd)" "\$(readlink /proc/\$PPID/cwd)" >> "$LOG"
[ "\$(wc -l < "$LOG")" -ge 3 ] && exit 0
exit 1
EOF2
chmod 755 "$START/run.sh"
RESTART=(--restart on-failure --backoff-initial 50ms --backoff-max 50ms)

# check_runs WHAT RUNTIME_CWD: three runs, each in RUNTIME_CWD, claw-init in /.
check_runs() {
  check_eq "$1: three runs (a relative command works on every restart)" 3 "$(grep -c '' "$LOG" 2>/dev/null || echo 0)"
  local n=0 line
  while IFS= read -r line; do
    n=$((n + 1))
    check_eq "$1, run $n: the runtime starts in $2" "$2" "${line%$'\t'*}"
    check_eq "$1, run $n: claw-init's own cwd is /" "/" "${line##*$'\t'}"
  done <"$LOG"
}

# 1. Not PID 1, no workdir: the start directory, every time.
rm -f "$LOG"
set +e; (cd "$START" && "$CLAW_INIT" "${RESTART[@]}" -- ./run.sh 2>"$WORK/err1"); rc=$?; set -e
check_eq "sub: the last run's status" 0 "$rc"
check_runs "sub" "$START"

# 2. As PID 1, no workdir.
rm -f "$LOG"
set +e; (cd "$START" && as_pid1 "${RESTART[@]}" -- ./run.sh 2>"$WORK/err2"); rc=$?; set -e
check_eq "pid1: the last run's status" 0 "$rc"
check_runs "pid1" "$START"

# 3. A profile workdir wins, as PID 1 and not. A relative command is looked
#    up from the start directory but run from the workdir (as it always
#    was), so both hold a run.sh.
W="$WORK/work"
mkdir -p "$W"
cp "$START/run.sh" "$W/run.sh"
cat >"$WORK/profile.toml" <<EOF2
[runtime]
name = "cwd-test"
workdir = "$W"
EOF2
for how in sub pid1; do
  rm -f "$LOG"
  if [[ $how == pid1 ]]; then launch=(as_pid1); else launch=("$CLAW_INIT"); fi
  set +e; (cd "$START" && "${launch[@]}" --profile "$WORK/profile.toml" "${RESTART[@]}" -- ./run.sh 2>"$WORK/err3"); rc=$?; set -e
  check_eq "$how, workdir: the last run's status" 0 "$rc"
  check_runs "$how, workdir" "$W"
done

# 4. The mount claw-init was started on can be unmounted while it runs (in a
#    mount namespace of our own), since only claw-init was there.
if unshare --mount --propagation private true 2>/dev/null; then
  cat >"$WORK/mount.sh" <<'EOF2'
set -u
mnt="$1"; init="$2"; work="$3"
mount -t tmpfs none "$mnt" || exit 10
cd "$mnt"
"$init" -- /bin/sh -c "cd /; echo ready > '$work/mnt.ready'; exec sleep 1000" 2>/dev/null &
pid=$!
for i in $(seq 1 100); do [ -e "$work/mnt.ready" ] && break; sleep 0.05; done
cd /
umount "$mnt" 2>"$work/umount.err"; echo "umount=$?" > "$work/mnt.result"
kill -TERM "$pid"; wait "$pid"
EOF2
  mkdir -p "$WORK/mnt"
  unshare --mount --propagation private bash "$WORK/mount.sh" "$WORK/mnt" "$CLAW_INIT" "$WORK" || true
  check_eq "the start directory's mount is not kept busy by claw-init" "umount=0" "$(cat "$WORK/mnt.result" 2>/dev/null)"
  [[ -s $WORK/umount.err ]] && cat "$WORK/umount.err"
else
  echo "# no mount namespaces here: the umount case is not run"
fi

# 5. A start directory removed before a restart: that start fails (126) and
#    says why; one removed before claw-init starts cannot be named, so
#    claw-init stays in it and the runtime inherits it, as before.
D="$WORK/doomed"
mkdir -p "$D"
set +e
(cd "$D" && "$CLAW_INIT" "${RESTART[@]}" --max-restarts 1 -- /bin/sh -c "rmdir '$D'; exit 1" 2>"$WORK/err5")
rc=$?
set -e
check_eq "removed before a restart: that start fails with 126" 126 "$rc"
check_true "removed before a restart: the log names the step and the directory" \
  grep -qF "chdir to the start directory $D: No such file or directory" "$WORK/err5"
mkdir -p "$D"
set +e
(cd "$D" && rmdir "$D" && "$CLAW_INIT" -- /bin/sh -c 'readlink /proc/self/cwd' >"$WORK/out6" 2>"$WORK/err6")
rc=$?
set -e
check_eq "removed before the start: the runtime still runs" 0 "$rc"
check_eq "removed before the start: it inherits the directory" "$D (deleted)" "$(cat "$WORK/out6")"
check_true "removed before the start: claw-init says it stays" grep -q "getcwd: .*stays in its working directory" "$WORK/err6"
finish
