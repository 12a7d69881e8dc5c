#!/usr/bin/env bash
# The release binary is static and runs as PID 1 in an otherwise empty root
# file system holding only itself and a static busybox.
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool file
BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || skip "needs busybox-static"
file -L "$BUSYBOX" | grep -q "statically linked" || skip "busybox is not static (install busybox-static)"

if grep -q "CLAW_SANITIZE:BOOL=ON" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt" 2>/dev/null; then
  skip "sanitizer builds are dynamic; the static check runs on the release build"
fi
check_true "claw-init is statically linked" bash -c "file -L '$CLAW_INIT' | grep -q 'statically linked'"
if grep -q "CMAKE_BUILD_TYPE:STRING=Release" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt" 2>/dev/null; then
  check_true "claw-init is stripped" bash -c "file -L '$CLAW_INIT' | grep -q ', stripped'"
fi

root="$WORK/root"
mkdir -p "$root"
cp "$CLAW_INIT" "$root/claw-init"
cp "$BUSYBOX" "$root/busybox"
set +e
unshare --pid --fork --kill-child chroot "$root" /claw-init -- /busybox sh -c 'exit 42' 2>"$WORK/err"
status=$?
set -e
check_eq "runs a static child in an empty root as PID 1" 42 "$status"
out=$(unshare --pid --fork --kill-child chroot "$root" /claw-init -- /busybox sh -c 'echo $$' 2>/dev/null)
check_eq "the child is PID 2 under claw-init as PID 1" 2 "$out"
set +e
unshare --pid --fork --kill-child chroot "$root" /claw-init -- /nothing 2>/dev/null
status=$?
set -e
check_eq "missing command in the empty root is 127" 127 "$status"
finish
