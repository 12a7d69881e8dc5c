#!/usr/bin/env bash
# Job control. Not PID 1 (run from a shell): TSTP, TTIN and TTOU received by
# claw-init go on to the runtime's group (as STOP when the runtime has its
# own session, whose orphaned group would discard them) and claw-init stops
# too; CONT resumes both. From a terminal: Ctrl-Z stops the runtime (the
# foreground group) and claw-init follows it, so the shell gets its prompt
# back; fg gives the terminal back to the runtime. As PID 1: forwarded only.
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool python3
require_tool bash
REC="$CLAW_HELPERS/sigrecord"
export SIGRECORD_STATUS=42

state_of() { cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null || echo gone; }
# wait_state PID STATE: waits up to 5 s for PID to be in STATE (S, T, ...).
wait_state() {
  local i
  for i in $(seq 1 100); do
    [[ "$(state_of "$1")" == "$2" ]] && return 0
    sleep 0.05
  done
  return 1
}
received() { grep -qx "$2" "$1" 2>/dev/null; }

# 1. Not PID 1, stdin not a terminal: kill -TSTP/-TTIN/-TTOU, then CONT.
out="$WORK/sub"
"$CLAW_INIT" -- "$REC" --fork "$out" </dev/null >/dev/null 2>"$WORK/sub.err" &
INIT=$!
wait_for_file "$out.ready" && wait_for_file "$out.child.ready" || fail "recorder did not start"
RT="$(pgrep -P "$INIT" | head -n1)"
for s in TSTP TTIN TTOU; do
  : >"$out"
  kill -s "$s" "$INIT"
  check_true "sub: $s stops claw-init" wait_state "$INIT" T
  check_true "sub: $s stops the runtime (as STOP)" wait_state "$RT" T
  check_true "sub: $s itself is not sent (the orphaned group would discard it)" \
    bash -c "! grep -qx $(kill -l "$s") '$out'"
  kill -CONT "$INIT"
  check_true "sub: CONT after $s resumes claw-init" wait_state "$INIT" S
  check_true "sub: CONT after $s resumes the runtime" wait_state "$RT" S
  sleep 0.2
  check_true "sub: CONT after $s reaches the runtime" received "$out" 18
done
kill -CONT "$INIT" "$RT" 2>/dev/null || true
kill -TERM "$INIT"
set +e; wait "$INIT"; STATUS=$?; set -e
kill -KILL -- "-$RT" 2>/dev/null || true  # whatever a failed case left
check_eq "sub: exits with the runtime's status after stops" 42 "$STATUS"

# 2. --rewrite TSTP:TSTP sends TSTP itself (the recorder catches it and runs
#    on); claw-init still stops, since it passed on a stop signal.
out="$WORK/rewrite"
"$CLAW_INIT" -r TSTP:TSTP -- "$REC" "$out" </dev/null >/dev/null 2>/dev/null &
INIT=$!
wait_for_file "$out.ready" || fail "recorder did not start"
RT="$(pgrep -P "$INIT" | head -n1)"
kill -TSTP "$INIT"
check_true "rewrite: claw-init stops" wait_state "$INIT" T
sleep 0.3
check_true "rewrite: the runtime got TSTP" received "$out" 20
check_eq "rewrite: the runtime caught it and runs on" S "$(state_of "$RT")"
kill -CONT "$INIT"
check_true "rewrite: CONT resumes claw-init" wait_state "$INIT" S
kill -CONT "$INIT" 2>/dev/null || true
kill -TERM "$INIT"
set +e; wait "$INIT"; STATUS=$?; set -e
kill -KILL -- "-$RT" 2>/dev/null || true
check_eq "rewrite: the runtime's status" 42 "$STATUS"

# 3. As PID 1: TSTP is only forwarded, claw-init runs on.
out="$WORK/pid1"
start_pid1 -- "$REC" "$out" </dev/null >/dev/null 2>/dev/null
wait_for_file "$out.ready" || fail "recorder did not start"
kill -TSTP "$INIT"; kill -TTIN "$INIT"
sleep 0.5
check_true "pid1: TSTP reaches the runtime as TSTP" received "$out" 20
check_true "pid1: TTIN reaches the runtime as TTIN" received "$out" 21
check_eq "pid1: claw-init is not stopped" S "$(state_of "$INIT")"
kill -CONT "$INIT"; sleep 0.3
check_true "pid1: CONT reaches the runtime" received "$out" 18
stop_pid1
check_eq "pid1: the runtime's status" 42 "$STATUS"

# 4. From a terminal: an interactive bash on a pseudo-terminal runs claw-init
#    as a job; Ctrl-Z, bg, fg and Ctrl-C as a user would type them.
cat >"$WORK/terminal_jobs.py" <<'PY'
import os, pty, re, signal, sys, threading, time

init, work = sys.argv[1], sys.argv[2]
out = []
failures = []
started = []  # every claw-init and runtime pid, killed at the end

def bail(*_):
    failures.append("the terminal scenarios did not finish in time")
    print("FAIL - the terminal scenarios did not finish in time")
    finish()

signal.signal(signal.SIGALRM, bail)
signal.alarm(150)

def check(what, ok):
    print(("ok - " if ok else "FAIL - ") + what)
    if not ok:
        failures.append(what)

def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return {"state": fields[0], "pgrp": int(fields[2]), "tpgid": int(fields[5])}
    except (OSError, ValueError, IndexError):
        return {"state": "gone", "pgrp": 0, "tpgid": 0}

def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []

def until(cond, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()

env = dict(os.environ, PS1="PROMPT> ", TERM="dumb", HISTFILE="/dev/null")
shell, fd = pty.fork()
if shell == 0:
    os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)

def reader():
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            return
        if not data:
            return
        out.append(data.decode(errors="replace"))

threading.Thread(target=reader, daemon=True).start()
text = lambda: "".join(out)
type_ = lambda s: os.write(fd, s.encode())
until(lambda: "PROMPT> " in text())

def start(cmd):
    """Starts a claw-init job; returns (claw-init, runtime) pids."""
    type_(cmd + "\n")
    until(lambda: any(children(c) for c in children(shell)))
    cl = [c for c in children(shell) if children(c)]
    if not cl:
        check(f"{cmd}: claw-init and its runtime started", False)
        return 0, 0
    started.extend([cl[0], children(cl[0])[0]])
    return cl[0], children(cl[0])[0]

def status_after(label):
    """Ends the foreground job with Ctrl-C and reads its exit status."""
    mark = len(text())
    type_("\x03")
    time.sleep(0.3)
    type_("echo status=$((0 + $?))\n")
    found = lambda: re.search(r"status=(\d+)", text()[mark:])
    until(found)
    got = found().group(1) if found() else "none"
    check(f"{label}: Ctrl-C ends it; claw-init exits 130, got {got}", got == "130")

shell_pgrp = stat(shell)["pgrp"]

# a) stdin is the terminal: the runtime is the foreground group.
ci, rt = start(f"{init} -- sleep 1000")
check("tty: the runtime is the terminal's foreground group", until(lambda: stat(rt)["tpgid"] == rt))
mark = len(text())
type_("\x1a")  # Ctrl-Z
check("tty: Ctrl-Z stops the runtime", until(lambda: stat(rt)["state"] == "T"))
check("tty: claw-init stops with it", until(lambda: stat(ci)["state"] == "T"))
check("tty: the shell reports the job stopped", until(lambda: "Stopped" in text()[mark:]))
check("tty: the shell has the terminal back", until(lambda: stat(rt)["tpgid"] == shell_pgrp))
type_("fg\n")
check("tty: fg resumes claw-init", until(lambda: stat(ci)["state"] == "S"))
check("tty: fg resumes the runtime", until(lambda: stat(rt)["state"] == "S"))
check("tty: fg gives the terminal back to the runtime", until(lambda: stat(rt)["tpgid"] == rt))
time.sleep(0.3)
check("tty: and claw-init stays running", stat(ci)["state"] == "S")
status_after("tty")

# A runtime that reads a line from the terminal once `go` exists.
reader_cmd = lambda go: (f"{init} -- /bin/sh -c 'while [ ! -e {go} ]; do sleep 0.05; done; "
                         f"read x; echo \"read:$x\"; exec sleep 1000'")

# b) Ctrl-Z, bg: both run, the shell keeps the terminal. Then fg: bash sends
#    a running job no CONT, so the runtime gets the terminal when it first
#    reads it (stopped by TTIN while claw-init's job is in the foreground).
go = os.path.join(work, "go-b")
ci, rt = start(reader_cmd(go))
until(lambda: stat(rt)["tpgid"] == rt)
type_("\x1a")
until(lambda: stat(ci)["state"] == "T")
type_("bg\n")
check("bg: claw-init runs", until(lambda: stat(ci)["state"] == "S"))
check("bg: the runtime runs", until(lambda: stat(rt)["state"] == "S"))
time.sleep(0.3)
check("bg: the shell keeps the terminal", stat(rt)["tpgid"] == shell_pgrp)
check("bg: claw-init stays running", stat(ci)["state"] == "S")
type_("fg\n")
check("bg, then fg: claw-init's job has the terminal", until(lambda: stat(rt)["tpgid"] == stat(ci)["pgrp"]))
open(go, "w").close()
check("bg, then fg: the runtime's first read gives it the terminal", until(lambda: stat(rt)["tpgid"] == rt))
mark = len(text())
type_("hello\n")
check("bg, then fg: the runtime reads the line typed", until(lambda: "read:hello" in text()[mark:]))
check("bg, then fg: claw-init was not stopped by it", stat(ci)["state"] == "S")
status_after("bg, then fg")

# c) Started in the background with &: the runtime does not take the
#    terminal from the shell; its read stops it and claw-init, as a job
#    reading from the background; fg resumes both with the terminal.
go = os.path.join(work, "go-c")
ci, rt = start(reader_cmd(go) + " &")
time.sleep(0.5)
check("&: the shell keeps the terminal", stat(rt)["tpgid"] == shell_pgrp)
check("&: claw-init runs", stat(ci)["state"] == "S")
mark = len(text())
open(go, "w").close()
check("&: a read from the background stops the runtime", until(lambda: stat(rt)["state"] == "T"))
check("&: and claw-init", until(lambda: stat(ci)["state"] == "T"))
type_("\n")  # the shell reports stopped jobs before its next prompt
check("&: the shell reports the job stopped", until(lambda: "Stopped" in text()[mark:]))
type_("fg\n")
check("&, then fg: the runtime has the terminal", until(lambda: stat(rt)["tpgid"] == rt))
check("&, then fg: both run", until(lambda: stat(rt)["state"] == "S" and stat(ci)["state"] == "S"))
mark = len(text())
type_("hello\n")
check("&, then fg: the runtime reads the line typed", until(lambda: "read:hello" in text()[mark:]))
status_after("&, then fg")

# d) stdin not the terminal: the runtime has its own session, Ctrl-Z reaches
#    claw-init (the foreground job), which stops the runtime and itself.
ci, rt = start(f"{init} -- sleep 1000 </dev/null")
time.sleep(0.3)
mark = len(text())
type_("\x1a")
check("no tty: Ctrl-Z stops claw-init", until(lambda: stat(ci)["state"] == "T"))
check("no tty: and the runtime", until(lambda: stat(rt)["state"] == "T"))
check("no tty: the shell reports the job stopped", until(lambda: "Stopped" in text()[mark:]))
type_("fg\n")
check("no tty: fg resumes claw-init", until(lambda: stat(ci)["state"] == "S"))
check("no tty: fg resumes the runtime", until(lambda: stat(rt)["state"] == "S"))
status_after("no tty")

def finish():
    # Whatever a failed scenario left behind goes, stopped or not.
    for pid in started + [shell]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if failures:
        sys.stderr.write("--- terminal transcript ---\n" + text() + "\n")
    sys.stdout.flush()
    os._exit(1 if failures else 0)

type_("exit\n")
until(lambda: os.waitpid(shell, os.WNOHANG)[0] == shell)
finish()
PY
set +e
timeout 200 python3 "$WORK/terminal_jobs.py" "$CLAW_INIT" "$WORK" >"$WORK/terminal_jobs.out" 2>"$WORK/terminal_jobs.err"
set -e
while IFS= read -r line; do
  case $line in
    "ok - "*) pass "${line#ok - }" ;;
    "FAIL - "*) fail "${line#FAIL - }" ;;
  esac
done <"$WORK/terminal_jobs.out"
check_true "the terminal scenarios ran to the end" test "$(grep -c '' "$WORK/terminal_jobs.out")" -ge 30
[[ -s $WORK/terminal_jobs.err ]] && { echo "--- terminal_jobs.err"; cat "$WORK/terminal_jobs.err"; }
finish
