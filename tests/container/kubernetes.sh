#!/usr/bin/env bash
# kubernetes/*, played by a real consumer of Kubernetes YAML: each set is
# rendered with `kubectl kustomize` (what `kubectl apply -k` sends) and run
# with `podman kube play` on the real OpenClaw image and the ZeroClaw and
# NullClaw images with their stand-ins. For each: healthy within the
# image's start grace, /health/ready 200 through the published port, the
# key or token only from the Secret's file (a _FILE variable, no value in
# the environment), non-root with no capabilities, then a stop that drains
# first (CLAW_STOP_DELAY: /health/ready 503 and /health/live 200 while the
# runtime still serves), exits 0 within terminationGracePeriodSeconds and
# writes the termination log, and `podman kube down` exit 0.
# Where Debian's podman 4.3.1 differs from a cluster the manifests keep
# the cluster's form; docs/kubernetes.md lists the differences, and the
# test works around them here, saying so.
source "$(dirname "$0")/lib/container.bash"

require_tool kubectl
require_tool curl
container_setup

PODMAN_VERSION="$(podman version --format '{{.Client.Version}}')"
# The stop goes as the kubelet's: the runtime's container first, with
# terminationGracePeriodSeconds, the pod's sandbox after it. Neither of
# podman's pod-wide stops does that: `kube down` before 5.1 SIGKILLs every
# container at once (containers/podman#22397), and `pod stop` stops the
# infra container at once too, which takes the published ports away for
# the whole stop delay. So: `podman stop -t GRACE` of the one container,
# then `kube down` removes the rest.

# field RENDER PYTHON-EXPR: one value of the Deployment (d), its container
# (c), its environment (env: name -> value); secs("5s") is 5.
PYLIB='
import re, sys, tomllib, yaml
def secs(t):
    n, u = re.fullmatch(r"(\d+)(ms|s|m)?", str(t)).groups()
    return int(n) * {"ms": 0.001, "s": 1, "m": 60}[u or "s"]
'
field() {
  /usr/bin/python3 -c "$PYLIB"'
d = next(x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"] == "Deployment")
c = d["spec"]["template"]["spec"]["containers"][0]
env = {e["name"]: e.get("value") for e in c.get("env", [])}
print(eval(sys.argv[2]))' "$1" "$2"
}
# profile_get PYTHON-EXPR: a value of the image's profile (p), as
# the image carries it (/etc/claw/profile.toml of the running container).
profile_get() {
  podman exec "$CTR" cat /etc/claw/profile.toml | /usr/bin/python3 -c "$PYLIB"'
p = tomllib.loads(sys.stdin.read())
print(eval(sys.argv[1]))' "$1"
}

# play_set RUNTIME IMAGE: renders kubernetes/RUNTIME with a fresh secret and
# runs it; sets POD, CTR, RENDER, PLAY, TERMLOG, SECRET_VALUE, SECRET_VAR (the
# _FILE variable), SECRET_FILE (its path), GRACE_S, DELAY_MS.
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
  DELAY_MS="$(field "$RENDER" 'round(secs(env.get("CLAW_STOP_DELAY", "0s")) * 1000)')"
  SECRET_VAR="$(field "$RENDER" 'next(n for n in env if n.endswith("_FILE"))')"
  SECRET_FILE="$(field "$RENDER" "env['$SECRET_VAR']")"
  # podman makes no /dev/termination-log (the kubelet makes the file, mode
  # 0666, and mounts it at terminationMessagePath): the play copy mounts a
  # file of the host there as a hostPath volume; the render stays as it is.
  TERMLOG="$WORK/$rt.termination-log"
  : > "$TERMLOG" && chmod 0666 "$TERMLOG"
  PLAY="$WORK/$rt.play.yaml"
  /usr/bin/python3 -c '
import sys, yaml
docs = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x]
pod = next(x for x in docs if x["kind"] == "Deployment")["spec"]["template"]["spec"]
c = pod["containers"][0]
pod["volumes"].append({"name": "termination-log", "hostPath": {"path": sys.argv[2], "type": "File"}})
c["volumeMounts"].append({"name": "termination-log", "mountPath": c["terminationMessagePath"]})
yaml.safe_dump_all(docs, open(sys.argv[3], "w"), sort_keys=False)' "$RENDER" "$TERMLOG" "$PLAY"
  echo "NOTE: podman $PODMAN_VERSION makes no termination log: $TERMLOG is mounted at $(field "$RENDER" 'c["terminationMessagePath"]') (hostPath, File), as the kubelet mounts its file"
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
  podman kube play --network slirp4netns "$PLAY" >"$WORK/play-$rt.out" 2>"$WORK/play-$rt.err" \
    || { cat "$WORK/play-$rt.err" >&2; die "$rt: podman kube play failed"; }
  pass "$rt: podman kube play accepts the rendered set"
}

# check_ready RUNTIME: /health/ready 200 through the published port within
# the image's start grace; the manifest's grace sum fits the image's profile.
check_ready() {
  local rt="$1" grace ms stop_grace
  grace="$(/usr/bin/python3 -c "$PYLIB"'
print(int(secs(tomllib.load(open(sys.argv[1], "rb"))["health"]["start_grace"])))' "$CLAW_SRC/images/$rt/profile.toml")"
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
  stop_grace="$(profile_get 'secs(p.get("stop", {}).get("grace", "8s"))')"
  check_true "$rt: terminationGracePeriodSeconds ${GRACE_S} = the image's [stop] grace ${stop_grace} s + CLAW_STOP_DELAY ${DELAY_MS} ms + 2..10 s" \
    /usr/bin/python3 -c "import sys; sys.exit(not 2 <= $GRACE_S - $stop_grace - $DELAY_MS / 1000 <= 10)"
}

# check_secret RUNTIME: the value reaches the runtime from the file only.
# Sets SEEN to the value as the container sees it.
check_secret() {
  local rt="$1" file="$SECRET_FILE" seen env
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

# check_config_key RUNTIME: the config target (the profile's, in the image)
# holds the value seen in the Secret's file at the key SECRET_VAR names.
check_config_key() {
  local rt="$1" key target
  key="${SECRET_VAR#CLAW_CONFIG__}"; key="${key%_FILE}"; key="${key//__/.}"
  target="$(profile_get 'p["config"]["target"]')"
  check_eq "$rt: $target holds the value of the Secret's file at $key" "$SEEN" \
    "$(podman exec "$CTR" cat "$target" | /usr/bin/python3 -c "$PYLIB"'
import json
text = sys.stdin.read()
v = tomllib.loads(text) if sys.argv[1].endswith(".toml") else json.loads(text)
for k in sys.argv[2].split("."):
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(v)' "$target" "$key")"
  check_true "$rt: the stand-in read a key from that config (its log says api_key=set)" grep -q ' api_key=set ' "$WORK/logs-$rt.txt"
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

# check_stop RUNTIME [CODES [OVER_MS]]: the stop drains for CLAW_STOP_DELAY
# (ready 503, live 200, the runtime still serving), then ends within the
# grace, less than OVER_MS (default 2000) after the delay, with claw-init's
# exit one of CODES (default 0) and its reason in the termination log; then
# kube down exits 0.
check_stop() {
  local rt="$1" codes="${2:-0}" over="${3:-2000}" ms code rc=0 waited=0 upstream want delay_ms="$DELAY_MS"
  upstream="$(profile_get 'p["health"]["upstream"]')"
  podman logs -f "$CTR" >"$WORK/stop-logs-$rt.txt" 2>&1 &
  local logger=$!
  podman wait "$CTR" >"$WORK/wait-$rt.out" 2>&1 &
  local waiter=$!
  sleep 0.3
  local start=$(now_ms)
  podman stop -t "$GRACE_S" "$CTR" >/dev/null 2>"$WORK/stop-$rt.err" &
  local stopper=$!
  # The TERM reaches claw-init after podman's own work: poll for the 503.
  local ready=""
  while ((waited < 30)); do
    ready="$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:18700/health/ready || true)"
    [[ "$ready" == 503 ]] && break
    sleep 0.1; waited=$((waited + 1))
  done
  ms=$(($(now_ms) - start))
  check_eq "$rt: once the stop began, /health/ready answers 503 (after ${ms} ms)" 503 "$ready"
  check_true "$rt: ... at once, not at the end of the delay (${ms} ms < 2000)" test "$ms" -lt 2000
  check_eq "$rt: during the stop delay /health/live answers 200" 200 \
    "$(curl -s -m 1 -o /dev/null -w '%{http_code}' http://127.0.0.1:18700/health/live || true)"
  check_eq "$rt: during the stop delay the runtime still serves ($upstream through the published port)" 200 \
    "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$upstream" || true)"
  wait "$stopper" || rc=$?
  ms=$(($(now_ms) - start))
  wait "$waiter" || true
  wait "$logger" || true
  code="$(tr -d '[:space:]' < "$WORK/wait-$rt.out")"
  record "kube_${rt}_stop_ms" "$ms"
  check_eq "$rt: the stop command exits 0" 0 "$rc"
  check_true "$rt: stopped within terminationGracePeriodSeconds ${GRACE_S} s (${ms} ms)" test "$ms" -lt $((GRACE_S * 1000))
  check_true "$rt: the stop took about CLAW_STOP_DELAY ${DELAY_MS} ms (${ms} ms: at least the delay, less than ${over} ms more)" \
    test "$ms" -ge "$delay_ms" -a "$ms" -lt $((delay_ms + over))
  # claw-init's own log: when it took the TERM, and when it passed it on.
  local gap
  gap="$(/usr/bin/python3 -c '
import sys
from datetime import datetime
t = {}
for line in open(sys.argv[1], errors="replace"):
    for key, what in (("got", "received TERM: stopping"), ("sent", "stop delay over: sent TERM")):
        if what in line and key not in t:
            t[key] = datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))
print(round((t["sent"] - t["got"]).total_seconds() * 1000) if len(t) == 2 else "none")' "$WORK/stop-logs-$rt.txt")"
  check_true "$rt: the runtime got its TERM CLAW_STOP_DELAY after claw-init did (log: ${gap} ms)" \
    test "$gap" != none -a "${gap/none/0}" -ge $((delay_ms - 50)) -a "${gap/none/0}" -le $((delay_ms + 500))
  check_true "$rt: claw-init exits ${codes// / or } after the stop (got '$code')" test -n "$code" -a -z "${codes##*"$code"*}"
  if [[ "$code" == 0 ]]; then want="$rt exited with status 0"; else want="$rt killed by signal $(kill -l $((code - 128)))"; fi
  check_eq "$rt: the termination log is one line" 1 "$(wc -l < "$TERMLOG")"
  check_true "$rt: the termination log says why: '$want ...; stopped by TERM' (got '$(head -c 200 "$TERMLOG")')" \
    grep -qE "^$want .*; stopped by TERM\$" "$TERMLOG"
  rc=0; podman kube down "$PLAY" >"$WORK/down-$rt.out" 2>&1 || rc=$?
  check_eq "$rt: podman kube down exits 0" 0 "$rc"
  check_true "$rt: podman kube down removed the pod" bash -c "! podman pod exists $POD"
}

# --------------------------------------------------------------- OpenClaw
IMAGE="$(build_image openclaw)" || die "building images/openclaw failed"
play_set openclaw "$IMAGE"
check_ready openclaw
check_secret openclaw
token="$SEEN"
check_user openclaw
call_health() {
  podman exec -e HOME=/tmp/probe-home "$CTR" \
    openclaw gateway call health --url ws://127.0.0.1:18789 --token "$1" --json --timeout 20000 >"$WORK/call.out" 2>&1
}
check_true "openclaw: the gateway accepts the token from the Secret's file" call_health "$token"
if call_health "wrong-$token"; then fail "openclaw: the gateway accepted a wrong token"; else pass "openclaw: the gateway refuses a wrong token"; fi
# OpenClaw's own shutdown after its TERM: 0.1-1 s, 4.3 s once on a loaded machine.
check_stop openclaw 0 8000

# --------------------------------------------------------------- ZeroClaw
IMAGE="$(build_image --standin zeroclaw)" || die "building images/zeroclaw failed"
play_set zeroclaw "$IMAGE"
check_ready zeroclaw
check_secret zeroclaw
check_user zeroclaw
check_config_key zeroclaw
check_stop zeroclaw

# --------------------------------------------------------------- NullClaw
IMAGE="$(build_image --standin nullclaw)" || die "building images/nullclaw failed"
play_set nullclaw "$IMAGE"
check_ready nullclaw
check_secret nullclaw
check_user nullclaw
check_config_key nullclaw
# NullClaw has no SIGTERM handler: it dies of the TERM, and claw-init
# passes on 143 (128+15), as tests/container/standin_images.sh accepts.
check_stop nullclaw "0 143"

finish
