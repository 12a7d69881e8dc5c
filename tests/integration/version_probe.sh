#!/bin/bash
# `claw-init version stamp` and `claw-init version-probe` with a stand-in
# runtime whose --version prints each real output of the contract; a stamp
# beats the live command; missing, hanging and garbage commands; stdout holds
# the version line and nothing else, ever.
source "${CLAW_SRC:?}/tests/helpers/health_lib.bash"
skip_unless_wired

mkdir -p "$WORK/bin"
# The stand-in prints $WORK/output on stdout and some noise on stderr, and
# exits with the status in $WORK/status (0 when absent).
cat >"$WORK/bin/fakeclaw" <<EOF
#!/bin/sh
echo "(node:1) ExperimentalWarning: noise 9.9.9 on stderr" >&2
cat "$WORK/output"
exit \$(cat "$WORK/status" 2>/dev/null || echo 0)
EOF
chmod +x "$WORK/bin/fakeclaw"
export PATH="$WORK/bin:$PATH"
export CLAW_VERSION_STAMP="$WORK/etc/claw/version.json"
export CLAW_PROFILE="$WORK/profile.toml"

# profile VERSION-COMMAND-TOML [EXTRA-LINES]: writes the profile.
profile() {
  cat >"$CLAW_PROFILE" <<EOF
[runtime]
name = "fakeclaw"
command = ["fakeclaw", "gateway"]

[version]
command = $1
${2:-}
EOF
}

# probe ARGS...: runs version-probe; sets OUT (stdout, exact), ERR, CODE.
probe() {
  CODE=0
  "$CLAW_INIT" version-probe "$@" >"$WORK/out" 2>"$WORK/err" || CODE=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# stamp: runs `version stamp`; sets CODE, ERR and OUT.
stamp() {
  CODE=0
  "$CLAW_INIT" version stamp >"$WORK/out" 2>"$WORK/err" || CODE=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

profile '["fakeclaw", "--version"]'

# Every real output: the probe prints exactly "VERSION\n", nothing else.
while IFS='|' read -r output want; do
  printf '%s\n' "$output" >"$WORK/output"
  probe
  expect_eq "probe exit for '$output'" "$CODE" 0
  printf '%s\n' "$want" | cmp -s - "$WORK/out" || fail "probe of '$output': stdout was '$(cat "$WORK/out")', want '$want'"
done <<'EOF'
OpenClaw 2026.9.6 (eb377ac)|2026.9.6
2026.3.1|2026.3.1
2026.1.24-3|2026.1.24-3
zeroclaw 0.8.4|0.8.4
nullclaw 2026.2.26|2026.2.26
0.2.1 (git: 1a2b3c4)|0.2.1
v3.1.4|3.1.4
EOF
"$CLAW_INIT" --version-probe >"$WORK/out" 2>/dev/null || fail "--version-probe exited $?"
expect_eq "--version-probe alias" "$(cat "$WORK/out")" "3.1.4"
ok "version-probe reads every real output (stdout is the version line only)"

# The stamp: written atomically with the four fields, no timestamps.
echo "OpenClaw 2026.9.6 (eb377ac)" >"$WORK/output"
stamp
expect_eq "stamp exit" "$CODE" 0
expect_eq "stamp stdout" "$OUT" ""
[ -f "$CLAW_VERSION_STAMP" ] || fail "no stamp file"
cp "$CLAW_VERSION_STAMP" "$WORK/body"
expect_eq "stamp fields" "$(json '",".join(j)')" "runtime,version,raw,claw_init"
expect_eq "stamp runtime" "$(json 'j["runtime"]')" fakeclaw
expect_eq "stamp version" "$(json 'j["version"]')" 2026.9.6
expect_eq "stamp raw" "$(json 'j["raw"]')" "OpenClaw 2026.9.6 (eb377ac)"
own=$("$CLAW_INIT" --version)
case "$own" in "claw-init $(json 'j["claw_init"]')"*) ;; *) fail "stamp claw_init '$(json 'j["claw_init"]')' vs '$own'" ;; esac
expect_eq "stamp mode" "$(stat -c %a "$CLAW_VERSION_STAMP")" 644
expect_eq "no temporary files left" "$(ls -A "$(dirname "$CLAW_VERSION_STAMP")")" version.json
cp "$CLAW_VERSION_STAMP" "$WORK/stamp1"
stamp
cmp -s "$CLAW_VERSION_STAMP" "$WORK/stamp1" || fail "a second stamp differs from the first"
ok "version stamp writes the same bytes every time"

# The stamp beats the live command, also with --json.
echo "OpenClaw 2027.1.1 (ffffff)" >"$WORK/output"
probe
expect_eq "probe with a stamp" "$OUT" 2026.9.6
probe --json
expect_eq "--json exit" "$CODE" 0
expect_eq "--json lines" "$(wc -l <"$WORK/out")" 1
cp "$WORK/out" "$WORK/body"
expect_eq "--json version" "$(json 'j["version"]')" 2026.9.6
expect_eq "--json raw" "$(json 'j["raw"]')" "OpenClaw 2026.9.6 (eb377ac)"
cmp -s "$WORK/out" "$CLAW_VERSION_STAMP" || fail "--json is not the stamp object"
# A malformed stamp is ignored with a warning; the command answers.
echo '{"version":' >"$CLAW_VERSION_STAMP"
probe
expect_eq "probe with a broken stamp" "$OUT" 2027.1.1
case "$ERR" in *"ignoring the stamp file"*) ;; *) fail "no warning about the broken stamp: $ERR" ;; esac
rm -f "$CLAW_VERSION_STAMP"
probe --json
cp "$WORK/out" "$WORK/body"
expect_eq "--json without a stamp" "$(json 'j["version"]')" 2027.1.1
ok "the stamp beats the live command; --json prints the stamp object"

# No version: the probe prints nothing, warns, exits 0; the stamp fails loudly.
# expect_no_version WHAT MESSAGE-PART: checks both subcommands.
expect_no_version() {
  probe
  expect_eq "$1: probe exit" "$CODE" 0
  [ ! -s "$WORK/out" ] || fail "$1: probe printed '$(cat "$WORK/out")' on stdout"
  case "$ERR" in *"$2"*) ;; *) fail "$1: probe stderr lacks '$2': $ERR" ;; esac
  probe --json
  [ ! -s "$WORK/out" ] || fail "$1: probe --json printed '$(cat "$WORK/out")'"
  stamp
  [ "$CODE" -ne 0 ] || fail "$1: version stamp succeeded"
  [ ! -e "$CLAW_VERSION_STAMP" ] || fail "$1: version stamp wrote a file"
  case "$ERR" in *"$2"*) ;; *) fail "$1: stamp stderr lacks '$2': $ERR" ;; esac
  STAMP_CODE=$CODE
}
printf 'garbage\nmore garbage 1.2\n' >"$WORK/output"
expect_no_version "garbage output" "no version in the output of 'fakeclaw --version'"
expect_eq "garbage: stamp exit" "$STAMP_CODE" 1
: >"$WORK/output"
expect_no_version "empty output" "no version in the output"
echo "OpenClaw 2026.9.6" >"$WORK/output"
echo 3 >"$WORK/status"
expect_no_version "failing command" "exited with status 3"
rm -f "$WORK/status"
profile '["no-such-claw", "--version"]'
expect_no_version "missing command" "no-such-claw: command not found in PATH"
expect_eq "missing command: stamp exit" "$STAMP_CODE" 1
profile '["fakeclaw", "--version"]' 'regex = "(unclosed"'
expect_no_version "bad regex" "invalid version regex"
expect_eq "bad regex: stamp exit" "$STAMP_CODE" 78
cat >"$CLAW_PROFILE" <<'EOF'
[runtime]
name = "fakeclaw"
command = ["fakeclaw", "gateway"]
EOF
expect_no_version "no [version] command" "no version command"
expect_eq "no version command: stamp exit" "$STAMP_CODE" 78
ok "garbage, empty, failing, missing, bad regex, no command: nothing on stdout, stamp fails"

# A custom regex.
profile '["fakeclaw", "--version"]' "regex = 'build-(\\d+)'"
echo "fakeclaw build-4711 (nightly 1.2.3)" >"$WORK/output"
probe
expect_eq "custom regex" "$OUT" 4711
ok "custom regex"

# A hanging command is killed at 10 s, with what it started.
MARK="1000.$$$RANDOM"  # a unique sleep duration to find the processes by
cat >"$WORK/bin/hangclaw" <<EOF
#!/bin/sh
sleep $MARK &
exec sleep $MARK
EOF
chmod +x "$WORK/bin/hangclaw"
profile '["hangclaw"]'
start=$(date +%s)
probe
took=$(( $(date +%s) - start ))
expect_eq "hanging: probe exit" "$CODE" 0
[ ! -s "$WORK/out" ] || fail "hanging: probe printed '$OUT'"
case "$ERR" in *"did not finish within 10s; killed"*) ;; *) fail "hanging: stderr: $ERR" ;; esac
[ "$took" -ge 9 ] && [ "$took" -le 13 ] || fail "hanging: took ${took}s, want about 10"
sleep 0.2
pgrep -f "sleep $MARK" >/dev/null && fail "the hanging command (or its child) survived"
ok "hanging command killed after ${took}s"

# As the runtime user, when one is set.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  cat >"$WORK/bin/whoclaw" <<'EOF'
#!/bin/sh
echo "$(id -u).$(id -g).0 home=$HOME"
EOF
  chmod 755 "$WORK/bin/whoclaw" "$WORK/bin" "$WORK"
  profile '["whoclaw"]'
  CODE=0
  OUT=$(CLAW_USER=nobody "$CLAW_INIT" version-probe 2>"$WORK/err") || CODE=$?
  expect_eq "as nobody" "$OUT" "$(id -u nobody).$(id -g nobody).0"
  ok "the version command runs as CLAW_USER"
else
  echo "note: not root or no user nobody; the --user check is skipped"
fi
