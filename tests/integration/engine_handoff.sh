#!/usr/bin/env bash
# The restart handoff (contract section 7) with the real binary as PID 1, a
# scripted runtime and a scripted handoff command:
# accepted (a fresh run at once, restarts 1, logged; the command ran as the
# runtime user with {pid} = the exited run's pid and saw [runtime.env]),
# rejected, pid mismatch, malformed JSON, non-zero exit, hang past the
# timeout (killed, an ordinary exit), a stop during the handoff.
source "$(dirname "$0")/lib/common.bash"
require_root

# The runtime: records its pid; run 1 exits 0 at once (asking), run 2 waits
# for a TERM. The handoff command: answers as $WORK/mode says.
cat >"$WORK/runtime.sh" <<SH
#!/bin/sh
echo \$\$ >>"$WORK/pids"
n=\$(wc -l <"$WORK/pids")
[ "\$n" -eq 1 ] && exit 0
trap 'exit 0' TERM
while :; do sleep 0.05; done
SH
cat >"$WORK/handoff.sh" <<SH
#!/bin/sh
echo "uid=\$(id -u) mode=\${SUPERVISOR_MODE:-unset} args=\$*" >>"$WORK/handoff.log"
expected="\$2"
last=\$(tail -n1 "$WORK/pids")
case "\$(cat "$WORK/mode")" in
  accept) [ "\$expected" = "\$last" ] && echo '{"ok":true,"status":"accepted"}' || echo '{"ok":true,"status":"pid-mismatch"}' ;;
  mismatch) echo '{"ok":true,"status":"pid-mismatch"}' ;;
  reject) echo '{"ok":true,"status":"none","reason":"missing"}' ;;
  malformed) echo '{"status":"accepted"' ;;
  fail) echo '{"status":"accepted"}'; exit 1 ;;
  hang) sleep 100 ;;
  slow) sleep 3; echo '{"status":"accepted"}' ;;
esac
SH
chmod 755 "$WORK/runtime.sh" "$WORK/handoff.sh"
chmod 755 "$WORK"
cat >"$WORK/profile.toml" <<EOT
[runtime]
command = ["$WORK/runtime.sh"]
[runtime.env]
SUPERVISOR_MODE = "external"
[restart]
handoff = ["$WORK/handoff.sh", "--expected-pid", "{pid}", "--json"]
handoff_timeout = "2s"
EOT

# start MODE [claw-init options]: runs claw-init as PID 1 in the background.
start() {
  echo "$1" >"$WORK/mode"; shift
  : >"$WORK/pids"; : >"$WORK/handoff.log"; chmod 666 "$WORK/pids" "$WORK/handoff.log"
  unshare --pid --fork --mount-proc --kill-child "$CLAW_INIT" --profile "$WORK/profile.toml" "$@" 2>"$WORK/claw.log" &
  RUNNER=$!
}
wait_runs() {  # wait_runs N: until N runs have started (5 s)
  local i
  for i in $(seq 1 100); do [[ $(wc -l <"$WORK/pids") -ge $1 ]] && return 0; sleep 0.05; done
  return 1
}
stop_and_wait() {
  local claw
  claw="$(pid1_of "$RUNNER")" && kill -TERM "$claw" 2>/dev/null || true
  set +e; wait "$RUNNER"; STATUS=$?; set -e
}

# Accepted.
start accept --user 65534:65534
check_true "accepted: a second run starts" wait_runs 2
check_eq "accepted: the handoff ran as the runtime user, saw [runtime.env], got {pid}" \
  "uid=65534 mode=external args=--expected-pid $(head -n1 "$WORK/pids") --json" "$(cat "$WORK/handoff.log")"
stop_and_wait
check_eq "accepted: clean stop afterwards" 0 "$STATUS"
check_true "accepted: logged as asked for by the runtime" grep -q "the runtime asked for a restart (handoff accepted)" "$WORK/claw.log"
check_true "accepted: no backoff" test "$(grep -c "restarting in" "$WORK/claw.log")" = 0

# Every other answer: an ordinary exit 0, with the reason in the log.
for mode in reject mismatch malformed fail hang; do
  started=$(now_ms)
  start "$mode"
  set +e; wait "$RUNNER"; STATUS=$?; set -e
  took=$(($(now_ms) - started))
  check_eq "$mode: an ordinary exit 0" 0 "$STATUS"
  check_eq "$mode: no second run" 1 "$(wc -l <"$WORK/pids")"
  case $mode in
    reject) check_true "reject: the reason is logged" grep -q "status none (missing); an ordinary exit" "$WORK/claw.log" ;;
    mismatch) check_true "mismatch: logged" grep -q "status pid-mismatch; an ordinary exit" "$WORK/claw.log" ;;
    malformed) check_true "malformed: logged" grep -q "not a JSON object" "$WORK/claw.log" ;;
    fail) check_true "fail: logged" grep -q "exit status 1; an ordinary exit" "$WORK/claw.log" ;;
    hang)
      check_true "hang: killed at the 2 s timeout" grep -q "did not answer within 2s; killed" "$WORK/claw.log"
      check_true "hang: ended within 2-6 s (${took} ms)" test "$took" -ge 1900 -a "$took" -lt 6000 ;;
  esac
done

# A stop during the handoff: never a restart.
start slow
for _ in $(seq 1 100); do [[ -s "$WORK/handoff.log" ]] && break; sleep 0.05; done
stop_and_wait
check_eq "stop during the handoff: exit 0" 0 "$STATUS"
check_eq "stop during the handoff: no second run" 1 "$(wc -l <"$WORK/pids")"
check_true "stop during the handoff: no restart logged" test "$(grep -c "asked for a restart" "$WORK/claw.log")" = 0

finish
