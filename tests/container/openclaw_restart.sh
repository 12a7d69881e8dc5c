#!/usr/bin/env bash
# images/openclaw with claw-init as OpenClaw's external supervisor (issue 13,
# contract section 7 "Restarts the runtime asks for"; the facts are in
# docs/images.md), against the real gateway:
#  - static: one stop grace agrees everywhere: the profile's [stop] grace,
#    compose's stop_grace_period (grace + 5 s) and kubernetes/openclaw's
#    terminationGracePeriodSeconds (grace + CLAW_STOP_DELAY + 5 s);
#  - the gateway runs with OPENCLAW_SUPERVISOR_MODE=external from the
#    profile's [runtime.env];
#  - `openclaw gateway restart` inside the running container: the CLI exits
#    0, the gateway pid changes, PID 1 is still claw-init and the container
#    never stopped, /health passes again with `restarts` 1, claw-init logs
#    that the runtime asked for it, the token is in no log;
#  - then `podman stop` exits 0 well within the grace.
# Until claw-init knows [runtime.env] and [restart] handoff, the image's
# profile is refused at build time (exit 78 naming the key): the test SKIPs
# then, loudly, with that reason.
source "$(dirname "$0")/lib/container.bash"

GW_PORT=28792
HEALTH_PORT=28702
NAME="claw-test-openclaw-restart-$$"
PROFILE="$CLAW_SRC/images/openclaw/profile.toml"

require_tool python3

# --- static: the stop grace, the engines' graces ------------------------------------
grace_s() {  # the profile's [stop] grace in whole seconds ("330s")
  python3 - "$PROFILE" <<'EOF'
import sys, tomllib
g = tomllib.load(open(sys.argv[1], "rb"))["stop"]["grace"]
assert g.endswith("s") and g[:-1].isdigit(), g
print(int(g[:-1]))
EOF
}
GRACE_S="$(grace_s)"
compose_grace="$(python3 - "$CLAW_SRC/compose/docker-compose.yml" <<'EOF'
import sys, yaml
g = str(yaml.safe_load(open(sys.argv[1]))["services"]["openclaw"]["stop_grace_period"])
print(int(g[:-1]) if g.endswith("s") else int(g))
EOF
)"
read -r kube_grace kube_delay < <(python3 - "$CLAW_SRC/kubernetes/openclaw/deployment.yaml" <<'EOF'
import sys, yaml
d = next(x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"] == "Deployment")
spec = d["spec"]["template"]["spec"]
env = {e["name"]: e.get("value") for e in spec["containers"][0].get("env", [])}
delay = env.get("CLAW_STOP_DELAY", "0s")
print(spec["terminationGracePeriodSeconds"], int(delay[:-1]))
EOF
)
check_eq "the image's stop grace is OpenClaw's own stop policy (330 s)" 330 "$GRACE_S"
check_eq "compose stop_grace_period = grace + 5 s" $((GRACE_S + 5)) "$compose_grace"
check_eq "terminationGracePeriodSeconds = grace + CLAW_STOP_DELAY + 5 s" $((GRACE_S + kube_delay + 5)) "$kube_grace"

# --- does this claw-init have the mechanism? -----------------------------------------
handoff_declared="$(python3 - "$PROFILE" <<'EOF'
import sys, tomllib
p = tomllib.load(open(sys.argv[1], "rb"))
print("yes" if p.get("restart", {}).get("handoff") and p.get("runtime", {}).get("env") else "no")
EOF
)"
if [[ "$handoff_declared" != yes ]]; then
  ((FAILURES == 0)) || { finish; exit 1; }
  skip "images/openclaw/profile.toml has no [restart] handoff and [runtime.env] yet (branch handoff13's last commit adds them)"
fi

container_setup
if ! IMAGE="$(build_image openclaw 2>/dev/null)"; then
  if grep -Eq "unknown (key|section) '(restart\.handoff|runtime\.env)" "$WORK/build-openclaw.log"; then
    ((FAILURES == 0)) || { finish; exit 1; }
    grep -E "unknown (key|section)" "$WORK/build-openclaw.log" | head -n 2 >&2
    skip "claw-init does not know [restart] handoff / [runtime.env] yet (issue 13's mechanism): the image's 'claw-init config check' refuses the profile"
  fi
  tail -n 30 "$WORK/build-openclaw.log" >&2
  die "building images/openclaw failed"
fi
echo "image: $IMAGE"

# --- a real gateway under claw-init ------------------------------------------------------
mkdir -p "$WORK/secrets"
TOKEN="tok-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOKEN" > "$WORK/secrets/gateway_token"
run_container "$NAME" --network host \
  -v "$WORK/secrets:/run/secrets:ro" \
  -e CLAW_CONFIG__gateway__auth__token_FILE=/run/secrets/gateway_token \
  -e OPENCLAW_GATEWAY_PORT=$GW_PORT \
  -e CLAW_HEALTH_LISTEN=127.0.0.1:$HEALTH_PORT \
  -e CLAW_HEALTH_UPSTREAM=http://127.0.0.1:$GW_PORT/readyz \
  "$IMAGE" || die "podman run failed"
if ! wait_healthy "$NAME" 180 >/dev/null; then
  podman logs "$NAME" 2>&1 | tail -n 40 >&2
  die "the HEALTHCHECK never passed"
fi
started_at="$(podman inspect -f '{{.State.StartedAt}}' "$NAME")"
gw_pid="$(runtime_host_pid "$NAME")"
check_true "the gateway has OPENCLAW_SUPERVISOR_MODE=external ([runtime.env])" \
  grep -qx 'OPENCLAW_SUPERVISOR_MODE=external' <(tr '\0' '\n' < "/proc/$gw_pid/environ")
check_eq "/health restarts before the restart" 0 "$(json_get "$(curl -s -m 5 "http://127.0.0.1:$HEALTH_PORT/health")" restarts)"

# --- `openclaw gateway restart`: the gateway exits 0 with a handoff, claw-init
# consumes it and starts a fresh gateway at once.
start=$(now_ms)
rc=0
podman exec --user openclaw "$NAME" openclaw gateway restart >"$WORK/restart.out" 2>&1 || rc=$?
record openclaw_gateway_restart_cli_ms $(($(now_ms) - start))
cat "$WORK/restart.out"
check_eq "openclaw gateway restart exits 0 (it waits for a healthy replacement)" 0 "$rc"
restarted=""
while (($(now_ms) - start < 180000)); do
  health="$(curl -s -m 3 "http://127.0.0.1:$HEALTH_PORT/health" || true)"
  if [[ -n "$health" && "$(json_get "$health" restarts 2>/dev/null)" == 1 && "$(json_get "$health" status 2>/dev/null)" == pass ]] \
     && [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/readyz")" == 200 ]]; then
    restarted=yes
    break
  fi
  sleep 1
done
if [[ -n "$restarted" ]]; then
  record openclaw_handoff_restart_to_healthy_ms $(($(now_ms) - start))
  pass "/health passes again with restarts 1"
else
  podman logs "$NAME" 2>&1 | tail -n 30 >&2
  fail "no healthy restart in /health after openclaw gateway restart (last: ${health:-none})"
fi
new_pid="$(runtime_host_pid "$NAME")"
check_true "the gateway is a new process ($gw_pid -> $new_pid)" test -n "$new_pid" -a "$new_pid" != "$gw_pid"
check_eq "PID 1 is still claw-init" "/usr/local/bin/claw-init" \
  "$(podman exec "$NAME" cat /proc/1/cmdline | tr '\0' '\n' | head -n1)"
check_eq "the container never stopped" "$started_at" "$(podman inspect -f '{{.State.StartedAt}}' "$NAME")"
podman logs "$NAME" >"$WORK/logs.txt" 2>&1
check_true "OpenClaw logged its supervisor restart" grep -q 'restart mode: full process restart (supervisor restart)' "$WORK/logs.txt"
check_true "claw-init logged that the runtime asked for the restart" grep -Eiq 'claw-init.*(asked|handoff)' "$WORK/logs.txt"
if grep -qF "$TOKEN" "$WORK/logs.txt" "$WORK/restart.out"; then fail "the token appears in a log"; else pass "the token is in no log"; fi

# --- stop: at once when idle, exit 0, well within the grace ----------------------------
stop_ms="$(timed_stop "$NAME" $((GRACE_S + 5)))"
record openclaw_restart_stop_ms "$stop_ms"
check_eq "exit code after podman stop" 0 "$(exit_code_of "$NAME")"
check_true "podman stop of an idle gateway takes under 10 s, far within the ${GRACE_S} s grace (${stop_ms} ms)" test "$stop_ms" -lt 10000
podman logs "$NAME" >"$WORK/logs.txt" 2>&1
if grep -qF "$TOKEN" "$WORK/logs.txt"; then fail "the token appears in the logs after stop"; fi

finish
