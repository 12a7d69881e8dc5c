#!/usr/bin/env bash
# --user / CLAW_USER: the runtime's ids, groups and HOME/USER/LOGNAME for
# every Docker --user form, resolved from the machine's own /etc/passwd and
# /etc/group (nobody 65534, nogroup 65534 on Debian); unknown names exit 78
# before anything starts; root cannot be regained in the child.
source "$(dirname "$0")/lib/common.bash"
require_root
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || skip "needs user nobody and group nogroup"
[[ $(id -u nobody) == 65534 && $(getent group nogroup | cut -d: -f3) == 65534 ]] || skip "nobody/nogroup are not 65534"
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs /usr/bin/python3 (readable by nobody, unlike a pyenv shim)"

# "uid gid [groups] HOME USER LOGNAME" as the child sees itself.
probe='echo "$(id -u) $(id -g) [$(id -G)] $HOME $USER $LOGNAME"'
expected_groups() { id -G "$1" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
nobody_groups="$(expected_groups nobody)"
root_groups="$(expected_groups root)"

while IFS='|' read -r spec want; do
  [[ -z "$spec" ]] && continue
  set +e; got="$(as_pid1 --user "$spec" -- /bin/sh -c "$probe" 2>"$WORK/err")"; rc=$?; set -e
  # id -G order is the kernel's (sorted) after the primary gid; compare sorted.
  read -r u g rest <<<"$got"
  groups="$(sed 's/.*\[\(.*\)\].*/\1/' <<<"$got" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
  env_part="$(sed 's/.*\] //' <<<"$got")"
  check_eq "--user $spec: exit 0" 0 "$rc"
  check_eq "--user $spec: id -u, id -g, id -G, HOME USER LOGNAME" "$want" "$u $g [$groups] $env_part"
done <<EOF2
nobody|65534 65534 [$nobody_groups] /nonexistent nobody nobody
65534|65534 65534 [$nobody_groups] /nonexistent nobody nobody
65534:65534|65534 65534 [65534] /nonexistent nobody nobody
nobody:nogroup|65534 65534 [65534] /nonexistent nobody nobody
nobody:4242|65534 4242 [4242] /nonexistent nobody nobody
0|0 0 [$root_groups] /root root root
root:0|0 0 [0] /root root root
1234:1234|1234 1234 [1234] / 1234 1234
1234|1234 0 [0] / 1234 1234
EOF2

# The environment variable says the same as the option; the option wins.
got="$(CLAW_USER=nobody as_pid1 -- id -u 2>/dev/null)"
check_eq "CLAW_USER=nobody: id -u" 65534 "$got"
got="$(CLAW_USER=nobody as_pid1 --user 1234 -- id -u 2>/dev/null)"
check_eq "--user wins over CLAW_USER" 1234 "$got"
# HOME given by the caller is replaced, as gosu does.
got="$(HOME=/somewhere as_pid1 --user nobody -- /bin/sh -c 'echo $HOME' 2>/dev/null)"
check_eq "HOME replaced by the passwd home" /nonexistent "$got"
# Without --user nothing changes.
got="$(HOME=/somewhere as_pid1 -- /bin/sh -c 'echo $(id -u) $HOME' 2>/dev/null)"
check_eq "no --user: root, HOME kept" "0 /somewhere" "$got"

# Unknown names: 78 before the runtime starts, the spec named on stderr.
for spec in no-such-user no-such-user:nogroup nobody:no-such-group 1234:no-such-group 4294967295 nobody:99999999999 :nogroup nobody:; do
  rm -f "$WORK/started"
  set +e; as_pid1 --user "$spec" -- /bin/sh -c "touch $WORK/started" 2>"$WORK/err"; rc=$?; set -e
  check_eq "--user '$spec': configuration error" 78 "$rc"
  check_true "--user '$spec': spec named on stderr" grep -qF "'$spec'" "$WORK/err"
  check_true "--user '$spec': runtime never started" test ! -e "$WORK/started"
done
set +e; CLAW_USER=no-such-user as_pid1 -- true 2>/dev/null; rc=$?; set -e
check_eq "CLAW_USER=no-such-user: configuration error" 78 "$rc"

# setuid(0) must fail in the child, for a passwd user and a bare uid, with
# and without a kept capability.
for args in "--user nobody" "--user 1234:1234" "--user nobody --caps NET_BIND_SERVICE"; do
  set +e
  # shellcheck disable=SC2086
  out="$(as_pid1 $args -- $PY -c '
import os
try:
    os.setuid(0)
    print("regained")
except PermissionError:
    print("EPERM")
' 2>/dev/null)"
  set -e
  check_eq "$args: os.setuid(0) fails with EPERM" EPERM "$out"
done
set +e; out="$(as_pid1 --user nobody -- $PY -c 'import os; os.setgid(0)' 2>&1)"; rc=$?; set -e
check_true "--user nobody: os.setgid(0) fails" grep -q PermissionError <<<"$out"
# A setuid-root binary does not help either (no_new_privs).
if [[ -u /usr/bin/su || -u /bin/su ]]; then
  set +e; out="$(as_pid1 --user nobody -- su -c 'id -u' root </dev/null 2>&1)"; set -e
  check_true "--user nobody: setuid su does not give root" bash -c "! grep -qx 0 <<<\"\$1\"" _ "$out"
fi

# Keeping SETUID for a non-root user would defeat the drop: refused.
set +e; as_pid1 --user nobody --caps SETUID -- true 2>"$WORK/err"; rc=$?; set -e
check_eq "--user nobody --caps SETUID: refused" 78 "$rc"
check_true "--caps SETUID refusal says why" grep -q "regain root" "$WORK/err"

# claw-init itself not root (docker run --user): nothing is dropped and the
# runtime keeps claw-init's uid; a spec naming another user is only a warning.
if command -v setpriv >/dev/null && setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$CLAW_INIT"; then
  as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$CLAW_INIT" "$@"; }
  set +e; got="$(as_nobody --user 1234 -- id -u 2>"$WORK/err")"; rc=$?; set -e
  check_eq "claw-init as nobody, --user 1234: runtime stays nobody, exit 0" "65534 0" "$got $rc"
  check_true "claw-init as nobody, --user 1234: warned" grep -q "not applied" "$WORK/err"
  set +e; got="$(as_nobody --user nobody --caps NET_BIND_SERVICE -- id -u 2>"$WORK/err")"; rc=$?; set -e
  check_eq "claw-init as nobody, --user nobody --caps: runs, exit 0" "65534 0" "$got $rc"
  check_true "claw-init as nobody: --caps warned as not applied" grep -q -- "--caps not applied" "$WORK/err"
  set +e; got="$(as_nobody -- id -u 2>"$WORK/err")"; rc=$?; set -e
  check_eq "claw-init as nobody, no --user: unchanged" "65534 0" "$got $rc"
fi
# Root without CAP_SETPCAP cannot drop: it refuses instead of running the
# runtime as root.
if command -v capsh >/dev/null; then
  set +e; capsh --drop=cap_setpcap -- -c "\"$CLAW_INIT\" --user nobody -- touch $WORK/started-as-root" 2>"$WORK/err"; rc=$?; set -e
  check_eq "root without CAP_SETPCAP, --user nobody: configuration error" 78 "$rc"
  check_true "root without CAP_SETPCAP: the missing capability is named" grep -q "without CAP_SETPCAP" "$WORK/err"
  check_true "root without CAP_SETPCAP: the runtime never ran" test ! -e "$WORK/started-as-root"
fi

finish
