#!/usr/bin/env bash
# --caps / CLAW_CAPS with and without --user, read back from the child's own
# /proc/self/status, and the one thing it is for: a non-root runtime binds
# 127.0.0.1:80 only when NET_BIND_SERVICE is kept. Each run is in a fresh
# network namespace, so port 80 is free and ip_unprivileged_port_start is
# the kernel default (1024), whatever the host has.
source "$(dirname "$0")/lib/common.bash"
require_root
PY=/usr/bin/python3
[[ -x $PY ]] || skip "needs /usr/bin/python3 (readable by nobody, unlike a pyenv shim)"
as_pid1_net() { unshare --pid --fork --mount-proc --kill-child --net "$CLAW_INIT" "$@"; }
unshare --net true 2>/dev/null || skip "cannot create network namespaces"
[[ "$(unshare --net cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]] ||
  skip "ip_unprivileged_port_start is not above 80 in a new network namespace"

# Field of the child's /proc/self/status, e.g. status_of CapBnd --user nobody
status_of() {
  local field="$1"; shift
  as_pid1 "$@" -- /bin/sh -c "sed -n 's/^$field:[[:space:]]*//p' /proc/self/status" 2>/dev/null
}
own_bnd="$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)"
bind_cap=0000000000000400   # 1 << CAP_NET_BIND_SERVICE (10)
bind_chown=0000000000000401 # and CAP_CHOWN (0)

while IFS='|' read -r args nnp bnd amb eff; do
  [[ -z "$args" ]] && continue
  # shellcheck disable=SC2086
  {
    check_eq "$args: NoNewPrivs" "$nnp" "$(status_of NoNewPrivs $args)"
    check_eq "$args: CapBnd" "$bnd" "$(status_of CapBnd $args)"
    check_eq "$args: CapAmb" "$amb" "$(status_of CapAmb $args)"
    check_eq "$args: CapEff" "$eff" "$(status_of CapEff $args)"
  }
done <<EOF2
--user nobody|1|0000000000000000|0000000000000000|0000000000000000
--user 1234:1234|1|0000000000000000|0000000000000000|0000000000000000
--user nobody --caps NET_BIND_SERVICE|1|$bind_cap|$bind_cap|$bind_cap
--user nobody --caps cap_net_bind_service,CHOWN|1|$bind_chown|$bind_chown|$bind_chown
--caps NET_BIND_SERVICE|1|$bind_cap|$bind_cap|$bind_cap
--user root --caps NET_BIND_SERVICE|1|$bind_cap|$bind_cap|$bind_cap
--user root|0|$own_bnd|0000000000000000|$own_bnd
--single-child|0|$own_bnd|0000000000000000|$own_bnd
EOF2
check_eq "CLAW_CAPS=NET_BIND_SERVICE: CapAmb" "$bind_cap" \
  "$(CLAW_CAPS=NET_BIND_SERVICE as_pid1 --user nobody -- /bin/sh -c "sed -n 's/^CapAmb:[[:space:]]*//p' /proc/self/status" 2>/dev/null)"

bind80='
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", 80))
    s.listen(1)
    print("bound")
except PermissionError:
    print("denied")
'
check_eq "--user nobody: binding 127.0.0.1:80 is denied" denied \
  "$(as_pid1_net --user nobody -- $PY -c "$bind80" 2>/dev/null)"
check_eq "--user nobody --caps NET_BIND_SERVICE: binding 127.0.0.1:80 works" bound \
  "$(as_pid1_net --user nobody --caps NET_BIND_SERVICE -- $PY -c "$bind80" 2>/dev/null)"
check_eq "--user nobody --caps CHOWN: binding 127.0.0.1:80 is denied" denied \
  "$(as_pid1_net --user nobody --caps CHOWN -- $PY -c "$bind80" 2>/dev/null)"
# Ambient capabilities survive a further exec (the runtime's own children).
check_eq "kept capability survives a nested exec" bound \
  "$(as_pid1_net --user nobody --caps NET_BIND_SERVICE -- /bin/sh -c "$PY -c '$bind80'" 2>/dev/null)"
# ...and none the bounding set lost comes back through file capabilities:
# the exec itself is refused (EPERM), where plain setpriv lets it bind.
if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
  chmod 755 "$WORK"; cp "$PY" "$WORK/py-caps"; chmod 755 "$WORK/py-caps"
  setcap cap_net_bind_service+ep "$WORK/py-caps"
  check_eq "control: a file capability lets plain setpriv nobody bind :80" bound \
    "$(unshare --net setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/py-caps" -c "$bind80" 2>/dev/null)"
  check_eq "after the drop a file capability gives nothing" denied \
    "$(as_pid1_net --user nobody -- /bin/sh -c "$WORK/py-caps -c '$bind80' || echo denied" 2>/dev/null)"
fi

# Unknown capability names: usage error on the command line, 78 from the env.
set +e; as_pid1 --caps NOT_A_CAP -- true 2>/dev/null; rc=$?; set -e
check_eq "--caps NOT_A_CAP: usage error" 2 "$rc"
set +e; CLAW_CAPS=NOT_A_CAP as_pid1 -- true 2>/dev/null; rc=$?; set -e
check_eq "CLAW_CAPS=NOT_A_CAP: configuration error" 78 "$rc"

finish
