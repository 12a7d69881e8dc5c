#!/usr/bin/env bash
# Secrets end to end, with the log at debug level: a token from a
# CLAW_CONFIG__ variable, one from a profile alias and one from a _FILE
# secret reach the runtime's config file and nowhere else claw-init
# controls: not its log, not /health, /metrics or any other reply (even to
# requests that carry them), and no CLAW_CONFIG__ variable (nor a _FILE
# path) is left in the runtime's environment. The runtime, dropped to nobody,
# cannot read claw-init's environment from /proc either.
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool python3
require_tool curl

chmod 755 "$WORK"
mkdir -m 1777 "$WORK/marks"
tok_env="env-token-$RANDOM$RANDOM"
tok_alias="alias-token-$RANDOM$RANDOM"
tok_file="file-token-$RANDOM$RANDOM"
secret_dir="$WORK/run-secrets-$RANDOM"
mkdir -m 700 "$secret_dir"
printf '%s\n' "$tok_file" >"$secret_dir/db_password"
chmod 600 "$secret_dir/db_password"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
TARGET="$WORK/home/.app/c.json"
cat >"$WORK/p.toml" <<EOF
[runtime]
name = "openclaw"
command = ["/bin/sh", "-c", "cat /proc/self/environ >$WORK/marks/environ; if cat /proc/\$PPID/environ >/dev/null 2>&1; then echo readable; else echo denied; fi >$WORK/marks/ppid-env; exec sleep 1000"]
user = "nobody"
[config]
target = "$TARGET"
[config.env]
OPENCLAW_GATEWAY_TOKEN = "gateway.auth.token"
EOF

env -i PATH="$PATH" CLAW_LOG_LEVEL=debug CLAW_HEALTH_LISTEN="127.0.0.1:$PORT" \
  OPENCLAW_GATEWAY_TOKEN="$tok_alias" \
  CLAW_CONFIG__channels__api__token="$tok_env" \
  CLAW_CONFIG__db__password_FILE="$secret_dir/db_password" \
  "$CLAW_INIT" --profile "$WORK/p.toml" 2>"$WORK/claw.log" &
INIT=$!
wait_for_file "$WORK/marks/ppid-env" || fail "the runtime did not start"
sleep 0.2

# The config file has them (that is the point), as nobody's 0600 file.
check_eq "config: nobody's 0600 file" "65534 600" "$(stat -c '%u %a' "$TARGET")"
check_eq "config: all three secrets written" "$tok_alias $tok_env $tok_file" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["gateway"]["auth"]["token"], d["channels"]["api"]["token"], d["db"]["password"])' "$TARGET")"

# Replies: every endpoint, an unknown path and a request carrying a secret.
replies="$WORK/replies"
for path in /health /health/live /health/ready /metrics "/$tok_env" "/health?token=$tok_file"; do
  curl -s -i --max-time 3 -H "Authorization: Bearer $tok_alias" -H "X-Token: $tok_file" \
    "http://127.0.0.1:$PORT$path" >>"$replies" || true
done
curl -s -i --max-time 3 -X POST --data "$tok_env" "http://127.0.0.1:$PORT/health" >>"$replies" || true
check_true "replies: 7 answered" test "$(grep -c '^HTTP/1.1 ' "$replies")" -eq 7

kill -TERM "$INIT"
set +e; wait "$INIT"; status=$?; set -e
check_eq "stopped: sleep killed by TERM" 143 "$status"

check_true "log at debug level is not empty" test "$(wc -l <"$WORK/claw.log")" -ge 5
check_true "log names the keys it set" grep -q "set db.password from CLAW_CONFIG__db__password_FILE" "$WORK/claw.log"
for name in tok_env tok_alias tok_file secret_dir; do
  check_true "log: no $name" bash -c "! grep -qF '${!name}' '$WORK/claw.log'"
  check_true "replies: no $name" bash -c "! grep -qF '${!name}' '$replies'"
done

tr '\0' '\n' <"$WORK/marks/environ" >"$WORK/marks/env"
env_seen="$(cat "$WORK/marks/env")"
check_true "runtime's environment: no CLAW_CONFIG__ variable" bash -c "! grep -q '^CLAW_CONFIG' <<<'$env_seen'"
check_true "runtime's environment: no CLAW_CONFIG__ token" bash -c "! grep -qF '$tok_env' <<<'$env_seen'"
check_true "runtime's environment: no _FILE path" bash -c "! grep -qF '$secret_dir' <<<'$env_seen'"
check_true "runtime's environment: HOME and USER are nobody's" grep -qx "USER=nobody" "$WORK/marks/env"
check_eq "runtime as nobody cannot read claw-init's /proc environ" denied "$(cat "$WORK/marks/ppid-env")"
# A profile alias names a variable the runtime may read itself
# (OPENCLAW_GATEWAY_TOKEN is OpenClaw's own): it is left in place.
check_true "runtime's environment: the profile alias is passed on" grep -qx "OPENCLAW_GATEWAY_TOKEN=$tok_alias" "$WORK/marks/env"
finish
