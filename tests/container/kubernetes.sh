#!/usr/bin/env bash
# kubernetes/*, played by a real consumer of Kubernetes YAML: each set is
# rendered with `kubectl kustomize` (what `kubectl apply -k` sends) and run
# with `podman kube play` on the real OpenClaw image and the ZeroClaw and
# NullClaw images with their stand-ins. For each: healthy within the
# image's start grace, /health/ready 200 through the published port, the
# key or token only from the Secret's file (a _FILE variable, no value in
# the environment), non-root with no capabilities, then a stop with exit 0
# within terminationGracePeriodSeconds and `podman kube down` exit 0.
# Where Debian's podman 4.3.1 differs from a cluster the manifests keep
# the cluster's form; docs/kubernetes.md lists the differences, and the
# test works around them here, saying so.
source "$(dirname "$0")/lib/container.bash"

require_tool kubectl
require_tool curl
container_setup

PODMAN_VERSION="$(podman version --format '{{.Client.Version}}')"
# podman before 5.1 stops every container of `kube down` with SIGKILL at
# once (containers/podman#22397): stop the pod with the manifest's grace
# first, as the kubelet does, then let `kube down` remove it.
kube_down_kills=0
[[ "$(printf '%s\n5.1.0\n' "$PODMAN_VERSION" | sort -V | head -n1)" == 5.1.0 ]] || kube_down_kills=1

# field RENDER PYTHON-EXPR: one value of the Deployment (d), its container (c).
field() {
  /usr/bin/python3 -c '
import sys, yaml
d = next(x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"] == "Deployment")
c = d["spec"]["template"]["spec"]["containers"][0]
print(eval(sys.argv[2]))' "$1" "$2"
}

# play_set RUNTIME IMAGE: renders kubernetes/RUNTIME with a fresh secret and
# runs it; sets POD, CTR, RENDER, SECRET_VALUE, GRACE_S.
play_set() {
  local rt="$1" image="$2" f port
  rm -rf "${WORK:?}/$rt" && cp -r "$CLAW_SRC/kubernetes/$rt" "$WORK/$rt" && mkdir -p "$WORK/$rt/secrets"
  SECRET_VALUE="k8s-$rt-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  for f in $(sed -n 's/^ *- [a-z_]*=\(secrets\/[A-Za-z0-9_.-]*\)$/\1/p' "$WORK/$rt/kustomization.yaml"); do
    printf '%s\n' "$SECRET_VALUE" > "$WORK/$rt/$f"      # trailing newline, as `echo` and editors leave it
  done
  RENDER="$WORK/$rt.yaml"
  kubectl kustomize "$WORK/$rt" > "$RENDER" || die "$rt: kubectl kustomize failed"
  check_eq "$rt: the set runs the image built here" "$image" "$(field "$RENDER" 'c["image"]')"
  POD="$(field "$RENDER" 'd["metadata"]["name"]')-pod-0"
  CTR="$POD-$(field "$RENDER" 'c["name"]')"
  GRACE_S="$(field "$RENDER" 'd["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]')"
  # podman publishes every containerPort on the host as the same port: wait
  # a while for another test (or engineer) on this machine to let go of it.
  for port in $(field "$RENDER" '" ".join(str(p["containerPort"]) for p in c["ports"])'); do
    local waited=0
    while ss -ltnH "sport = :$port" | grep -q .; do
      ((waited % 30)) || echo "$rt: port $port is in use on this host, waiting (${waited} s): $(ss -ltnpH "sport = :$port" | head -n1)"
      ((waited < 300)) || die "$rt: port $port stayed in use for 300 s; podman publishes every containerPort"
      sleep 5; waited=$((waited + 5))
    done
  done
  # What a previous run may have left (podman keeps PVC volumes and secrets).
  podman pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
  podman volume rm -f "$rt-state" >/dev/null 2>&1 || true
  CLEANUP_CMDS+=("podman pod rm -f -t 0 $POD" "podman volume rm -f $rt-state"
                 "podman secret ls --format '{{.Name}}' | grep '^$rt-secrets-' | xargs -r podman secret rm"
                 "podman volume ls --format '{{.Name}}' | grep '^$rt-secrets-' | xargs -r podman volume rm -f")
  # slirp4netns: podman publishes each containerPort on the host (hostPort
  # = containerPort), which host networking refuses; no bridge is made.
  PLAY_START=$(now_ms)
  podman kube play --network slirp4netns "$RENDER" >"$WORK/play-$rt.out" 2>"$WORK/play-$rt.err" \
    || { cat "$WORK/play-$rt.err" >&2; die "$rt: podman kube play failed"; }
  pass "$rt: podman kube play accepts the rendered set"
}

# check_ready RUNTIME START_GRACE_S: /health/ready 200 through the published port.
check_ready() {
  local rt="$1" grace="$2" ms
  if wait_http "http://127.0.0.1:18700/health/ready" "$grace"; then
    ms=$(($(now_ms) - PLAY_START))
    record "kube_${rt}_ready_ms" "$ms"
    pass "$rt: /health/ready 200 through the published port within the ${grace} s start grace (${ms} ms)"
  else
    podman logs "$CTR" 2>&1 | tail -n 30 >&2
    die "$rt: /health/ready never answered 200 within ${grace} s"
  fi
  check_eq "$rt: /health/live 200" 200 "$(curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:18700/health/live)"
  check_eq "$rt: /health says running" running "$(json_get "$(curl -s -m 3 http://127.0.0.1:18700/health)" state)"
}

# check_secret RUNTIME FILE: the value reaches the runtime from the file only.
# Sets SEEN to the value as the container sees it.
check_secret() {
  local rt="$1" file="$2" seen env
  seen="$(podman exec "$CTR" cat "$file")"
  SEEN="$seen"
  if [[ "$seen" == "$SECRET_VALUE" ]]; then
    pass "$rt: the Secret's file holds the value (decoded, as a cluster mounts it)"
  elif [[ "$seen" == "$(printf '%s\n' "$SECRET_VALUE" | base64 -w0)" ]]; then
    echo "NOTE: podman $PODMAN_VERSION writes a Secret's data to the file undecoded (base64); a cluster decodes it (docs/kubernetes.md)"
    pass "$rt: the Secret's file holds the value, base64 as podman $PODMAN_VERSION leaves it"
  else
    fail "$rt: the Secret's file holds neither the value nor its base64"
  fi
  env="$(podman inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$CTR")"
  check_true "$rt: a _FILE variable names $file" grep -qx "[A-Za-z0-9_]*_FILE=$file" <<<"$env"
  if grep -qF -e "$SECRET_VALUE" -e "$seen" <<<"$env"; then fail "$rt: the secret value is in the environment"; else pass "$rt: no secret value in the environment"; fi
  podman logs "$CTR" >"$WORK/logs-$rt.txt" 2>&1
  if grep -qF -e "$SECRET_VALUE" -e "$seen" "$WORK/logs-$rt.txt"; then fail "$rt: the secret value is in the logs"; else pass "$rt: the secret value is not in the logs"; fi
}

# check_user RUNTIME: claw-init and the runtime run as the manifest's user.
check_user() {
  local rt="$1" uid
  uid="$(field "$RENDER" 'd["spec"]["template"]["spec"]["securityContext"]["runAsUser"]')"
  check_eq "$rt: claw-init runs as uid $uid (runAsUser)" "$uid $uid $uid $uid" \
    "$(podman exec "$CTR" awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/1/status)"
  check_eq "$rt: no capabilities (drop ALL)" 0000000000000000 "$(podman exec "$CTR" awk '/^CapEff:/ {print $2}' /proc/1/status)"
  check_eq "$rt: no_new_privs (allowPrivilegeEscalation: false)" 1 "$(podman exec "$CTR" awk '/^NoNewPrivs:/ {print $2}' /proc/1/status)"
  check_true "$rt: the root filesystem is read-only" bash -c "! podman exec $CTR touch /usr/claw-probe 2>/dev/null"
}

# check_stop RUNTIME [CODES]: stop within the grace, claw-init exits with one
# of CODES (default 0), then kube down exits 0.
check_stop() {
  local rt="$1" codes="${2:-0}" ms code rc=0 delay_supported=0 ready_during=""
  "$CLAW_INIT_HELP" | grep -q -- --stop-delay && delay_supported=1
  podman wait "$CTR" >"$WORK/wait-$rt.out" 2>&1 &
  local waiter=$!
  sleep 0.3
  local start=$(now_ms)
  if ((kube_down_kills)); then
    echo "NOTE: podman $PODMAN_VERSION: kube down SIGKILLs at once (containers/podman#22397); podman pod stop -t $GRACE_S first, as the kubelet stops a pod"
    podman pod stop -t "$GRACE_S" "$POD" >/dev/null 2>&1 &
  else
    podman kube down "$RENDER" >"$WORK/down-$rt.out" 2>&1 &
  fi
  local stopper=$!
  if ((delay_supported)); then
    sleep 1.5    # within CLAW_STOP_DELAY: not ready, still live, the runtime not yet stopped
    ready_during="$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:18700/health/ready || true)"
    check_eq "$rt: during the stop delay /health/ready answers 503" 503 "$ready_during"
    check_eq "$rt: during the stop delay /health/live answers 200" 200 \
      "$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:18700/health/live || true)"
  fi
  wait "$stopper" || rc=$?
  ms=$(($(now_ms) - start))
  wait "$waiter" || true
  code="$(tr -d '[:space:]' < "$WORK/wait-$rt.out")"
  record "kube_${rt}_stop_ms" "$ms"
  check_eq "$rt: the stop command exits 0" 0 "$rc"
  check_true "$rt: stopped within terminationGracePeriodSeconds ${GRACE_S} s (${ms} ms)" test "$ms" -lt $((GRACE_S * 1000))
  check_true "$rt: claw-init exits ${codes// / or } after the stop (got '$code')" test -n "$code" -a -z "${codes##*"$code"*}"
  if ((delay_supported)); then
    check_true "$rt: the stop waited for CLAW_STOP_DELAY (${ms} ms >= 4500)" test "$ms" -ge 4500
  else
    echo "PENDING: $rt: claw-init in this image has no --stop-delay yet: the stop-delay checks (ready 503 / live 200 during the delay, a stop of at least the delay) did not run"
  fi
  if ((kube_down_kills)); then
    rc=0; podman kube down "$RENDER" >"$WORK/down-$rt.out" 2>&1 || rc=$?
    check_eq "$rt: podman kube down exits 0" 0 "$rc"
  fi
  check_true "$rt: podman kube down removed the pod" bash -c "! podman pod exists $POD"
}

# play_runtime RUNTIME START_GRACE_S SECRET_FILE [--standin]: builds the
# image (CLAW_INIT_HELP runs its claw-init --help), plays the set, and checks
# readiness, the secret (left in SEEN) and the user.
CLAW_INIT_HELP="$WORK/claw-init-help"
play_runtime() {
  local rt="$1" grace="$2" secret_file="$3"
  shift 3
  IMAGE="$(build_image "$@" "$rt")" || die "building images/$rt failed"
  printf '#!/bin/sh\nexec podman run --rm --network none %s --help\n' "$IMAGE" > "$CLAW_INIT_HELP" && chmod +x "$CLAW_INIT_HELP"
  play_set "$rt" "$IMAGE"
  check_ready "$rt" "$grace"
  check_secret "$rt" "$secret_file"
  check_user "$rt"
}

# --------------------------------------------------------------- OpenClaw
play_runtime openclaw 90 /run/secrets/openclaw/gateway_token
echo "PENDING check: $("$CLAW_INIT_HELP" | grep -q -- --stop-delay && echo "claw-init has --stop-delay" || echo "claw-init has no --stop-delay yet")"
token="$SEEN"
call_health() {
  podman exec -e HOME=/tmp/probe-home "$CTR" \
    openclaw gateway call health --url ws://127.0.0.1:18789 --token "$1" --json --timeout 20000 >"$WORK/call.out" 2>&1
}
check_true "openclaw: the gateway accepts the token from the Secret's file" call_health "$token"
if call_health "wrong-$token"; then fail "openclaw: the gateway accepted a wrong token"; else pass "openclaw: the gateway refuses a wrong token"; fi
check_stop openclaw

# --------------------------------------------------------------- ZeroClaw
play_runtime zeroclaw 30 /run/secrets/zeroclaw/api_key --standin
key="$SEEN"
check_true "zeroclaw: the config holds the key from the Secret's file" \
  grep -qxF "api_key = \"$key\"" <<<"$(podman exec "$CTR" cat /zeroclaw-data/.zeroclaw/config.toml)"
check_stop zeroclaw

# --------------------------------------------------------------- NullClaw
play_runtime nullclaw 30 /run/secrets/nullclaw/api_key --standin
key="$SEEN"
check_eq "nullclaw: the config holds the key from the Secret's file" "$key" \
  "$(json_get "$(podman exec "$CTR" cat /nullclaw-data/config.json)" models.providers.openrouter.api_key)"
# NullClaw has no SIGTERM handler: it dies of the TERM, and claw-init
# passes on 143 (128+15), as tests/container/standin_images.sh accepts.
check_stop nullclaw "0 143"

finish
