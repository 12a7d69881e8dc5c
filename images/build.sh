#!/usr/bin/env bash
# Builds one runner image from the repository root with Podman (or Docker),
# then tags it with the runtime's version as `version-probe` reports it:
#   images/build.sh [--standin] RUNTIME      RUNTIME: openclaw, zeroclaw, nullclaw, builder
# Prints the versioned image reference on stdout (e.g.
# localhost/claw-init/openclaw:v2026.9.6); progress goes to stderr. When
# version-probe prints nothing the tag is built-YYYYMMDD-<image id, 12 hex>
# (UTC date), never `latest`.
#
# Provenance labels on every image: org.opencontainers.image.created,
# .revision and .source (from git, when CLAW_IMAGE_SRC is a checkout), and
# org.claw-init.recipe.sha256, the sha256 of images/RUNTIME/Dockerfile.
#
# --standin   zeroclaw/nullclaw: use the stand-in runtime binary instead of
#             compiling upstream (which needs crates.io / ziglang.org)
#
# Environment:
#   CLAW_ENGINE        podman (default when present) or docker
#   CLAW_IMAGE_REPO    repository prefix (default localhost/claw-init)
#   CLAW_IMAGE_SRC     source tree to build from, Dockerfiles included
#                      (default: this repository's work tree; e.g. a
#                      `git worktree` of a commit for a reproducible build)
#   CLAW_BUILD_PULL    podman's --pull policy (default never: the bases are
#                      made locally by scripts/container-setup.sh)
#   CLAW_BUILD_QUIET=1 only print the build's output when it fails
#   NODE_EXTRA_CA_CERTS  a CA bundle file on the host (a TLS-intercepting
#                      proxy): mounted read-only over every stage's
#                      /etc/ssl/certs/ca-certificates.crt during RUN steps
#   extra `--build-arg K=V` may follow RUNTIME
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { echo "usage: images/build.sh [--standin] openclaw|zeroclaw|nullclaw|builder [--build-arg K=V ...]" >&2; exit 2; }

standin=0
[[ "${1:-}" == "--standin" ]] && { standin=1; shift; }
runtime="${1:-}"
[[ -n "$runtime" ]] || usage
shift
src="${CLAW_IMAGE_SRC:-$(dirname "$here")}"
[[ -f "$src/images/$runtime/Dockerfile" ]] || usage

repo="${CLAW_IMAGE_REPO:-localhost/claw-init}"
engine="${CLAW_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}"

args=(build --network host -f "$src/images/$runtime/Dockerfile" -t "$repo/$runtime:build")
if [[ "$engine" == podman ]]; then
  args+=(--format docker --pull="${CLAW_BUILD_PULL:-never}" --ignorefile "$src/images/context.dockerignore")
fi
if ((standin)); then
  case "$runtime" in
    zeroclaw) args+=(--build-arg ZEROCLAW_BINARY=standin) ;;
    nullclaw) args+=(--build-arg NULLCLAW_BINARY=standin) ;;
    *) echo "build.sh: --standin is for zeroclaw and nullclaw" >&2; exit 2 ;;
  esac
fi
recipe="$src/images/$runtime/Dockerfile"
args+=(--label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
       --label "org.claw-init.recipe.sha256=$(sha256sum "$recipe" | cut -d' ' -f1)")
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
  rev="$(git -C "$src" rev-parse HEAD)"
  args+=(--build-arg "VCS_REF=$rev" --label "org.opencontainers.image.revision=$rev")
  remote="$(git -C "$src" remote get-url origin 2>/dev/null || true)"
  [[ -n "$remote" ]] && args+=(--build-arg "VCS_SOURCE=$remote" --label "org.opencontainers.image.source=$remote")
fi
# Behind a TLS-intercepting proxy (this project's machines): hand the
# machine's CA bundle to the build, read-only, over the standard bundle path
# of every stage (as docs/images.md tells users behind such a proxy to do;
# every stage is made to build that way), only when the host uses one. npm
# also gets it as NODE_EXTRA_CA_CERTS (a build argument of images/openclaw).
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
  args+=(--volume "$NODE_EXTRA_CA_CERTS:/etc/ssl/certs/ca-certificates.crt:ro")
  [[ "$runtime" == openclaw ]] && args+=(--build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
args+=("$@" "$src")

start=$SECONDS
echo "build.sh: $engine ${args[*]}" >&2
if [[ "${CLAW_BUILD_QUIET:-0}" == 1 ]]; then
  log="$(mktemp)"
  if ! "$engine" "${args[@]}" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    rm -f "$log"
    echo "build.sh: building $runtime failed" >&2
    exit 1
  fi
  rm -f "$log"
else
  "$engine" "${args[@]}" >&2
fi
echo "build.sh: built $repo/$runtime:build in $((SECONDS - start)) s" >&2

if [[ "$runtime" == builder ]]; then
  echo "$repo/$runtime:build"
  exit 0
fi
# The tag is what the image says its runtime is: never `latest`. Without a
# version, the build date and the image id say which build it is.
version="$("$engine" run --rm --network none "$repo/$runtime:build" version-probe)"
if [[ -n "$version" ]]; then
  tag="v$version"
else
  id="$("$engine" image inspect --format '{{.Id}}' "$repo/$runtime:build")"
  id="${id#sha256:}"
  tag="built-$(date -u +%Y%m%d)-${id:0:12}"
  echo "build.sh: version-probe printed nothing; tagging $tag" >&2
fi
"$engine" tag "$repo/$runtime:build" "$repo/$runtime:$tag"
echo "$repo/$runtime:$tag"
