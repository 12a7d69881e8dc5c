#!/usr/bin/env bash
# scripts/quickstart.sh, as the README runs it (no containers): claw-init in
# front of a real OpenClaw 2026.9.6 gateway with its config patched from the
# environment. --check starts, waits for /health and stops cleanly; the
# foreground mode stops cleanly on Ctrl-C (SIGINT). Ports off the defaults.
source "$(dirname "$0")/lib/container.bash"

[[ -x "${CLAW_INIT:-}" ]] || die "CLAW_INIT must point at the claw-init binary (ctest sets it)"
require_tool curl
require_tool ss

export CLAW_QUICKSTART_DIR="$WORK/qs"
export OPENCLAW_GATEWAY_PORT=28795
export CLAW_HEALTH_LISTEN=127.0.0.1:28715
export OPENCLAW_PRIMARY_MODEL="anthropic/claude-quickstart-$$"
unset OPENCLAW_GATEWAY_TOKEN CLAW_CONFIG__gateway__auth__token CLAW_CONFIG__gateway__auth__token_FILE

# --- --check ---------------------------------------------------------------------
start=$(now_ms)
if bash "$CLAW_SRC/scripts/quickstart.sh" --check >"$WORK/check.out" 2>"$WORK/check.err"; then
  record quickstart_check_ms $(($(now_ms) - start))
  pass "quickstart --check exits 0"
else
  tail -n 40 "$WORK/check.err" >&2
  fail "quickstart --check failed"
fi
check_true "it says where /health answers" grep -qF "/health answers at http://127.0.0.1:28715/health" "$WORK/check.out"
health="$(grep '^{' "$WORK/check.out" | head -n1)"
check_eq "/health status" "pass" "$(json_get "$health" status)"
check_eq "/health version" "2026.9.6" "$(json_get "$health" version)"
check_eq "/health upstream target follows the port" "http://127.0.0.1:28795/readyz" "$(json_get "$health" checks.upstream.target)"
check_true "it stopped cleanly" grep -q 'stopped cleanly' "$WORK/check.err"

cfg="$CLAW_QUICKSTART_DIR/home/.openclaw/openclaw.json"
token_file="$CLAW_QUICKSTART_DIR/gateway-token"
check_true "a token file was made, mode 0600" test "$(stat -c %a "$token_file" 2>/dev/null)" = 600
check_eq "patched port (alias OPENCLAW_GATEWAY_PORT)" "28795" "$(json_get "$(cat "$cfg")" gateway.port)"
check_eq "patched model (alias OPENCLAW_PRIMARY_MODEL)" "$OPENCLAW_PRIMARY_MODEL" \
  "$(json_get "$(cat "$cfg")" agents.defaults.model.primary)"
check_eq "patched token (CLAW_CONFIG__gateway__auth__token_FILE)" "$(cat "$token_file")" \
  "$(json_get "$(cat "$cfg")" gateway.auth.token)"
if grep -qF "$(cat "$token_file")" "$WORK/check.out" "$WORK/check.err"; then
  fail "the token appears in the quick start's output"
else
  pass "the token is not in the output"
fi
check_eq "OpenClaw itself accepts the patched config" "0" \
  "$(HOME="$CLAW_QUICKSTART_DIR/home" "${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/openclaw/bin/openclaw" config validate >/dev/null 2>&1; echo $?)"

# --- foreground, stopped by Ctrl-C ----------------------------------------------------
# Job control on: a background job of a script would otherwise ignore SIGINT.
set -m
bash "$CLAW_SRC/scripts/quickstart.sh" >"$WORK/fg.out" 2>"$WORK/fg.err" &
qs_pid=$!
set +m
CLEANUP_CMDS+=("kill -TERM -$qs_pid")
for _ in $(seq 1 180); do
  grep -q '/health answers' "$WORK/fg.out" && break
  kill -0 "$qs_pid" 2>/dev/null || break
  sleep 1
done
if grep -q '/health answers' "$WORK/fg.out"; then
  pass "foreground mode becomes healthy"
  start=$(now_ms)
  kill -INT -- "-$qs_pid"   # a terminal sends it to the whole foreground group
  code=0
  for _ in $(seq 1 150); do kill -0 "$qs_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$qs_pid" 2>/dev/null; then
    fail "Ctrl-C did not stop the quick start within 15 s"
  else
    wait "$qs_pid" || code=$?
    record quickstart_ctrl_c_stop_ms $(($(now_ms) - start))
    check_eq "Ctrl-C stops it with status 0" "0" "$code"
  fi
else
  tail -n 30 "$WORK/fg.err" >&2
  fail "foreground mode never became healthy"
fi
check_eq "nothing listens on the gateway port afterwards" "" "$(ss -Hltn 'sport = :28795' 2>/dev/null)"

finish
