#!/usr/bin/env bash
# The profile's workdir and the config target's directory: created for the
# runtime user before the drop (0700), never through a symbolic link; an
# empty root-owned volume is handed over; the runtime starts in its workdir.
source "$(dirname "$0")/lib/common.bash"
require_root
chmod 755 "$WORK"
export CLAW_CONFIG_MODE=off  # only the directories are under test here

# write_profile FILE WORKDIR TARGET
write_profile() {
  cat >"$1" <<EOF2
[runtime]
name = "dirs-test"
command = ["/bin/sh", "-c", "pwd; touch \"\$PWD/written-by-runtime\""]
user = "nobody"
workdir = "$2"

[config]
target = "$3"
EOF2
}
owner_mode() { stat -c '%u:%g %a' "$1"; }
# check_link_refused WHAT LINK PROFILE WORKDIR TARGET: with the symbolic
# link LINK on the way to WORKDIR or TARGET, start-up is a configuration
# error (78) that names LINK.
check_link_refused() {
  local rc=0
  write_profile "$3" "$4" "$5"
  as_pid1 --profile "$3" >/dev/null 2>"$WORK/err" || rc=$?
  check_eq "$1: configuration error" 78 "$rc"
  check_true "$1: the link is named" grep -qF "$2 is a symbolic link" "$WORK/err"
}

# 1. Nothing exists yet.
R="$WORK/r1"; mkdir -m 755 "$R"
write_profile "$WORK/p1.toml" "$R/home/app" "$R/home/app/.app/app.json"
set +e; out="$(as_pid1 --profile "$WORK/p1.toml" 2>"$WORK/err")"; rc=$?; set -e
check_eq "fresh dirs: runtime exits 0" 0 "$rc"
check_eq "fresh dirs: runtime starts in its workdir" "$R/home/app" "$out"
check_eq "fresh dirs: workdir owned by nobody, 0700" "65534:65534 700" "$(owner_mode "$R/home/app")"
check_eq "fresh dirs: config dir owned by nobody, 0700" "65534:65534 700" "$(owner_mode "$R/home/app/.app")"
check_eq "fresh dirs: intermediate made as mkdir -p would" "0:0 755" "$(owner_mode "$R/home")"
check_eq "fresh dirs: the runtime wrote in its workdir as nobody" 65534 "$(stat -c %u "$R/home/app/written-by-runtime")"
check_eq "fresh dirs: the config file itself is not created here" "" "$(ls "$R/home/app/.app")"
# Again: nothing changes, still fine.
set +e; as_pid1 --profile "$WORK/p1.toml" >/dev/null 2>&1; rc=$?; set -e
check_eq "second start with existing dirs: exit 0" 0 "$rc"

# 2. A symbolic link anywhere on the way is refused (78), nothing created
#    behind it, the link named.
R="$WORK/r2"; mkdir -m 755 "$R" "$WORK/elsewhere"
ln -s "$WORK/elsewhere" "$R/home"
check_link_refused "symlinked parent" "$R/home" "$WORK/p2.toml" "$R/home/app" "$R/home/app/.app/app.json"
check_eq "symlinked parent: nothing created behind the link" "" "$(ls -A "$WORK/elsewhere")"
# The config directory alone being a link is refused too.
R="$WORK/r3"; mkdir -m 755 "$R" "$R/app"
ln -s "$WORK/elsewhere" "$R/app/.app"
check_link_refused "symlinked config dir" "$R/app/.app" "$WORK/p3.toml" "$R/app" "$R/app/.app/app.json"
check_eq "symlinked config dir: target of the link still root's" 0 "$(stat -c %u "$WORK/elsewhere")"

# 3. A freshly mounted (empty, root-owned) volume at the workdir is handed to
#    the runtime user; a root-owned directory with content is not.
R="$WORK/r4"; mkdir -m 755 "$R" "$R/vol"
write_profile "$WORK/p4.toml" "$R/vol" "$R/vol/.app/app.json"
set +e
out="$(unshare --mount --propagation private --pid --fork --mount-proc --kill-child /bin/sh -c \
  'mount -t tmpfs -o mode=0755 vol "$1" && "$2" --profile "$3" && stat -c "%u:%g %a" "$1"' _ \
  "$R/vol" "$CLAW_INIT" "$WORK/p4.toml" 2>"$WORK/err")"; rc=$?
set -e
check_eq "empty root-owned volume: exit 0" 0 "$rc"
check_eq "empty root-owned volume: handed to nobody, mode kept" "65534:65534 755" "$(tail -n1 <<<"$out")"
R="$WORK/r5"; mkdir -m 755 "$R" "$R/full"; echo x >"$R/full/keep"
write_profile "$WORK/p5.toml" "$R/full" "/tmp/unused-$$/app.json"
sed -i '/^\[config\]/,$d' "$WORK/p5.toml"
set +e; as_pid1 --profile "$WORK/p5.toml" >/dev/null 2>"$WORK/err"; rc=$?; set -e
check_eq "root-owned dir with content: left to root" "0:0 755" "$(owner_mode "$R/full")"
check_true "root-owned dir with content: warned" grep -q "owned by root and was left as it is" "$WORK/err"
# The runtime then cannot write there: its own failure, exit code passed on.
check_eq "root-owned dir with content: runtime's touch fails, status passed on" 1 "$rc"

# 4. A workdir the runtime user cannot enter fails at chdir (after the drop),
#    with the step named: 126.
R="$WORK/r6"; mkdir -m 700 "$R"; mkdir -m 700 "$R/closed"; echo x >"$R/closed/f"
write_profile "$WORK/p6.toml" "$R/closed" "/tmp/unused-$$/app.json"
sed -i '/^\[config\]/,$d' "$WORK/p6.toml"
set +e; as_pid1 --profile "$WORK/p6.toml" >/dev/null 2>"$WORK/err"; rc=$?; set -e
check_eq "unreachable workdir: 126" 126 "$rc"
check_true "unreachable workdir: chdir named" grep -q "chdir" "$WORK/err"

finish
