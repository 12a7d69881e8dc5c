#!/usr/bin/env bash
# images/openclaw built with Podman and run with the real OpenClaw 2026.9.6:
# claw-init is PID 1, the gateway runs as 10002 with NoNewPrivs, a token from
# a _FILE secret and an alias variable reach the config OpenClaw loads (proven
# by the gateway accepting that token and by `openclaw config get`), the
# token never shows in the logs, the HEALTHCHECK passes, /health reports the
# version, a killed gateway is restarted, `podman stop` is fast and clean,
# and `version-probe` prints exactly the version. Timings go to
# $CLAW_BUILD/container-timings.txt (docs/images.md).
source "$(dirname "$0")/lib/container.bash"

VERSION=2026.9.6
GW_PORT=28789          # not the defaults: a developer's own gateway may run
HEALTH_PORT=28700
HEALTH_LIMIT_S="${CLAW_TEST_HEALTH_LIMIT_S:-60}"
NAME="claw-test-openclaw-$$"
PLAIN="claw-test-openclaw-plain-$$"

container_setup
IMAGE="$(build_image openclaw)" || die "building images/openclaw failed"
echo "image: $IMAGE"
check_eq "image tag comes from version-probe" "localhost/claw-init/openclaw:v$VERSION" "$IMAGE"

# --- static facts of the image ---------------------------------------------
probe_out="$(podman run --rm --network none "$IMAGE" version-probe 2>"$WORK/probe.err")"
check_eq "version-probe prints exactly the version" "$VERSION" "$probe_out"
check_eq "OCI version label" "$VERSION" \
  "$(podman image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$IMAGE")"
check_eq "entrypoint is claw-init" '[/usr/local/bin/claw-init]' \
  "$(podman image inspect -f '{{.Config.Entrypoint}}' "$IMAGE")"
check_true "HEALTHCHECK runs claw-init health" \
  grep -q '/usr/local/bin/claw-init health' <<<"$(podman image inspect -f '{{.Config.Healthcheck.Test}}' "$IMAGE")"

# --- a real gateway under claw-init -----------------------------------------
mkdir -p "$WORK/secrets"
TOKEN="tok-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOKEN" > "$WORK/secrets/gateway_token"   # trailing newline, as Docker secrets have
MODEL="anthropic/claude-claw-test-$$"
start=$(now_ms)
run_container "$NAME" --network host \
  -v "$WORK/secrets:/run/secrets:ro" \
  -e CLAW_CONFIG__gateway__auth__token_FILE=/run/secrets/gateway_token \
  -e OPENCLAW_PRIMARY_MODEL="$MODEL" \
  -e OPENCLAW_GATEWAY_PORT=$GW_PORT \
  -e CLAW_HEALTH_LISTEN=127.0.0.1:$HEALTH_PORT \
  -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:$GW_PORT/readyz \
  "$IMAGE" || die "podman run failed"

if ready_ms="$(wait_healthy "$NAME" 180)"; then
  ready_ms=$(($(now_ms) - start))
  record openclaw_healthy_ms "$ready_ms"
  check_true "healthcheck passes within ${HEALTH_LIMIT_S} s (took ${ready_ms} ms)" test "$ready_ms" -le $((HEALTH_LIMIT_S * 1000))
else
  podman logs "$NAME" 2>&1 | tail -n 40 >&2
  die "the HEALTHCHECK never passed"
fi

check_eq "PID 1 is claw-init" "/usr/local/bin/claw-init" \
  "$(podman exec "$NAME" cat /proc/1/cmdline | tr '\0' '\n' | head -n1)"
gw_pid="$(runtime_host_pid "$NAME")"
check_eq "gateway runs as uid 10002" "10002 10002 10002 10002" \
  "$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$gw_pid/status")"
check_eq "gateway runs as gid 10002" "10002 10002 10002 10002" \
  "$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$gw_pid/status")"
check_eq "gateway has NoNewPrivs" "1" "$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$gw_pid/status")"
check_eq "gateway has no capabilities" "0000000000000000" "$(awk '/^CapEff:/ {print $2}' "/proc/$gw_pid/status")"

# The patched config, as OpenClaw itself reads it.
check_eq "alias OPENCLAW_PRIMARY_MODEL is in the config OpenClaw loads" "$MODEL" \
  "$(podman exec --user openclaw "$NAME" openclaw config get agents.defaults.model.primary 2>/dev/null | tail -n1)"
check_eq "config file is 0600 and owned by the runtime user" "600 10002" \
  "$(podman exec "$NAME" stat -c '%a %u' /home/openclaw/.openclaw/openclaw.json)"
check_true "patched config passes openclaw config validate" \
  podman exec --user openclaw "$NAME" openclaw config validate
# The token from the _FILE secret: the gateway accepts it (the caller has no
# config of its own, so the token it sends is only the one given here) ...
call_health() {
  podman exec --user openclaw -e HOME=/tmp/probe-home "$NAME" \
    openclaw gateway call health --url "ws://127.0.0.1:$GW_PORT" --token "$1" --json --timeout 20000 >"$WORK/call.out" 2>&1
}
check_true "gateway accepts the token from CLAW_CONFIG__gateway__auth__token_FILE" call_health "$TOKEN"
# ... and refuses another one, so the acceptance above means something.
if call_health "wrong-$TOKEN"; then fail "gateway accepted a wrong token"; else pass "gateway refuses a wrong token"; fi

health="$(curl -s -m 5 "http://127.0.0.1:$HEALTH_PORT/health")"
echo "/health: $health"
check_eq "/health status" "pass" "$(json_get "$health" status)"
check_eq "/health version" "$VERSION" "$(json_get "$health" version)"
check_eq "/health runtime" "openclaw" "$(json_get "$health" runtime)"
check_eq "/health restarts before the kill" "0" "$(json_get "$health" restarts)"

# --- restart on failure -------------------------------------------------------
kill_ms=$(now_ms)
kill -KILL "$gw_pid"
restarted=""
while (($(now_ms) - kill_ms < 180000)); do
  health="$(curl -s -m 3 "http://127.0.0.1:$HEALTH_PORT/health" || true)"
  # The gateway's own /readyz too: right after the restart /health may still
  # carry the old run's upstream result for up to 2 s (contract section 4).
  if [[ -n "$health" && "$(json_get "$health" restarts 2>/dev/null)" == 1 && "$(json_get "$health" status 2>/dev/null)" == pass ]] \
     && [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/readyz")" == 200 ]]; then
    restarted=yes
    break
  fi
  sleep 1
done
if [[ -n "$restarted" ]]; then
  record openclaw_restart_to_healthy_ms $(($(now_ms) - kill_ms))
  pass "a killed gateway is restarted; /health shows restarts 1"
  new_pid="$(runtime_host_pid "$NAME")"
  check_true "the restarted gateway is a new process" test "$new_pid" != "$gw_pid"
else
  fail "no restart seen in /health after killing the gateway (last: $health)"
fi

# --- the token never reaches the logs ----------------------------------------
podman logs "$NAME" >"$WORK/logs.txt" 2>&1
if grep -qF "$TOKEN" "$WORK/logs.txt"; then fail "the token appears in podman logs"; else pass "the token is not in podman logs"; fi
check_true "claw-init names the key it patched" grep -q 'gateway.auth.token' "$WORK/logs.txt"
metrics="$(curl -s -m 5 "http://127.0.0.1:$HEALTH_PORT/metrics")"
if grep -qF "$TOKEN" <<<"$health$metrics"; then fail "the token appears in /health or /metrics"; else pass "the token is not in /health or /metrics"; fi

# --- stop ------------------------------------------------------------------------
stop_ms="$(timed_stop "$NAME" 10)"
record openclaw_stop_ms "$stop_ms"
check_true "podman stop -t 10 takes under 3 s (took ${stop_ms} ms)" test "$stop_ms" -lt 3000
check_eq "exit code after podman stop" "0" "$(exit_code_of "$NAME")"
sleep 0.5
check_eq "no process of uid 10002 is left on the host" "" "$(pgrep -u 10002 || true)"
podman logs "$NAME" >"$WORK/logs.txt" 2>&1
if grep -qF "$TOKEN" "$WORK/logs.txt"; then fail "the token appears in the logs after stop"; fi

# --- the same image with the plain gateway command as entrypoint ---------------
run_container "$PLAIN" --network host --user openclaw \
  -e OPENCLAW_GATEWAY_TOKEN="$TOKEN" \
  --entrypoint '["openclaw","gateway","run","--allow-unconfigured","--bind","lan","--port","'$GW_PORT'"]' \
  "$IMAGE" || die "plain podman run failed"
if wait_http "http://127.0.0.1:$GW_PORT/readyz" 180; then
  plain_ms="$(timed_stop "$PLAIN" 10)"
  record openclaw_plain_entrypoint_stop_ms "$plain_ms"
  echo "podman stop -t 10: claw-init ${stop_ms} ms, plain gateway as PID 1 ${plain_ms} ms (exit $(exit_code_of "$PLAIN"))"
  pass "plain-entrypoint comparison measured"
else
  podman logs "$PLAIN" 2>&1 | tail -n 20 >&2
  fail "the plain gateway never became ready"
fi

# --- --redact is on in the image: the runtime printing its token -----------
# The gateway's own CLI prints the token (a dashboard link, the config value)
# and a shell prints the secret file: podman logs shows [REDACTED], never it.
REDACT="claw-test-openclaw-redact-$$"
run_container "$REDACT" --network none \
  -v "$WORK/secrets:/run/secrets:ro" \
  -e CLAW_CONFIG__gateway__auth__token_FILE=/run/secrets/gateway_token \
  "$IMAGE" sh -c 'echo "the token is $(cat /run/secrets/gateway_token)."; openclaw config get gateway.auth.token; openclaw dashboard --no-open; echo "done: token $(cat /run/secrets/gateway_token)" >&2'
podman wait "$REDACT" >/dev/null 2>&1 || true
podman logs "$REDACT" >"$WORK/redact.log" 2>&1
sed 's/^/# redact: /' "$WORK/redact.log" | grep -v "claw-init\[" | head -n 12
check_true "redact: the shell's echo of the token shows [REDACTED]" grep -q "the token is \[REDACTED\]\." "$WORK/redact.log"
check_true "redact: on stderr too" grep -q "done: token \[REDACTED\]" "$WORK/redact.log"
check_true "redact: claw-init says the output passes through it" grep -q "redact: the runtime's stdout and stderr pass through claw-init" "$WORK/redact.log"
if grep -qF "$TOKEN" "$WORK/redact.log"; then fail "redact: the token appears in podman logs"; else pass "redact: the token is in no line of podman logs"; fi

finish
