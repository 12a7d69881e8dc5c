#!/usr/bin/env bash
# TIOCSTI: a non-interactive runtime (stdin not a terminal) is put in a new
# session, so even when its stdout is the terminal claw-init was started on
# it has no controlling terminal and cannot push input into it. With stdin a
# terminal it keeps job control: it is the terminal's foreground group.
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool script
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs /usr/bin/python3"

probe='
import errno, fcntl, os, sys, termios
sid_leader = os.getsid(0) == os.getpid()
try:
    os.close(os.open("/dev/tty", os.O_RDWR))
    ctty = "ctty"
except OSError as e:
    ctty = "no-ctty:" + errno.errorcode[e.errno]
sti = "TIOCSTI-not-tried"
if "sti" in sys.argv:
    try:
        fcntl.ioctl(1, termios.TIOCSTI, b"#")
        sti = "TIOCSTI-ok"
    except OSError as e:
        sti = "TIOCSTI-" + errno.errorcode[e.errno]
try:
    fg = "fg" if os.tcgetpgrp(0) == os.getpgrp() else "bg"
except OSError:
    fg = "stdin-not-tty"
print(sid_leader, ctty, sti, fg)
'
# in_pty COMMAND: runs COMMAND with a pseudo-terminal as its terminal.
# An injected "#" echoes on the terminal; it is removed from the output.
in_pty() { script -qec "$1" /dev/null | tr -d '\r#' | grep -v 'claw-init\[' | tail -n1; }
pfile="$WORK/probe.py"; printf '%s' "$probe" >"$pfile"; chmod 755 "$WORK"; chmod 644 "$pfile"
init="unshare --pid --fork --mount-proc --kill-child $CLAW_INIT"

got="$(in_pty "$init --user nobody -- $PY $pfile sti </dev/null")"
read -r leader ctty sti _ <<<"$got"
check_eq "non-interactive, nobody: session leader" True "$leader"
check_eq "non-interactive, nobody: no controlling terminal" "no-ctty:ENXIO" "$ctty"
check_true "non-interactive, nobody: TIOCSTI on the inherited terminal fails ($sti)" \
  test "$sti" = TIOCSTI-EPERM -o "$sti" = TIOCSTI-EIO

# Control: the same non-root probe started without a new session (setpriv
# keeps the terminal) can inject input, where the kernel allows TIOCSTI.
if [[ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" == 1 ]] && command -v setpriv >/dev/null; then
  got="$(in_pty "setpriv --reuid 65534 --regid 65534 --clear-groups $PY $pfile sti </dev/null")"
  read -r leader ctty sti _ <<<"$got"
  check_eq "control: without a new session, nobody can TIOCSTI its terminal" "False ctty TIOCSTI-ok" "$leader $ctty $sti"
fi

got="$(in_pty "$init -- $PY $pfile </dev/null")"
read -r leader ctty _ <<<"$got"
check_eq "non-interactive, root: session leader" True "$leader"
check_eq "non-interactive, root: no controlling terminal" "no-ctty:ENXIO" "$ctty"

got="$(in_pty "$init --user nobody -- $PY $pfile")"
read -r leader ctty _ fg <<<"$got"
check_eq "interactive: not a new session (job control)" False "$leader"
check_eq "interactive: the terminal is its controlling terminal" ctty "$ctty"
check_eq "interactive: it is the foreground process group" fg "$fg"

finish
