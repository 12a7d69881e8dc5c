#!/usr/bin/env bash
# The start-up path: claw-init patches the runtime's config before the first
# spawn, atomically, mode 0600, owned by the runtime user; on any error
# (type mismatch, symlink planted at the target or on its directory path,
# read-only directory, full disk) it exits 78 before the runtime starts and
# the target is byte-identical.
source "$(dirname "$0")/lib/common.bash"
source "$CLAW_SRC/tests/fixtures/config/lib.bash"
require_root
require_tool unshare
require_startup_patching

# profile FILE TARGET: the runtime copies the config it finds to $WORK/seen,
# which proves the config was written before the spawn.
profile() {
  cat >"$1" <<EOT
[runtime]
name = "openclaw"
command = ["/bin/sh", "-c", "cat '$2' > '$WORK/seen'"]
[config]
default = "$FIX/openclaw.json5"
target = "$2"
[config.env]
OPENCLAW_GATEWAY_TOKEN = "gateway.auth.token"
EOT
}

secret="tok-$RANDOM-$RANDOM"
target="$WORK/home/.openclaw/openclaw.json"
profile "$WORK/p.toml" "$target"

# --- success --------------------------------------------------------------------
rc=0
claw OPENCLAW_GATEWAY_TOKEN="$secret" CLAW_CONFIG__gateway__port=19999 -- --profile "$WORK/p.toml" 2>"$WORK/err" || rc=$?
check_eq "start-up with patch: runtime's exit code" 0 "$rc"
check_eq "target mode 0600" 600 "$(stat -c %a "$target")"
check_contains "runtime saw the patched config" "$(cat "$WORK/seen" 2>/dev/null)" '"port": 19999'
check_contains "runtime saw the token" "$(cat "$WORK/seen" 2>/dev/null)" "\"token\": \"$secret\""
check_lacks "token not in the log" "$(cat "$WORK/err")" "$secret"
check_contains "log names the key" "$(cat "$WORK/err")" "set gateway.port from CLAW_CONFIG__gateway__port"
check_eq "no temporary file left" "openclaw.json" "$(ls -A "$(dirname "$target")")"

# A merge keeps what is there and patches on top.
claw CLAW_CONFIG__gateway__bind=lan -- --profile "$WORK/p.toml" 2>/dev/null
check_eq "merge keeps earlier patches" "19999 lan" \
  "$(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gateway"]; print(g["port"], g["bind"])' "$target")"

# Owned by the runtime user.
cat >"$WORK/user.toml" <<EOT
[runtime]
command = ["/bin/true"]
[config]
target = "$WORK/userhome/c.json"
EOT
rc=0
claw CLAW_CONFIG__a=1 -- --profile "$WORK/user.toml" --user 65534:65534 2>"$WORK/err" || rc=$?
check_eq "with --user: exit 0" 0 "$rc"
check_eq "owned by the runtime user" "65534:65534 600" "$(stat -c '%u:%g %a' "$WORK/userhome/c.json" 2>/dev/null)"

# --- errors leave the target as it was and start nothing -------------------------
# expect_refused DESCRIPTION FILE-TO-WATCH [ENV=V...]
expect_refused() {
  local what="$1" watch="$2" before rc
  shift 2
  before="$(file_hash "$watch")"
  rm -f "$WORK/seen"
  rc=0
  claw "$@" -- --profile "$WORK/p.toml" 2>"$WORK/err" || rc=$?
  check_eq "$what: exit 78" 78 "$rc"
  check_eq "$what: $(basename "$watch") byte-identical" "$before" "$(file_hash "$watch")"
  check_true "$what: runtime not started" test ! -e "$WORK/seen"
  check_lacks "$what: no value in the log" "$(cat "$WORK/err")" "$secret"
}

expect_refused "type mismatch" "$target" CLAW_CONFIG__gateway__port="$secret"
expect_refused "missing _FILE" "$target" CLAW_CONFIG__gateway__auth__token_FILE="$WORK/$secret"
printf '{gateway: {port: 1,,}}' >"$WORK/broken.json"
cp "$WORK/broken.json" "$target"
expect_refused "syntax error in the target" "$target" CLAW_CONFIG__gateway__port=2
check_contains "syntax error: file:line:column" "$(cat "$WORK/err")" "$target:1:20: expected a key or '}'"

# Symlink planted at the target: the file it points to must not change.
printf 'root-only\n' >"$WORK/shadow"
rm -f "$target"
ln -s "$WORK/shadow" "$target"
expect_refused "symlink at the target" "$WORK/shadow" CLAW_CONFIG__gateway__port=2
check_true "symlink at the target: link left as it was" test -L "$target"
check_contains "symlink at the target: says so" "$(cat "$WORK/err")" "is a symlink"

# Symlinked directory on the way: nothing may appear where it points.
mkdir -p "$WORK/victim"
rm -rf "$WORK/home/.openclaw"
ln -s "$WORK/victim" "$WORK/home/.openclaw"
expect_refused "symlinked directory" "$WORK/victim" CLAW_CONFIG__gateway__port=2
check_eq "symlinked directory: victim dir still empty" "" "$(ls -A "$WORK/victim")"

# --- read-only directory and full disk, in a private mount namespace --------------
cat >"$WORK/ns.sh" <<'EOT'
set -u
fail=0
run() {  # run DIR EXTRA-ENV...: patches DIR/c.json; prints "rc before after leftovers"
  local dir="$1"; shift
  local before after rc=0
  before="$(sha256sum "$dir/c.json" | cut -d' ' -f1)"
  env -i PATH="$PATH" CLAW_HEALTH_LISTEN=off "$@" "$CLAW_INIT" --profile "$dir.toml" 2>"$dir.err" || rc=$?
  after="$(sha256sum "$dir/c.json" | cut -d' ' -f1)"
  echo "$rc $([[ $before == "$after" ]] && echo same || echo changed) $(ls -A "$dir" | tr '\n' ' ')"
}
for d in ro full; do
  mkdir -p "$WORK/$d"
  printf '[runtime]\ncommand = ["/bin/true"]\n[config]\ntarget = "%s"\n' "$WORK/$d/c.json" >"$WORK/$d.toml"
done
mount -t tmpfs -o size=64k tmpfs "$WORK/ro"
printf '{"a": 1}\n' >"$WORK/ro/c.json"
mount -o remount,ro "$WORK/ro"
echo "ro: $(run "$WORK/ro" CLAW_CONFIG__a=2)"
mount -t tmpfs -o size=16k tmpfs "$WORK/full"
printf '{"a": 1}\n' >"$WORK/full/c.json"
head -c 60000 /dev/zero | tr '\0' 'x' >"$WORK/big"
echo "full: $(run "$WORK/full" CLAW_CONFIG__big_FILE="$WORK/big")"
EOT
ns_out="$(CLAW_INIT="$CLAW_INIT" WORK="$WORK" unshare --mount --propagation private bash "$WORK/ns.sh" 2>&1)" || true
check_eq "read-only directory: 78, target unchanged" "ro: 78 same c.json " "$(grep '^ro:' <<<"$ns_out")"
check_eq "disk full: 78, target unchanged, no temp file" "full: 78 same c.json " "$(grep '^full:' <<<"$ns_out")"
check_contains "disk full: the reason is logged" "$(cat "$WORK/full.err" 2>/dev/null)" "No space left on device"

finish
