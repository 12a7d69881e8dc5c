#!/usr/bin/env bash
# OpenClaw itself judges the patched config: `config render` patches the
# JSON5 fixture through the environment (token through the profile alias,
# port, model, a channel), `openclaw config validate` must accept the
# result, and `openclaw gateway run` must start on the patched port and
# answer /readyz. OpenClaw comes from scripts/install-openclaw.sh (a cache
# outside git; about 40 s the first time, then instant).
source "$(dirname "$0")/lib/common.bash"
source "$CLAW_SRC/tests/fixtures/config/lib.bash"
require_tool python3
require_config_subcommands

openclaw="$("$CLAW_SRC/scripts/install-openclaw.sh" --print launcher --quiet 2>"$WORK/install.err")" ||
  skip "OpenClaw could not be installed: $(tail -n1 "$WORK/install.err")"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
home="$WORK/home"
target="$home/.openclaw/openclaw.json"
mkdir -p "$home/.openclaw"
make_profile "$WORK/p.toml" "$target" "$FIX/openclaw.json5" "" OPENCLAW_GATEWAY_TOKEN=gateway.auth.token
token="tok-$RANDOM$RANDOM$RANDOM"

rc=0
claw OPENCLAW_GATEWAY_TOKEN="$token" CLAW_CONFIG__gateway__port="$port" \
  CLAW_CONFIG__agents__defaults__model__primary=anthropic/claude-sonnet-4-5 \
  CLAW_CONFIG__channels__telegram__botToken=123456:fixture-bot CLAW_CONFIG__channels__telegram__dmPolicy=allowlist \
  CLAW_CONFIG__channels__telegram__allowFrom='["tg:12345678"]' \
  -- --profile "$WORK/p.toml" config render --show-secrets >"$WORK/rendered.json" 2>"$WORK/err" || rc=$?
check_eq "render exits 0" 0 "$rc"
# Not rendered straight into the target: the shell would truncate it before
# claw-init reads it as the base of the merge.
cp "$WORK/rendered.json" "$target"
check_contains "the rendered config holds the patched port" "$(cat "$target")" "\"port\": $port"

rc=0
(cd "$home" && HOME="$home" timeout 120 "$openclaw" config validate) >"$WORK/validate" 2>&1 || rc=$?
check_eq "openclaw config validate accepts the patched config" 0 "$rc"
[[ $rc -eq 0 ]] || sed 's/^/  validate: /' "$WORK/validate"

# The gateway on the patched port. It runs in its own session so that the
# whole tree it spawns can be stopped by process group.
HOME="$home" setsid "$openclaw" gateway run >"$WORK/gateway.log" 2>&1 &
gateway=$!
stop_gateway() { kill -TERM -- "-$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; }
CLEANUP_CMDS+=(stop_gateway)
ready=""
for _ in $(seq 1 600); do
  ready="$(python3 - "$port" <<'PY' 2>/dev/null || true
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=1) as r:
    print(r.status)
PY
)"
  [[ "$ready" == 200 ]] && break
  kill -0 "$gateway" 2>/dev/null || break
  sleep 0.1
done
check_eq "gateway answers /readyz on the patched port $port" 200 "$ready"
[[ "$ready" == 200 ]] || tail -n 20 "$WORK/gateway.log" | sed 's/^/  gateway: /'
stop_gateway

finish
