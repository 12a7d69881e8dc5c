#!/usr/bin/env bash
# `claw-init config render` and `config check` on the real fixtures: the
# patched output parses in its own format, keeps types, hides secrets unless
# --show-secrets, prints only the config on stdout, and is byte-identical
# from run to run.
source "$(dirname "$0")/lib/common.bash"
source "$CLAW_SRC/tests/fixtures/config/lib.bash"
require_tool python3
require_config_subcommands

token="tok-$RANDOM-fixture-secret"
bot="bot-$RANDOM-secret"
printf '%s\n' "$token" >"$WORK/token"

# --- OpenClaw JSON5 -----------------------------------------------------------
make_profile "$WORK/openclaw.toml" "$WORK/home/.openclaw/openclaw.json" "$FIX/openclaw.json5" "" \
  OPENCLAW_GATEWAY_TOKEN=gateway.auth.token
vars=(OPENCLAW_GATEWAY_TOKEN_FILE="$WORK/token" CLAW_CONFIG__gateway__port=19123
      CLAW_CONFIG__agents__defaults__model__primary=openai/gpt-5.2
      CLAW_CONFIG__channels__telegram__enabled=yes CLAW_CONFIG__channels__telegram__botToken="$bot"
      CLAW_CONFIG__models__providers__local-llm__models__1='{"id":"llama3","name":"Llama 3"}')
rc=0
claw "${vars[@]}" -- --profile "$WORK/openclaw.toml" config render >"$WORK/out.json" 2>"$WORK/err" || rc=$?
check_eq "render exits 0" 0 "$rc"
out="$(cat "$WORK/out.json")"
err="$(cat "$WORK/err")"
check_true "stdout is one strict JSON document" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/out.json"
check_eq "port patched as an integer" "19123 int" \
  "$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["gateway"]["port"]; print(v, type(v).__name__)' "$WORK/out.json")"
check_eq "model patched" "openai/gpt-5.2" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["agents"]["defaults"]["model"]["primary"])' "$WORK/out.json")"
check_eq "boolean converted from yes" "True" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["channels"]["telegram"]["enabled"])' "$WORK/out.json")"
check_eq "array append from a JSON literal" "qwen3:8b llama3" \
  "$(python3 -c 'import json,sys; print(*[m["id"] for m in json.load(open(sys.argv[1]))["models"]["providers"]["local-llm"]["models"]])' "$WORK/out.json")"
check_eq "hex number became decimal" "32768" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["models"]["providers"]["local-llm"]["models"][0]["contextWindow"])' "$WORK/out.json")"
check_lacks "token redacted on stdout" "$out" "$token"
check_lacks "bot token redacted on stdout" "$out" "$bot"
check_contains "redaction marker shown" "$out" '"token": "<redacted>"'
check_lacks "no value on stderr (token)" "$err" "$token"
check_lacks "no value on stderr (bot)" "$err" "$bot"
check_contains "log names key and variable" "$err" "set gateway.port from CLAW_CONFIG__gateway__port"
check_contains "log names the alias _FILE variable" "$err" "set gateway.auth.token from OPENCLAW_GATEWAY_TOKEN_FILE"
check_true "render writes nothing" test ! -e "$WORK/home/.openclaw/openclaw.json"

claw "${vars[@]}" -- --profile "$WORK/openclaw.toml" config render --show-secrets >"$WORK/a.json" 2>/dev/null
claw "${vars[@]}" -- --profile "$WORK/openclaw.toml" config render --show-secrets >"$WORK/b.json" 2>/dev/null
check_eq "--show-secrets shows the token, newline removed" "$token" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gateway"]["auth"]["token"])' "$WORK/a.json")"
check_true "same inputs, same bytes" cmp -s "$WORK/a.json" "$WORK/b.json"

rc=0
claw "${vars[@]}" -- --profile "$WORK/openclaw.toml" config check >"$WORK/check.out" 2>"$WORK/check.err" || rc=$?
check_eq "check exits 0" 0 "$rc"
check_eq "check prints nothing on stdout" "" "$(cat "$WORK/check.out")"
check_contains "check says ok with the key count" "$(cat "$WORK/check.err")" \
  "config ok: $WORK/home/.openclaw/openclaw.json (6 keys set)"

# --- ZeroClaw TOML --------------------------------------------------------------
make_profile "$WORK/zeroclaw.toml" "$WORK/zc/config.toml" "$FIX/zeroclaw.toml"
claw CLAW_CONFIG__gateway__port=8080 CLAW_CONFIG__providers__models__openrouter__default__api_key="$bot" \
  CLAW_CONFIG__autonomy__allowed_commands='["git","make"]' CLAW_CONFIG__agents__default__max_tool_iterations=5 \
  -- --profile "$WORK/zeroclaw.toml" config render --show-secrets >"$WORK/out.toml" 2>"$WORK/err" || true
check_eq "TOML: types kept" "3 8080 int 5 ['git', 'make'] datetime $bot" \
  "$(python3 -c '
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
p = d["gateway"]["port"]
print(d["schema_version"], p, type(p).__name__, d["agents"]["default"]["max_tool_iterations"],
      d["autonomy"]["allowed_commands"], type(d["secrets"]["created"]).__name__,
      d["providers"]["models"]["openrouter"]["default"]["api_key"])' "$WORK/out.toml" 2>&1)"
rc=0
claw CLAW_CONFIG__gateway__port=8080 CLAW_CONFIG__providers__models__openrouter__default__api_key="$bot" \
  -- --profile "$WORK/zeroclaw.toml" config render >"$WORK/red.toml" 2>"$WORK/err" || rc=$?
check_eq "TOML render exits 0" 0 "$rc"
check_lacks "TOML: api_key redacted" "$(cat "$WORK/red.toml")" "$bot"
check_contains "TOML: redaction marker" "$(cat "$WORK/red.toml")" 'api_key = "<redacted>"'

# --- MicroClaw YAML -------------------------------------------------------------
make_profile "$WORK/microclaw.toml" "$WORK/mc/microclaw.config.yaml" "$FIX/microclaw.yaml"
rc=0
claw CLAW_CONFIG__web__port=8088 CLAW_CONFIG__channels__discord__enabled=true CLAW_CONFIG__model=42 \
  -- --profile "$WORK/microclaw.toml" config render --show-secrets >"$WORK/out.yaml" 2>"$WORK/err" || rc=$?
check_eq "YAML render exits 0" 0 "$rc"
yaml="$(cat "$WORK/out.yaml")"
check_contains "YAML: port patched" "$yaml" $'web:\n  enabled: true\n  host: 127.0.0.1\n  port: 8088'
check_contains "YAML: merge key resolved, patch in one place" "$yaml" $'discord:\n    enabled: true\n    timeout_secs: 30\n    retries: 3'
check_contains "YAML: string key keeps its type" "$yaml" 'model: "42"'
check_lacks "YAML: no anchors left" "$yaml" '&defaults'
check_lacks "YAML: no merge keys left" "$yaml" '<<'
if python3 -c 'import yaml' 2>/dev/null; then
  check_eq "YAML parses back" "8088 True" \
    "$(python3 -c 'import yaml,sys; d=yaml.safe_load(open(sys.argv[1])); print(d["web"]["port"], d["channels"]["discord"]["enabled"])' "$WORK/out.yaml")"
fi

# --- NullClaw strict JSON, 64 KiB warning ([config] max_bytes) ------------------
head -c 70000 /dev/zero | tr '\0' 'x' >"$WORK/big"
cat >"$WORK/nullclaw.toml" <<EOT
[runtime]
name = "nullclaw"
[config]
default = "$FIX/nullclaw.json"
target = "$WORK/nc/config.json"
max_bytes = 65536
EOT
rc=0
claw CLAW_CONFIG__notes_FILE="$WORK/big" -- --profile "$WORK/nullclaw.toml" config check >/dev/null 2>"$WORK/err" || rc=$?
check_eq "NullClaw: big config still passes check" 0 "$rc"
check_contains "NullClaw: warns past 64 KiB" "$(cat "$WORK/err")" "nullclaw reads at most 65536 bytes of config"
rc=0
claw CLAW_CONFIG__gateway__port=3001 -- --profile "$WORK/nullclaw.toml" config check >/dev/null 2>"$WORK/err" || rc=$?
check_lacks "NullClaw: small config, no warning" "$(cat "$WORK/err")" "reads at most"

# --- mode off -------------------------------------------------------------------
rc=0
claw CLAW_CONFIG_MODE=off CLAW_CONFIG__gateway__port=1 -- --profile "$WORK/openclaw.toml" config render \
  >"$WORK/off.out" 2>/dev/null || rc=$?
check_eq "mode off: render exits 0" 0 "$rc"
check_eq "mode off: nothing rendered" "" "$(cat "$WORK/off.out")"

finish
