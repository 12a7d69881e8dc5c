#!/usr/bin/env bash
# Configuration errors from `config check` / `config render`: exit 78, the
# message names the file:line:column or the variable, and no value of any
# variable ever reaches stdout or stderr. Symlink attacks on the read side:
# a merge must never copy a file a planted symlink points to.
source "$(dirname "$0")/lib/common.bash"
source "$CLAW_SRC/tests/fixtures/config/lib.bash"
require_config_subcommands

secret="s3cret-$RANDOM-$RANDOM"
target="$WORK/conf/openclaw.json"
mkdir -p "$WORK/conf"
make_profile "$WORK/p.toml" "$target" "$FIX/openclaw.json5"

# expect_78 DESCRIPTION WANT [ENV=V...]: runs `config check` and `config render`,
# checks 78, WANT in stderr and $secret nowhere.
expect_78() {
  local what="$1" want="$2" cmd rc out err
  shift 2
  for cmd in check render; do
    rc=0
    claw "$@" -- --profile "$WORK/p.toml" config "$cmd" >"$WORK/out" 2>"$WORK/err" || rc=$?
    out="$(cat "$WORK/out")"
    err="$(cat "$WORK/err")"
    check_eq "$what ($cmd): exit 78" 78 "$rc"
    check_contains "$what ($cmd): message" "$err" "$want"
    check_lacks "$what ($cmd): value not on stderr" "$err" "$secret"
    check_lacks "$what ($cmd): value not on stdout" "$out" "$secret"
    check_eq "$what ($cmd): stdout empty" "" "$out"
  done
}

printf '{\n  gateway: {\n    port: 18789\n    bind: "lan",\n  },\n}\n' >"$target"
expect_78 "syntax error" "$target:4:5: expected ',' or '}'" CLAW_CONFIG__gateway__bind="$secret"

printf '{\n  gateway: { port: -Infinity },\n}\n' >"$target"
expect_78 "Infinity" "$target:2:20: Infinity has no JSON form"

printf '{gateway: {port: 18789}}\n' >"$target"
expect_78 "type mismatch" "CLAW_CONFIG__gateway__port: expected an integer" CLAW_CONFIG__gateway__port="$secret"
expect_78 "object from a non-object" "CLAW_CONFIG__gateway: expected a JSON object" CLAW_CONFIG__gateway="$secret"
expect_78 "missing _FILE" "CLAW_CONFIG__gateway__auth__token_FILE: cannot read the file it names: No such file or directory" \
  CLAW_CONFIG__gateway__auth__token_FILE="/run/secrets/$secret"
expect_78 "empty segment" "CLAW_CONFIG__gateway____port: empty key segment" CLAW_CONFIG__gateway____port="$secret"
expect_78 "bad mode" "CLAW_CONFIG_MODE: must be merge, regenerate or off" CLAW_CONFIG_MODE="$secret"
expect_78 "typo of the prefix" "CLAW_CONFIG_gateway__port: unknown variable" CLAW_CONFIG_gateway__port="$secret"
expect_78 "index past the end" "index 5 is past the end" CLAW_CONFIG__agents__list__0="$secret" CLAW_CONFIG__agents__list__5="$secret"

# Variables but no [config] target.
printf '[runtime]\ncommand = ["/bin/true"]\n' >"$WORK/none.toml"
rc=0
claw CLAW_CONFIG__a="$secret" -- --profile "$WORK/none.toml" config check 2>"$WORK/err" || rc=$?
check_eq "no target: exit 78" 78 "$rc"
check_contains "no target: message" "$(cat "$WORK/err")" "profile names no [config] target"

# --- symlinks: never read through them --------------------------------------------
printf '{"stolen": "%s"}\n' "$secret" >"$WORK/outside.json"
before="$(file_hash "$WORK/outside.json")"
rm -f "$target"
ln -s "$WORK/outside.json" "$target"
expect_78 "symlink at the target" "$target: is a symlink" CLAW_CONFIG__gateway__port=1
check_eq "symlink at the target: outside file unchanged" "$before" "$(file_hash "$WORK/outside.json")"
rm -f "$target"

mkdir -p "$WORK/elsewhere"
cp "$WORK/outside.json" "$WORK/elsewhere/openclaw.json"
rm -rf "$WORK/conf"
ln -s "$WORK/elsewhere" "$WORK/conf"
expect_78 "symlinked directory" "$WORK/conf: is a symlink" CLAW_CONFIG__gateway__port=1
check_eq "symlinked directory: nothing added there" "openclaw.json" "$(ls "$WORK/elsewhere")"

finish
