# Helpers of the container tests (tests/container/*.sh) on top of
# tests/lib/testlib.bash (checks, skip, die, finish, CLEANUP_CMDS): Podman,
# images, containers, timings. Each test is one bash script run by ctest
# (RUN_SERIAL: they share the host network and Podman's storage) with
# CLAW_SRC and CLAW_BUILD in its environment; it can also be run by hand:
# `bash tests/container/openclaw_image.sh`.
# Exit 77 = SKIP, only where Podman cannot be installed or run.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/testlib.bash"

CLAW_BUILD="${CLAW_BUILD:-$CLAW_SRC/build}"
CONTAINERS=()        # removed by name on exit
TIMINGS_FILE="$CLAW_BUILD/container-timings.txt"

remove_containers() {
  local c
  for c in "${CONTAINERS[@]}"; do
    podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
  done
}
# First in the list: the containers go before the tests' own clean-up
# (CLEANUP_CMDS+=(...), e.g. stopping a socket service).
CLEANUP_CMDS+=(remove_containers)

# record KEY VALUE: one timing line for docs/images.md, printed and kept in
# $CLAW_BUILD/container-timings.txt (latest value per key).
record() {
  echo "timing: $1 = $2"
  mkdir -p "$(dirname "$TIMINGS_FILE")"
  { grep -v "^$1 " "$TIMINGS_FILE" 2>/dev/null || true; echo "$1 $2 $(date -u +%FT%TZ)"; } > "$TIMINGS_FILE.tmp"
  mv "$TIMINGS_FILE.tmp" "$TIMINGS_FILE"
}

# Installs and configures Podman (cached), exports CONTAINERS_CONF, makes the
# local base images. SKIPs only when Podman cannot be had or cannot run.
container_setup() {
  require_root "to install and run Podman"
  local out start
  start=$(now_ms)
  if ! out="$(bash "$CLAW_SRC/scripts/container-setup.sh" 2>"$WORK/setup.log")"; then
    cat "$WORK/setup.log" >&2
    if ! command -v podman >/dev/null || ! podman info >/dev/null 2>&1; then
      skip "Podman cannot be installed or run here (see scripts/container-setup.sh output above)"
    fi
    die "scripts/container-setup.sh failed"
  fi
  eval "export $out"
  record container_setup_ms $(($(now_ms) - start))
}

# build_image [--standin] RUNTIME: builds (layer cache makes a rebuild with no
# change take seconds) and prints the versioned image reference.
build_image() {
  local start ref name="${*: -1}"
  start=$(now_ms)
  ref="$(CLAW_BUILD_QUIET=1 bash "$CLAW_SRC/images/build.sh" "$@" 2>"$WORK/build-$name.log")" || {
    cat "$WORK/build-$name.log" >&2
    return 1
  }
  record "image_build_${name}_ms" $(($(now_ms) - start)) >&2
  echo "$ref"
}

# run_container NAME ARGS...: podman run -d --name NAME, remembered for cleanup.
run_container() {
  local name="$1"; shift
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  CONTAINERS+=("$name")
  podman run -d --name "$name" "$@" >/dev/null 2>"$WORK/run-$name.err" || {
    cat "$WORK/run-$name.err" >&2
    return 1
  }
}

# Podman here has no systemd to run HEALTHCHECK periodically; it complains
# about that on stderr. These wrappers drop that one known line.
podman_quiet() { podman "$@" 2> >(grep -v 'systemd connection' >&2); }

# wait_healthy NAME SECONDS: runs the image's HEALTHCHECK until it passes.
# Prints the milliseconds it took.
wait_healthy() {
  local name="$1" limit="$2" start
  start=$(now_ms)
  while (($(now_ms) - start < limit * 1000)); do
    if podman healthcheck run "$name" >/dev/null 2>&1; then
      echo $(($(now_ms) - start))
      return 0
    fi
    [[ "$(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" == true ]] || return 1
    sleep 1
  done
  return 1
}

# check_healthy WHAT NAME SECONDS KEY START_MS: the check "WHAT: healthy"
# when the HEALTHCHECK of container NAME passes within SECONDS, recording
# KEY as the milliseconds since START_MS; otherwise the container's last log
# lines and the failure "WHAT: never healthy".
check_healthy() {
  if wait_healthy "$2" "$3" >/dev/null; then
    record "$4" $(($(now_ms) - $5))
    pass "$1: healthy"
  else
    podman logs "$2" 2>&1 | tail -n 30 >&2
    fail "$1: never healthy"
  fi
}

# wait_http URL SECONDS [CODE]: until URL answers CODE (default 200).
wait_http() {
  local url="$1" limit="$2" want="${3:-200}" start
  start=$(now_ms)
  while (($(now_ms) - start < limit * 1000)); do
    [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" == "$want" ]] && return 0
    sleep 0.5
  done
  return 1
}

# json_get JSON_TEXT KEY.PATH: prints the value (strings bare, others JSON).
json_get() {
  python3 -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# timed_stop NAME TIMEOUT: podman stop -t TIMEOUT; prints milliseconds.
timed_stop() {
  local start
  start=$(now_ms)
  podman stop -t "$2" "$1" >/dev/null 2>&1
  echo $(($(now_ms) - start))
}

exit_code_of() { podman inspect -f '{{.State.ExitCode}}' "$1"; }

# The container's PID 1 children (the runtime), in the host's pid namespace.
runtime_host_pid() {
  local pid1
  pid1="$(podman inspect -f '{{.State.Pid}}' "$1")"
  pgrep -P "$pid1" | head -n1
}
