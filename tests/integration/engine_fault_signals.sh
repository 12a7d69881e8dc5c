#!/usr/bin/env bash
# Fault signals sent by another process (kill, sigqueue, tgkill: si_code <= 0)
# are forwarded like any other signal, as PID 1 and not; claw-init survives
# them and still exits with the runtime's status. --rewrite and
# --single-child apply to them. (A fault of claw-init's own still ends it:
# signals_test.cc forks a blocked child that segfaults, aborts, or reads a
# kernel-coded SIGBUS from its signalfd.)
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool python3
REC="$CLAW_HELPERS/sigrecord"
KILL=/usr/bin/kill  # procps kill: -q sends with sigqueue (SI_QUEUE)
"$KILL" -q 1 -s 0 $$ 2>/dev/null || skip "needs a kill with -q (procps)"
FAULTS=(ILL TRAP ABRT BUS FPE SEGV SYS)
FAULT_NUMBERS=(4 5 6 7 8 11 31)
export SIGRECORD_STATUS=42  # the recorder exits 42 on TERM

# tgkill(pid, pid, sig): aimed at the main thread (SI_TKILL).
tgkill() { python3 -c 'import ctypes, sys; p, s = int(sys.argv[1]), int(sys.argv[2]); sys.exit(ctypes.CDLL(None).tgkill(p, p, s) != 0)' "$1" "$2"; }

received() { grep -qx "$2" "$1" 2>/dev/null; }
missing_from() {  # missing_from FILE: fault numbers FILE lacks
  local s out=""
  for s in "${FAULT_NUMBERS[@]}"; do received "$1" "$s" || out+=" $s"; done
  echo "$out"
}
state_of() { cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || echo gone; }

# start OUT pid1|sub [claw-init options...]: starts claw-init running the
# recorder (with a second recorder in its group); sets INIT (claw-init's pid
# here) and WAITFOR (the pid to wait for: unshare, or claw-init itself).
start() {
  local out="$1" how="$2"; shift 2
  if [[ $how == pid1 ]]; then
    unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" --log-level debug "$@" -- "$REC" --fork "$out" \
      >/dev/null 2>"$out.err" &
    WAITFOR=$!
    INIT="$(pid1_of "$WAITFOR")"
  else
    "$CLAW_INIT" --log-level debug "$@" -- "$REC" --fork "$out" >/dev/null 2>"$out.err" &
    WAITFOR=$!
    INIT=$WAITFOR
  fi
  wait_for_file "$out.ready" && wait_for_file "$out.child.ready" || { fail "recorder did not start"; cat "$out.err"; }
  RUNTIME="$(pgrep -P "$INIT" | head -n1 || true)"
}

# Stops claw-init with TERM; sets STATUS. A claw-init that died of a fault
# signal would have orphaned its runtime: that group is killed here.
stop() {
  kill -TERM "$INIT" 2>/dev/null || true
  set +e; timeout 20 tail --pid="$WAITFOR" -f /dev/null; wait "$WAITFOR"; STATUS=$?; set -e
  [[ -n $RUNTIME ]] && kill -KILL -- "-$RUNTIME" 2>/dev/null || true
}

# send_all HOW PID: every fault signal, with kill, sigqueue or tgkill. A
# claw-init that dies of the first one fails the checks, not the script.
send_all() {
  local s
  for s in "${FAULTS[@]}"; do
    case $1 in
      kill) kill -s "$s" "$2" ;;
      sigqueue) "$KILL" -q 7 -s "$s" "$2" ;;
      tgkill) tgkill "$2" "$(kill -l "$s")" ;;
    esac 2>/dev/null || true
    sleep 0.02
  done
}

for how in pid1 sub; do
  for sender in kill sigqueue tgkill; do
    what="$how, $sender"
    out="$WORK/$how-$sender"
    start "$out" "$how"
    send_all "$sender" "$INIT"
    sleep 0.5
    check_eq "$what: claw-init survives every fault signal" S "$(state_of "$INIT")"
    check_eq "$what: every fault signal reaches the runtime" "" "$(missing_from "$out")"
    check_eq "$what: ... and its process group" "" "$(missing_from "$out.child")"
    code=$(case $sender in kill) echo 0 ;; sigqueue) echo -1 ;; tgkill) echo -6 ;; esac)
    check_true "$what: claw-init read them with code $code" grep -q "forwarded SEGV (code $code)" "$out.err"
    stop
    check_eq "$what: claw-init exits with the runtime's status" 42 "$STATUS"
  done
done

# --rewrite applies: SEGV goes on as USR1, ABRT is dropped.
out="$WORK/rewrite"
start "$out" sub -r SEGV:USR1 -r ABRT:0
kill -SEGV "$INIT"; kill -ABRT "$INIT" 2>/dev/null || true; kill -BUS "$INIT" 2>/dev/null || true; sleep 0.5
check_true "rewrite: SEGV arrives as USR1" received "$out" 10
check_true "rewrite: SEGV itself does not" bash -c "! grep -qx 11 '$out'"
check_true "rewrite: ABRT is dropped" bash -c "! grep -qx 6 '$out'"
check_true "rewrite: BUS still goes on" received "$out" 7
check_eq "rewrite: claw-init survives" S "$(state_of "$INIT")"
stop
check_eq "rewrite: the runtime's status" 42 "$STATUS"

# --single-child: only the child gets it.
out="$WORK/single"
start "$out" pid1 --single-child
kill -FPE "$INIT"; sleep 0.5
check_true "single-child: the child gets FPE" received "$out" 8
check_true "single-child: the group member does not" bash -c "! grep -qx 8 '$out.child'"
stop
check_eq "single-child: the runtime's status" 42 "$STATUS"

# Not PID 1, the runtime is not orphaned: it is still claw-init's child.
out="$WORK/orphan"
start "$out" sub
kill -SEGV "$INIT"; kill -ABRT "$INIT" 2>/dev/null || true; sleep 0.3
check_eq "subreaper: the runtime's parent is still claw-init" "$INIT" "$(ps -o ppid= -p "$RUNTIME" | tr -d ' ')"
stop
check_eq "subreaper: the runtime's status after SEGV and ABRT" 42 "$STATUS"
finish
