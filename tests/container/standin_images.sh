#!/usr/bin/env bash
# images/zeroclaw and images/nullclaw, built with their stand-in runtimes
# (the real ones cannot be built here): the config is patched in the runtime's
# own format (TOML / strict JSON) from CLAW_CONFIG__*, _FILE secrets and the
# profile's aliases, the runtime reads it (it listens where the config says),
# the HEALTHCHECK passes, `podman stop` is fast, and NullClaw, which installs
# no SIGTERM handler, stops at once under claw-init while as PID 1 on its own
# it waits for SIGKILL.
source "$(dirname "$0")/lib/container.bash"

container_setup

secret="key-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK/secrets"
printf '%s\n' "$secret" > "$WORK/secrets/api_key"

# ---------------------------------------------------------------- ZeroClaw
ZC="claw-test-zeroclaw-$$"
if IMAGE="$(build_image --standin zeroclaw)"; then
  check_eq "zeroclaw image tag from version-probe" "localhost/claw-init/zeroclaw:v0.8.4" "$IMAGE"
  check_eq "zeroclaw version-probe" "0.8.4" "$(podman run --rm --network none "$IMAGE" version-probe 2>/dev/null)"
  start=$(now_ms)
  run_container "$ZC" --network host \
    -v "$WORK/secrets:/run/secrets:ro" \
    -e CLAW_CONFIG__api_key_FILE=/run/secrets/api_key \
    -e CLAW_CONFIG__gateway__port=42627 \
    -e CLAW_CONFIG__gateway__host=127.0.0.1 \
    -e ZEROCLAW_MODEL=test/zc-model \
    -e CLAW_HEALTH_LISTEN=127.0.0.1:28701 \
    -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:42627/health \
    "$IMAGE" || die "podman run zeroclaw failed"
  if ms="$(wait_healthy "$ZC" 60)"; then
    record zeroclaw_standin_healthy_ms $(($(now_ms) - start))
    pass "zeroclaw healthy"
  else
    podman logs "$ZC" 2>&1 | tail -n 20 >&2
    fail "zeroclaw never healthy"
  fi
  cfg="$(podman exec "$ZC" cat /zeroclaw-data/.zeroclaw/config.toml)"
  check_true "TOML config has the patched port" grep -qE '^port *= *42627$' <<<"$cfg"
  check_true "TOML config has the alias ZEROCLAW_MODEL" grep -qE '^default_model *= *"test/zc-model"$' <<<"$cfg"
  check_true "TOML config has the secret from the _FILE (newline removed)" grep -qE "^api_key *= *\"$secret\"\$" <<<"$cfg"
  check_true "TOML config keeps schema_version" grep -qE '^schema_version *= *3$' <<<"$cfg"
  check_eq "the runtime serves /health where the patched config says" "200" \
    "$(curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:42627/health)"
  logs="$(podman logs "$ZC" 2>&1)"
  check_true "the runtime read the patched config" grep -q 'gateway=127.0.0.1:42627 provider=openrouter model=test/zc-model api_key=set uid=10001' <<<"$logs"
  if grep -qF "$secret" <<<"$logs"; then fail "zeroclaw secret in logs"; else pass "zeroclaw secret not in logs"; fi
  health="$(curl -s -m 3 http://127.0.0.1:28701/health)"
  check_eq "zeroclaw /health version" "0.8.4" "$(json_get "$health" version)"
  ms="$(timed_stop "$ZC" 10)"
  record zeroclaw_standin_stop_ms "$ms"
  check_true "zeroclaw stops in under 3 s (${ms} ms)" test "$ms" -lt 3000
  check_eq "zeroclaw exit code after stop" "0" "$(exit_code_of "$ZC")"
else
  fail "building images/zeroclaw with the stand-in failed"
fi

# ---------------------------------------------------------------- NullClaw
NC="claw-test-nullclaw-$$"
NCP="claw-test-nullclaw-plain-$$"
if IMAGE="$(build_image --standin nullclaw)"; then
  check_eq "nullclaw image tag from version-probe" "localhost/claw-init/nullclaw:v2026.2.26" "$IMAGE"
  check_eq "nullclaw version-probe" "2026.2.26" "$(podman run --rm --network none "$IMAGE" version-probe 2>/dev/null)"
  start=$(now_ms)
  run_container "$NC" --network host \
    -v "$WORK/secrets:/run/secrets:ro" \
    -e CLAW_CONFIG__models__providers__openrouter__api_key_FILE=/run/secrets/api_key \
    -e NULLCLAW_GATEWAY_PORT=3010 \
    -e CLAW_CONFIG__gateway__host=127.0.0.1 \
    -e NULLCLAW_PRIMARY_MODEL=test/nc-model \
    -e NULLCLAW_STANDIN_READY_MS=1500 \
    -e CLAW_HEALTH_LISTEN=127.0.0.1:28702 \
    -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:3010/ready \
    "$IMAGE" || die "podman run nullclaw failed"
  if ms="$(wait_healthy "$NC" 60)"; then
    record nullclaw_standin_healthy_ms $(($(now_ms) - start))
    pass "nullclaw healthy (upstream /ready)"
  else
    podman logs "$NC" 2>&1 | tail -n 20 >&2
    fail "nullclaw never healthy"
  fi
  cfg="$(podman exec "$NC" cat /nullclaw-data/config.json)"
  check_true "config is strict JSON" python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$cfg"
  check_eq "JSON config has the port from the alias, as a number" "3010" "$(json_get "$cfg" gateway.port)"
  check_eq "JSON config has the alias model" "test/nc-model" "$(json_get "$cfg" agents.defaults.model.primary)"
  check_eq "JSON config has the secret from the _FILE" "$secret" "$(json_get "$cfg" models.providers.openrouter.api_key)"
  logs="$(podman logs "$NC" 2>&1)"
  check_true "the runtime parsed the file (no silent fallback to defaults)" \
    grep -q 'from file gateway=127.0.0.1:3010 model=test/nc-model api_key=set uid=10003' <<<"$logs"
  if grep -qF "$secret" <<<"$logs"; then fail "nullclaw secret in logs"; else pass "nullclaw secret not in logs"; fi
  check_eq "the runtime's /ready answers on the patched port" "200" \
    "$(curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:3010/ready)"
  ms="$(timed_stop "$NC" 10)"
  record nullclaw_standin_stop_ms "$ms"
  check_true "nullclaw stops in under 3 s under claw-init (${ms} ms)" test "$ms" -lt 3000
  code="$(exit_code_of "$NC")"
  # The runtime dies of the TERM it has no handler for: 143 (128+15).
  check_true "nullclaw exit code after stop is 0 or 143 (got $code)" test "$code" = 0 -o "$code" = 143

  # The same binary as PID 1 with no init: the kernel drops the TERM.
  run_container "$NCP" --network host --user nullclaw --entrypoint '["nullclaw","gateway","--port","3011","--host","127.0.0.1"]' \
    "$IMAGE" || die "plain nullclaw run failed"
  if wait_http http://127.0.0.1:3011/health 30; then
    ms="$(timed_stop "$NCP" 5)"
    record nullclaw_plain_entrypoint_stop_t5_ms "$ms"
    check_true "as PID 1 without claw-init, nullclaw waits for SIGKILL (${ms} ms with -t 5)" test "$ms" -ge 4500
    check_eq "and dies of SIGKILL" "137" "$(exit_code_of "$NCP")"
  else
    fail "plain nullclaw never answered"
  fi
else
  fail "building images/nullclaw with the stand-in failed"
fi

finish
