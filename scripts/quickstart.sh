#!/usr/bin/env bash
# The quick start: a real OpenClaw gateway under claw-init on this machine,
# no containers. On a fresh Debian 12 machine, as root:
#   scripts/quickstart.sh            # runs in the foreground; Ctrl-C stops it
#   scripts/quickstart.sh --check    # start, wait until healthy, print /health, stop
# Steps: install the build dependencies (scripts/install-deps.sh --build), build the
# static claw-init into build/, install Node 24 and OpenClaw 2026.9.6 into
# ~/.cache/claw-init/openclaw (scripts/install-openclaw.sh), write a profile
# and a default JSON5 config, then run claw-init in front of
# `openclaw gateway run` with the config patched from environment variables.
#
# Environment (all optional):
#   OPENCLAW_GATEWAY_TOKEN   gateway token (alias of gateway.auth.token); when
#                            neither it nor CLAW_CONFIG__gateway__auth__token(_FILE)
#                            is set, a random one is kept in $dir/gateway-token
#                            and handed over as CLAW_CONFIG__gateway__auth__token_FILE
#   OPENCLAW_GATEWAY_PORT    gateway port (alias of gateway.port; default 18789)
#   OPENCLAW_PRIMARY_MODEL   agents.defaults.model.primary
#   CLAW_CONFIG__a__b=VALUE  any other key of openclaw.json
#   CLAW_HEALTH_LISTEN       where /health answers (default 127.0.0.1:18700)
#   CLAW_QUICKSTART_DIR      profile, config and the gateway's HOME
#                            (default ~/.cache/claw-init/quickstart)
#   CLAW_INIT                use this claw-init binary instead of building one
#   CLAW_QUICKSTART_CHECK=1  same as --check
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check="${CLAW_QUICKSTART_CHECK:-0}"
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' | sed '$d'; exit 0 ;;
    *) echo "quickstart: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "quickstart: $*" >&2; }
die() { echo "quickstart: $*" >&2; exit 1; }
start=$SECONDS

# 1. Dependencies and claw-init.
if [[ -n "${CLAW_INIT:-}" ]]; then
  [[ -x "$CLAW_INIT" ]] || die "CLAW_INIT=$CLAW_INIT is not executable"
  claw_init="$CLAW_INIT"
else
  ((EUID == 0)) || die "run as root on Debian 12 (it installs packages), or set CLAW_INIT"
  bash "$repo/scripts/install-deps.sh" --build
  say "building claw-init (release) into $repo/build"
  cmake -S "$repo" -B "$repo/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$repo/build" -j2 claw-init >/dev/null
  claw_init="$repo/build/claw-init"
fi
for tool in curl ss; do
  command -v "$tool" >/dev/null || die "$tool is needed (scripts/install-deps.sh --build installs it)"
done

# 2. Node 24, npm and OpenClaw from the npm registry, cached.
openclaw="$(bash "$repo/scripts/install-openclaw.sh")" || die "installing OpenClaw failed (output above)"
openclaw_bin="$(dirname "$openclaw")"

# 3. Profile and default config.
dir="${CLAW_QUICKSTART_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/quickstart}"
home="$dir/home"
mkdir -p "$home/.openclaw/workspace"
chmod 0700 "$dir" "$home/.openclaw"
port="${OPENCLAW_GATEWAY_PORT:-18789}"
[[ "$port" =~ ^[0-9]+$ ]] || die "OPENCLAW_GATEWAY_PORT must be a port number"
export CLAW_HEALTH_LISTEN="${CLAW_HEALTH_LISTEN:-127.0.0.1:18700}"
health_url="http://${CLAW_HEALTH_LISTEN}/health"

cat > "$dir/openclaw.json5" <<EOF
// OpenClaw's config before claw-init patches it (JSON5: comments are fine).
// claw-init copies it to $home/.openclaw/openclaw.json
// on the first start, then sets the keys named by the environment.
{
  gateway: {
    mode: "local",
    port: 18789,
    bind: "loopback",   // this machine only
    auth: {
      mode: "token",
      token: "",        // from OPENCLAW_GATEWAY_TOKEN or CLAW_CONFIG__gateway__auth__token(_FILE)
    },
  },
  agents: {
    defaults: { workspace: "$home/.openclaw/workspace" },
  },
}
EOF
cat > "$dir/profile.toml" <<EOF
# claw-init profile of the quick start (contract section 5).
[runtime]
name = "openclaw"
command = ["openclaw", "gateway", "run"]
workdir = "$home"

# claw-init is OpenClaw's external supervisor (docs/images.md).
[runtime.env]
OPENCLAW_SUPERVISOR_MODE = "external"

[config]
default = "$dir/openclaw.json5"
target = "$home/.openclaw/openclaw.json"
format = "json"

[config.env]
OPENCLAW_GATEWAY_TOKEN = "gateway.auth.token"
OPENCLAW_GATEWAY_PORT = "gateway.port"
OPENCLAW_PRIMARY_MODEL = "agents.defaults.model.primary"

[health]
upstream = "http://127.0.0.1:$port/readyz"
start_grace = "120s"

[restart]
policy = "on-failure"
handoff = ["openclaw", "gateway", "restart-handoff", "consume", "--expected-pid", "{pid}", "--json"]
handoff_capabilities = ["openclaw", "gateway", "restart-handoff", "capabilities", "--json"]

# The gateway's output through claw-init with every secret value replaced.
[log]
redact = true

# OpenClaw's own drain deadline when no systemd tells it one (at most 315 s
# of drain, out by 325 s): an in-flight turn can finish on a stop.
[stop]
grace = "330s"

[version]
command = ["openclaw", "--version"]
stamp = "$dir/version.json"
EOF

# A token is required; make one unless the caller gave one. It goes in as a
# file: its value is never printed, logged or put in the environment.
if [[ -z "${OPENCLAW_GATEWAY_TOKEN:-}${OPENCLAW_GATEWAY_TOKEN_FILE:-}${CLAW_CONFIG__gateway__auth__token:-}${CLAW_CONFIG__gateway__auth__token_FILE:-}" ]]; then
  if [[ ! -s "$dir/gateway-token" ]]; then
    (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > "$dir/gateway-token")
  fi
  export CLAW_CONFIG__gateway__auth__token_FILE="$dir/gateway-token"
  say "gateway token: in $dir/gateway-token"
fi
export OPENCLAW_GATEWAY_PORT="$port"

for p in "$port" "${CLAW_HEALTH_LISTEN##*:}"; do
  if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
    die "port $p is already in use (set OPENCLAW_GATEWAY_PORT / CLAW_HEALTH_LISTEN)"
  fi
done

# 4. claw-init in front of the gateway.
export HOME="$home"
export PATH="$openclaw_bin:$PATH"
export CLAW_PROFILE="$dir/profile.toml"
# Record OpenClaw's version once, as an image build does: /health reports it.
"$claw_init" version stamp >/dev/null || die "claw-init version stamp failed"
say "starting claw-init ($claw_init) in front of openclaw gateway run (setup took $((SECONDS - start)) s)"
"$claw_init" &
claw_pid=$!
stopping=0
stop() { stopping=1; kill -TERM "$claw_pid" 2>/dev/null || true; }
trap stop INT TERM

# Wait for /health, telling where it answers.
ready=0
deadline=$((SECONDS + 180))
while ((SECONDS < deadline)) && kill -0 "$claw_pid" 2>/dev/null && ((!stopping)); do
  if curl -fs -m 2 -o /dev/null "$health_url"; then ready=1; break; fi
  sleep 1
done
if ((ready)); then
  say "healthy after $((SECONDS - start)) s"
  echo "/health answers at $health_url"
  echo "gateway: ws://127.0.0.1:$port (token in ${CLAW_CONFIG__gateway__auth__token_FILE:-your environment})"
  curl -s -m 2 "$health_url" || true   # a Ctrl-C landing here must not end the script early
  echo
elif ((!stopping)); then
  say "not healthy within 180 s"
  ((check)) && { stop; wait "$claw_pid" || true; exit 1; }
fi

if ((check)); then
  stop
  code=0
  wait "$claw_pid" || code=$?
  ((code == 0)) || die "claw-init exited with $code after the stop"
  say "stopped cleanly"
  exit 0
fi
echo "Ctrl-C stops it."
code=0
while :; do
  wait "$claw_pid" && code=0 || code=$?
  kill -0 "$claw_pid" 2>/dev/null || break   # wait returns early when a trapped signal arrives
done
exit "$code"
