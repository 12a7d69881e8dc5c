#!/bin/bash
# `claw-init version stamp` and `claw-init version-probe` with a stand-in
# runtime whose --version prints each real output of the contract; a stamp
# beats the live command; missing, hanging and garbage commands; stdout holds
# the version line and nothing else, ever.
source "$(dirname "$0")/../helpers/health_lib.bash"
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
  check_eq "probe exit for '$output'" 0 "$CODE"
  if printf '%s\n' "$want" | cmp -s - "$WORK/out"; then
    pass "probe of '$output': stdout is '$want' and a newline"
  else
    fail "probe of '$output': stdout was '$(cat "$WORK/out")', expected '$want'"
  fi
done <<'EOF'
OpenClaw 2026.9.6 (eb377ac)|2026.9.6
2026.3.1|2026.3.1
2026.1.24-3|2026.1.24-3
zeroclaw 0.8.4|0.8.4
nullclaw 2026.2.26|2026.2.26
0.2.1 (git: 1a2b3c4)|0.2.1
v3.1.4|3.1.4
EOF
code=0
"$CLAW_INIT" --version-probe >"$WORK/out" 2>/dev/null || code=$?
check_eq "--version-probe exit" 0 "$code"
check_eq "--version-probe alias" "3.1.4" "$(cat "$WORK/out")"
pass "version-probe reads every real output (stdout is the version line only)"

# The stamp: written atomically with the four fields, no timestamps.
echo "OpenClaw 2026.9.6 (eb377ac)" >"$WORK/output"
stamp
check_eq "stamp exit" 0 "$CODE"
check_eq "stamp stdout" "" "$OUT"
[ -f "$CLAW_VERSION_STAMP" ] || die "no stamp file"
cp "$CLAW_VERSION_STAMP" "$WORK/body"
check_eq "stamp fields" "runtime,version,raw,claw_init" "$(json '",".join(j)')"
check_eq "stamp runtime" fakeclaw "$(json 'j["runtime"]')"
check_eq "stamp version" 2026.9.6 "$(json 'j["version"]')"
check_eq "stamp raw" "OpenClaw 2026.9.6 (eb377ac)" "$(json 'j["raw"]')"
own=$("$CLAW_INIT" --version)
case "$own" in
  "claw-init $(json 'j["claw_init"]')"*) pass "stamp claw_init is claw-init's own version" ;;
  *) fail "stamp claw_init '$(json 'j["claw_init"]')' vs '$own'" ;;
esac
check_eq "stamp mode" 644 "$(stat -c %a "$CLAW_VERSION_STAMP")"
check_eq "no temporary files left" version.json "$(ls -A "$(dirname "$CLAW_VERSION_STAMP")")"
cp "$CLAW_VERSION_STAMP" "$WORK/stamp1"
stamp
check_true "a second stamp has the same bytes as the first" cmp -s "$CLAW_VERSION_STAMP" "$WORK/stamp1"
pass "version stamp writes the same bytes every time"

# The stamp beats the live command, also with --json.
echo "OpenClaw 2027.1.1 (ffffff)" >"$WORK/output"
probe
check_eq "probe with a stamp" 2026.9.6 "$OUT"
probe --json
check_eq "--json exit" 0 "$CODE"
check_eq "--json lines" 1 "$(wc -l <"$WORK/out")"
cp "$WORK/out" "$WORK/body"
check_eq "--json version" 2026.9.6 "$(json 'j["version"]')"
check_eq "--json raw" "OpenClaw 2026.9.6 (eb377ac)" "$(json 'j["raw"]')"
check_true "--json prints the stamp object" cmp -s "$WORK/out" "$CLAW_VERSION_STAMP"
# A malformed stamp is ignored with a warning; the command answers.
echo '{"version":' >"$CLAW_VERSION_STAMP"
probe
check_eq "probe with a broken stamp" 2027.1.1 "$OUT"
case "$ERR" in
  *"ignoring the stamp file"*) pass "a warning about the broken stamp" ;;
  *) fail "no warning about the broken stamp: $ERR" ;;
esac
rm -f "$CLAW_VERSION_STAMP"
probe --json
cp "$WORK/out" "$WORK/body"
check_eq "--json without a stamp" 2027.1.1 "$(json 'j["version"]')"
pass "the stamp beats the live command; --json prints the stamp object"

# No version: the probe prints nothing, warns, exits 0; the stamp fails loudly.
# expect_no_version WHAT MESSAGE-PART: checks both subcommands.
expect_no_version() {
  probe
  check_eq "$1: probe exit" 0 "$CODE"
  if [ ! -s "$WORK/out" ]; then pass "$1: probe prints nothing"; else fail "$1: probe printed '$(cat "$WORK/out")' on stdout"; fi
  case "$ERR" in *"$2"*) pass "$1: probe stderr says '$2'" ;; *) fail "$1: probe stderr lacks '$2': $ERR" ;; esac
  probe --json
  if [ ! -s "$WORK/out" ]; then pass "$1: probe --json prints nothing"; else fail "$1: probe --json printed '$(cat "$WORK/out")'"; fi
  stamp
  check_true "$1: version stamp fails" test "$CODE" -ne 0
  check_true "$1: version stamp writes no file" test ! -e "$CLAW_VERSION_STAMP"
  case "$ERR" in *"$2"*) pass "$1: stamp stderr says '$2'" ;; *) fail "$1: stamp stderr lacks '$2': $ERR" ;; esac
  STAMP_CODE=$CODE
}
printf 'garbage\nmore garbage 1.2\n' >"$WORK/output"
expect_no_version "garbage output" "no version in the output of 'fakeclaw --version'"
check_eq "garbage: stamp exit" 1 "$STAMP_CODE"
: >"$WORK/output"
expect_no_version "empty output" "no version in the output"
echo "OpenClaw 2026.9.6" >"$WORK/output"
echo 3 >"$WORK/status"
expect_no_version "failing command" "exited with status 3"
rm -f "$WORK/status"
profile '["no-such-claw", "--version"]'
expect_no_version "missing command" "no-such-claw: command not found in PATH"
check_eq "missing command: stamp exit" 1 "$STAMP_CODE"
profile '["fakeclaw", "--version"]' 'regex = "(unclosed"'
expect_no_version "bad regex" "invalid version regex"
check_eq "bad regex: stamp exit" 78 "$STAMP_CODE"
cat >"$CLAW_PROFILE" <<'EOF'
[runtime]
name = "fakeclaw"
command = ["fakeclaw", "gateway"]
EOF
expect_no_version "no [version] command" "no version command"
check_eq "no version command: stamp exit" 78 "$STAMP_CODE"
pass "garbage, empty, failing, missing, bad regex, no command: nothing on stdout, stamp fails"

# A custom regex.
profile '["fakeclaw", "--version"]' "regex = 'build-(\\d+)'"
echo "fakeclaw build-4711 (nightly 1.2.3)" >"$WORK/output"
probe
check_eq "custom regex" 4711 "$OUT"
pass "custom regex"

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
check_eq "hanging: probe exit" 0 "$CODE"
if [ ! -s "$WORK/out" ]; then pass "hanging: probe prints nothing"; else fail "hanging: probe printed '$OUT'"; fi
case "$ERR" in
  *"did not finish within 10s; killed"*) pass "hanging: stderr says it was killed at 10 s" ;;
  *) fail "hanging: stderr: $ERR" ;;
esac
check_true "hanging: killed after about 10 s (took ${took}s)" test "$took" -ge 9 -a "$took" -le 13
sleep 0.2
if pgrep -f "sleep $MARK" >/dev/null; then
  fail "the hanging command (or its child) survived"
else
  pass "the hanging command and its child are gone"
fi
pass "hanging command killed after ${took}s"

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
  check_eq "as nobody" "$(id -u nobody).$(id -g nobody).0" "$OUT"
  pass "the version command runs as CLAW_USER"
else
  echo "note: not root or no user nobody; the --user check is skipped"
fi

finish
