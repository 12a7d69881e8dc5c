#!/usr/bin/env bash
# Makes a Debian 12 machine with no Docker daemon and no reachable container
# registry able to build and run the project's images (see
# docs/images.md): Podman + runc + docker-compose from apt, a containers.conf
# that works in this sandbox, and the two base images the Dockerfiles name,
# made locally:
#   debian:bookworm(-slim)   a debootstrap minbase root, imported
#   node:24-bookworm-slim    that root + Node 24 and npm, the pinned tarballs
#                            of scripts/install-openclaw.sh
# Everything is cached: a second run only checks (`podman image exists`).
#
# Prints `CONTAINERS_CONF=<path>` (and CONTAINERS_STORAGE_CONF where needed)
# on stdout, for `eval "export $(...)"`; the rest goes to stderr. Run as root.
#
# Environment:
#   CLAW_CONTAINERS_DIR  where containers.conf is kept (default ~/.cache/claw-init/containers)
#   CLAW_REBUILD_BASES=1 rebuild both base images even if they exist
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state_dir="${CLAW_CONTAINERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/containers}"
rebuild="${CLAW_REBUILD_BASES:-0}"
export DEBIAN_FRONTEND=noninteractive

say() { echo "container-setup: $*" >&2; }
die() { echo "container-setup: $*" >&2; exit 1; }
((EUID == 0)) || die "run as root (podman storage and debootstrap need it)"

# 1. Packages (scripts/lib/packages.sh; install-deps.sh installs them too).
# shellcheck source=lib/apt.sh
source "$here/lib/apt.sh"
# shellcheck source=lib/packages.sh
source "$here/lib/packages.sh"
mapfile -t missing < <(claw_apt_missing "${CLAW_CONTAINER_PACKAGES[@]}" ca-certificates curl)
if ((${#missing[@]})); then
  say "installing ${missing[*]} (log: ${CLAW_APT_LOG:-/tmp/claw-init-apt.log})"
  claw_apt_install "${missing[@]}" || die "installing ${missing[*]} failed"
fi

# 2. containers.conf: no systemd here, hybrid cgroups (crun fails, runc
# works), and the sandbox refuses to raise RLIMIT_NOFILE/NPROC.
mkdir -p "$state_dir"
conf="$state_dir/containers.conf"
cat > "$conf.tmp" <<'EOF'
# Written by scripts/container-setup.sh.
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
mv "$conf.tmp" "$conf"
export CONTAINERS_CONF="$conf"
# Inside a container whose root is itself overlayfs (CI jobs that run in a
# privileged Debian container), the kernel refuses overlay on overlay: use
# fuse-overlayfs as the mount program there.
storage_env=""
graph_parent=/var/lib/containers
[[ -d "$graph_parent" ]] || graph_parent=/var/lib
if [[ "$(stat -f -c %T "$graph_parent" 2>/dev/null)" == overlayfs ]]; then
  storage="$state_dir/storage.conf"
  cat > "$storage" <<'EOF2'
# Written by scripts/container-setup.sh: the graph root is on overlayfs.
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
EOF2
  export CONTAINERS_STORAGE_CONF="$storage"
  storage_env=" CONTAINERS_STORAGE_CONF=$storage"
fi
podman info >/dev/null 2>&1 || die "podman does not run (podman info failed)"

# 3. debian:bookworm-slim from debootstrap.
debian_image=localhost/debian:bookworm-slim
# Bumped whenever the way the root is made changes, so that cached bases
# made the old way are rebuilt.
base_rev=3
have_rev=""
if podman image exists "$debian_image"; then
  have_rev="$(podman image inspect --format '{{index .Config.Labels "org.claw-init.base-rev"}}' "$debian_image" 2>/dev/null || true)"
fi
if [[ "$rebuild" == 1 || "$have_rev" != "$base_rev" ]]; then
  mirror="$(claw_apt_mirror bookworm)"
  rootfs="$(mktemp -d /var/tmp/claw-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap bookworm from $mirror (about a minute)"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null \
    || die "debootstrap failed"
  # Slim it as the official image is slimmed: no package lists, no caches.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/var/log/*.log "$rootfs"/tmp/*
  # apt inside the image uses the host's sources (with security updates,
  # whichever format the host lists them in), in the deb822 format of the
  # official image.
  rm -f "$rootfs/etc/apt/sources.list"
  claw_apt_entries | awk '{
      signed = "/usr/share/keyrings/debian-archive-keyring.gpg"; comps = ""
      for (i = 3; i <= NF; i++) { if ($i ~ /^signed-by=/) signed = substr($i, 11); else comps = comps (comps == "" ? "" : " ") $i }
      printf "%sTypes: deb\nURIs: %s\nSuites: %s\nComponents: %s\nSigned-By: %s\n", (NR > 1 ? "\n" : ""), $1, $2, comps, signed
    }' > "$rootfs/etc/apt/sources.list.d/debian.sources"
  [[ -s "$rootfs/etc/apt/sources.list.d/debian.sources" ]] \
    || printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
         "$mirror" > "$rootfs/etc/apt/sources.list.d/debian.sources"
  # Like the official image: apt keeps no package caches in layers.
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  tar -C "$rootfs" -c . | podman import -q --change "LABEL org.claw-init.base-rev=$base_rev" --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$debian_image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  say "made $debian_image in $((SECONDS - start)) s"
fi
for name in docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim; do
  podman tag "$debian_image" "$name"
done

# 4. node:24-bookworm-slim: the Debian root + Node 24 + npm (the pinned
# registry tarballs, npm with its dependencies inside), laid out as the
# official image does (/usr/local/bin/node, user node 1000).
eval "$("$here/install-openclaw.sh" --node-only --print env --quiet)"   # NODE_BIN, NPM_DIR
node_bin="$NODE_BIN"
node_version="$("$node_bin" --version)"
# The cache key names npm too: a base made with another npm is rebuilt.
node_key="$node_version npm-$("$node_bin" "$NPM_DIR/bin/npm-cli.js" --version)"
node_image=localhost/node:24-bookworm-slim
have_version=""
if podman image exists "$node_image"; then
  have_version="$(podman image inspect --format '{{index .Config.Labels "org.claw-init.node-version"}}' "$node_image" 2>/dev/null || true)"
fi
debian_id="$(podman image inspect --format '{{.Id}}' "$debian_image")"
have_base=""
podman image exists "$node_image" \
  && have_base="$(podman image inspect --format '{{index .Config.Labels "org.claw-init.base-id"}}' "$node_image" 2>/dev/null || true)"
if [[ "$rebuild" == 1 || "$have_version" != "$node_key" || "$have_base" != "$debian_id" ]]; then
  npm_dir="$NPM_DIR"
  [[ -f "$npm_dir/package.json" ]] || die "no npm package folder at $npm_dir"
  ctx="$(mktemp -d /var/tmp/claw-node-ctx.XXXXXX)"
  trap 'rm -rf "$ctx"' EXIT
  cp "$node_bin" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  cat > "$ctx/Dockerfile" <<EOF
FROM localhost/debian:bookworm-slim
LABEL org.claw-init.node-version="$node_key" org.claw-init.base-id="$debian_id"
ENV NODE_VERSION=${node_version#v}
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version \\
 && node -e 'require("/usr/local/lib/node_modules/npm/node_modules/semver/functions/satisfies")'
CMD ["node"]
EOF
  say "building $node_image (node $node_version)"
  start=$SECONDS
  podman build --pull=never --network host --format docker -q -t "$node_image" "$ctx" >/dev/null \
    || die "building $node_image failed"
  rm -rf "$ctx"
  trap - EXIT
  say "made $node_image in $((SECONDS - start)) s"
fi
podman tag "$node_image" docker.io/library/node:24-bookworm-slim

say "ok: $debian_image, $node_image"
echo "CONTAINERS_CONF=$conf$storage_env"
