#!/usr/bin/env bash
# images/zeroclaw and images/nullclaw, built with their stand-in runtimes
# (the real ones cannot be built here), checked against the facts of
# upstream's own images (docs/images.md, "What the stand-ins reproduce"):
# paths, uid 65534, the command, the endpoints, the runtime's own env
# override names, the config patched in the runtime's format (TOML / strict
# JSON) from CLAW_CONFIG__*, _FILE secrets and aliases, the HEALTHCHECK, a
# fast `podman stop` (NullClaw, which installs no SIGTERM handler, waits for
# SIGKILL as PID 1 on its own), the refusal of a `dev` NullClaw build, and
# images/build.sh's provenance labels and fallback tag. The builds mount the
# host's CA bundle over /etc/ssl/certs/ca-certificates.crt, as build.sh does
# behind a TLS proxy: the runner stages must build that way.
source "$(dirname "$0")/lib/container.bash"

container_setup

if [[ -z "${NODE_EXTRA_CA_CERTS:-}" && -f /etc/ssl/certs/ca-certificates.crt ]]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

secret="key-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK/secrets"
printf '%s\n' "$secret" > "$WORK/secrets/api_key"

# label IMAGE KEY: one label of an image ("" when absent).
label() { podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null | sed 's/^<no value>$//'; }
# image_env IMAGE NAME: the value of NAME in the image's environment.
image_env() { podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$1" | sed -n "s/^$2=//p"; }
# runtime_cmdline CONTAINER HEALTH_URL: the command line of the runtime
# claw-init runs (its pid, in the container's namespace, from /health).
runtime_cmdline() {
  local pid
  pid="$(json_get "$(curl -s -m 3 "$2")" pid)"
  [[ "$pid" =~ ^[0-9]+$ ]] || { echo "no pid in $2"; return; }
  podman exec "$1" cat "/proc/$pid/cmdline" | tr '\0' ' ' | sed 's/ $//'
}
# check_labels NAME IMAGE DOCKERFILE: the provenance labels images/build.sh adds.
check_labels() {
  check_eq "$1 label org.claw-init.recipe.sha256 is the Dockerfile's" \
    "$(sha256sum "$3" | cut -d' ' -f1)" "$(label "$2" org.claw-init.recipe.sha256)"
  check_true "$1 label org.opencontainers.image.created is a UTC time" \
    grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' <<<"$(label "$2" org.opencontainers.image.created)"
  if git -C "$CLAW_SRC" rev-parse HEAD >/dev/null 2>&1; then
    check_eq "$1 label org.opencontainers.image.revision" "$(git -C "$CLAW_SRC" rev-parse HEAD)" \
      "$(label "$2" org.opencontainers.image.revision)"
  fi
}
# check_standin_image RUNTIME IMAGE VERSION [NAME=VALUE...]: the image is
# tagged with the version its version-probe prints, has the provenance
# labels, and each NAME=VALUE in its environment.
check_standin_image() {
  local runtime="$1" image="$2" version="$3" pair
  shift 3
  check_eq "$runtime image tag from version-probe" "localhost/claw-init/$runtime:v$version" "$image"
  check_eq "$runtime version-probe" "$version" "$(podman run --rm --network none "$image" version-probe 2>/dev/null)"
  check_labels "$runtime" "$image" "$CLAW_SRC/images/$runtime/Dockerfile"
  for pair in "$@"; do
    check_eq "$runtime image ${pair%%=*}" "${pair#*=}" "$(image_env "$image" "${pair%%=*}")"
  done
}
# check_ca_bundle NAME CONTAINER: Debian's bundle, not the host's, in the image.
check_ca_bundle() {
  local n
  n="$(podman exec "$2" grep -c 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt 2>/dev/null || echo 0)"
  check_true "$1 image has a CA bundle ($n certificates)" test "$n" -ge 100
}

# ---------------------------------------------------------------- ZeroClaw
ZC="claw-test-zeroclaw-$$"
ZCO="claw-test-zeroclaw-env-$$"
if IMAGE="$(build_image --standin zeroclaw)"; then
  check_standin_image zeroclaw "$IMAGE" 0.8.4 HOME=/zeroclaw-data ZEROCLAW_DATA_DIR=/zeroclaw-data/data
  start=$(now_ms)
  run_container "$ZC" --network host \
    -v "$WORK/secrets:/run/secrets:ro" \
    -e CLAW_CONFIG__providers__models__openrouter__default__api_key_FILE=/run/secrets/api_key \
    -e CLAW_CONFIG__providers__models__openrouter__default__model=test/zc-model \
    -e CLAW_CONFIG__gateway__port=42627 \
    -e CLAW_CONFIG__gateway__host=127.0.0.1 \
    -e CLAW_HEALTH_LISTEN=127.0.0.1:28701 \
    -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:42627/health \
    "$IMAGE" || die "podman run zeroclaw failed"
  check_healthy zeroclaw "$ZC" 60 zeroclaw_standin_healthy_ms "$start"
  cfg="$(podman exec "$ZC" cat /zeroclaw-data/.zeroclaw/config.toml)"
  check_true "TOML config has the patched port" grep -qE '^port *= *42627$' <<<"$cfg"
  check_true "TOML config has the patched provider model" grep -qE '^model *= *"test/zc-model"$' <<<"$cfg"
  check_true "TOML config has the secret from the _FILE (newline removed)" grep -qE "^api_key *= *\"$secret\"\$" <<<"$cfg"
  check_true "TOML config keeps schema_version 3" grep -qE '^schema_version *= *3$' <<<"$cfg"
  check_true "TOML config keeps pairing on" grep -qE '^require_pairing *= *true$' <<<"$cfg"
  check_eq "config file owned by 65534:65534" "65534:65534" \
    "$(podman exec "$ZC" stat -c %u:%g /zeroclaw-data/.zeroclaw/config.toml)"
  check_eq "the runtime's command is \`zeroclaw daemon\`" "zeroclaw daemon" \
    "$(runtime_cmdline "$ZC" http://127.0.0.1:28701/health)"
  zh="$(curl -s -m 3 http://127.0.0.1:42627/health)"
  check_eq "the runtime serves /health where the patched config says" "ok" "$(json_get "$zh" status)"
  check_eq "its /health reports require_pairing" "true" "$(json_get "$zh" require_pairing)"
  logs="$(podman logs "$ZC" 2>&1)"
  check_true "the runtime read the patched config as uid 65534" \
    grep -q 'config /zeroclaw-data/.zeroclaw/config.toml gateway=127.0.0.1:42627 require_pairing=true provider=openrouter.default model=test/zc-model api_key=set uid=65534' <<<"$logs"
  check_ca_bundle zeroclaw "$ZC"
  # Reload is POST /admin/reload from loopback; HUP is ignored.
  check_eq "POST /admin/reload from loopback" "200" \
    "$(curl -s -m 3 -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:42627/admin/reload)"
  podman kill -s HUP "$ZC" >/dev/null
  sleep 1
  logs="$(podman logs "$ZC" 2>&1)"
  check_true "the runtime read its config again on /admin/reload" grep -q 'reloaded: config /zeroclaw-data' <<<"$logs"
  check_true "a HUP reaches the runtime, which ignores it" grep -q 'received SIGHUP, ignoring' <<<"$logs"
  check_eq "and it is not restarted for it" "0" "$(json_get "$(curl -s -m 3 http://127.0.0.1:28701/health)" restarts)"
  if grep -qF "$secret" <<<"$logs"; then fail "zeroclaw secret in logs"; else pass "zeroclaw secret not in logs"; fi
  health="$(curl -s -m 3 http://127.0.0.1:28701/health)"
  check_eq "zeroclaw /health version" "0.8.4" "$(json_get "$health" version)"
  ms="$(timed_stop "$ZC" 10)"
  record zeroclaw_standin_stop_ms "$ms"
  check_true "zeroclaw stops in under 3 s (${ms} ms)" test "$ms" -lt 3000
  check_eq "zeroclaw exit code after stop" "0" "$(exit_code_of "$ZC")"

  # ZeroClaw's own overrides: ZEROCLAW_<lower-case path>, in memory only; the
  # upper-case names of old are no overrides; the profile's alias
  # OPENROUTER_API_KEY writes the provider's key into the file.
  run_container "$ZCO" --network host \
    -e OPENROUTER_API_KEY="$secret" \
    -e CLAW_CONFIG__gateway__host=127.0.0.1 \
    -e ZEROCLAW_gateway__port=42628 \
    -e ZEROCLAW_GATEWAY_PORT=42629 \
    -e CLAW_HEALTH_LISTEN=127.0.0.1:28703 \
    -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:42628/health \
    "$IMAGE" || die "podman run zeroclaw (env) failed"
  check_true "ZEROCLAW_gateway__port moves the gateway" wait_http http://127.0.0.1:42628/health 30
  check_eq "ZEROCLAW_GATEWAY_PORT (retired) does nothing" "000" \
    "$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:42629/health)"
  cfg="$(podman exec "$ZCO" cat /zeroclaw-data/.zeroclaw/config.toml)"
  check_true "the override is not written to the file" grep -qE '^port *= *42617$' <<<"$cfg"
  check_true "the alias OPENROUTER_API_KEY is" grep -qE "^api_key *= *\"$secret\"\$" <<<"$cfg"
  podman rm -f -t 0 "$ZCO" >/dev/null 2>&1
  # An unknown lower-case ZEROCLAW_* variable stops the runtime at start-up.
  code=0
  out="$(timeout 60 podman run --rm --network none -e CLAW_RESTART=never -e CLAW_HEALTH_LISTEN=off \
    -e ZEROCLAW_gateway__prot=1 "$IMAGE" 2>&1)" || code=$?
  check_eq "an unknown ZEROCLAW_gateway__prot: exit 1" "1" "$code"
  check_true "and the error names the variable" grep -q 'ZEROCLAW_gateway__prot did not resolve to a schema path' <<<"$out"
else
  fail "building images/zeroclaw with the stand-in failed"
fi

# ---------------------------------------------------------------- NullClaw
NC="claw-test-nullclaw-$$"
NCP="claw-test-nullclaw-plain-$$"
if IMAGE="$(build_image --standin nullclaw)"; then
  check_standin_image nullclaw "$IMAGE" 2026.2.26 NULLCLAW_HOME=/nullclaw-data HOME=/nullclaw-data
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
  check_healthy "nullclaw (upstream /ready)" "$NC" 60 nullclaw_standin_healthy_ms "$start"
  cfg="$(podman exec "$NC" cat /nullclaw-data/config.json)"
  check_true "config is strict JSON" python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$cfg"
  check_eq "JSON config has the port from the alias, as a number" "3010" "$(json_get "$cfg" gateway.port)"
  check_eq "JSON config has the alias model" "test/nc-model" "$(json_get "$cfg" agents.defaults.model.primary)"
  check_eq "JSON config has the secret from the _FILE" "$secret" "$(json_get "$cfg" models.providers.openrouter.api_key)"
  logs="$(podman logs "$NC" 2>&1)"
  check_true "the runtime parsed the file (no silent fallback to defaults)" \
    grep -q 'config /nullclaw-data/config.json from file gateway=127.0.0.1:3010 model=test/nc-model api_key=set uid=65534' <<<"$logs"
  check_eq "config file owned by 65534:65534" "65534:65534" "$(podman exec "$NC" stat -c %u:%g /nullclaw-data/config.json)"
  check_eq "the runtime's command is \`nullclaw gateway\`" "nullclaw gateway" \
    "$(runtime_cmdline "$NC" http://127.0.0.1:28702/health)"
  check_eq "the runtime's /health answers" "200" \
    "$(curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:3010/health)"
  check_ca_bundle nullclaw "$NC"
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
  run_container "$NCP" --network host --user 65534:65534 --entrypoint '["nullclaw","gateway","--port","3011","--host","127.0.0.1"]' \
    "$IMAGE" || die "plain nullclaw run failed"
  if wait_http http://127.0.0.1:3011/health 30; then
    ms="$(timed_stop "$NCP" 5)"
    record nullclaw_plain_entrypoint_stop_t5_ms "$ms"
    check_true "as PID 1 without claw-init, nullclaw waits for SIGKILL (${ms} ms with -t 5)" test "$ms" -ge 4500
    check_eq "and dies of SIGKILL" "137" "$(exit_code_of "$NCP")"
  else
    fail "plain nullclaw never answered"
  fi

  # images/build.sh with no version to tag: built-YYYYMMDD-<image id>. A
  # recipe on top of the image, with neither stamp nor runtime binary.
  fb="$WORK/fallback-src"
  mkdir -p "$fb/images/probeless"
  cp "$CLAW_SRC/images/context.dockerignore" "$fb/images/"
  printf 'FROM %s\nRUN rm -f /etc/claw/version.json /usr/local/bin/nullclaw\n' "$IMAGE" > "$fb/images/probeless/Dockerfile"
  CLEANUP_CMDS+=("podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/claw-init/probeless:' | xargs -r podman rmi -f >/dev/null 2>&1")
  if ref="$(CLAW_IMAGE_SRC="$fb" build_image probeless)"; then
    id="$(podman image inspect --format '{{.Id}}' "$ref")"
    id="${id#sha256:}"
    check_eq "no version: the tag is built-<UTC date>-<image id, 12 hex>" \
      "localhost/claw-init/probeless:built-$(date -u +%Y%m%d)-${id:0:12}" "$ref"
    check_labels "fallback-tagged image" "$ref" "$fb/images/probeless/Dockerfile"
  else
    fail "building an image without a version failed instead of taking the fallback tag"
  fi
else
  fail "building images/nullclaw with the stand-in failed"
fi

# A NullClaw whose version is `dev` (upstream's build without -Dversion) is
# neither stamped nor tagged: the build fails at `claw-init version stamp`.
if CLAW_BUILD_QUIET=1 bash "$CLAW_SRC/images/build.sh" --standin nullclaw --build-arg NULLCLAW_VERSION=dev \
     >"$WORK/dev.ref" 2>"$WORK/dev.log"; then
  fail "a nullclaw build with version dev succeeded: $(cat "$WORK/dev.ref")"
else
  pass "a nullclaw build with version dev fails"
fi
check_true "it fails at the version stamp, for want of a version" \
  grep -qE 'version stamp:.*no version' "$WORK/dev.log"
check_true "and no v-dev tag exists" bash -c '! podman image exists localhost/claw-init/nullclaw:vdev'

finish
