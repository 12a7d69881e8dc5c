#!/usr/bin/env bash
# Installs every build and test dependency of claw-init on a fresh Debian 12
# machine (run as root): the packages of scripts/lib/packages.sh (compiler
# and libraries, test tools, Podman and Compose for the container tests, the
# peers for the benchmarks). Idempotent: a second run only checks.
#   scripts/install-deps.sh            everything the test suite and bench/run need
#   scripts/install-deps.sh --build    only what building claw-init and the quick start need
#
# Works with either way a Debian 12 lists its sources (scripts/lib/apt.sh):
# the installer's and debootstrap's one-line /etc/apt/sources.list, or the
# container images' /etc/apt/sources.list.d/debian.sources, with any mirror.
#
# It also fetches upstream's single-header httplib.h from Debian's *source*
# package of cpp-httplib (the binary -dev package ships a split header plus a
# shared library, which a fully static binary cannot use); deb-src entries
# are added beside the deb ones when there are none. The header is cached
# outside git, in $CLAW_DEPS_DIR (default ~/.cache/claw-init/deps).
#
# apt's whole output goes to $CLAW_APT_LOG (default /tmp/claw-init-apt.log);
# on a failure the failing packages, apt's error lines and the log's path are
# printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/apt.sh
source "$here/lib/apt.sh"
# shellcheck source=lib/packages.sh
source "$here/lib/packages.sh"

deps_dir="${CLAW_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/deps}"
export DEBIAN_FRONTEND=noninteractive

case "${1:-}" in
  "") packages=("${CLAW_BUILD_PACKAGES[@]}" "${CLAW_QUICKSTART_PACKAGES[@]}" "${CLAW_TEST_PACKAGES[@]}"
                "${CLAW_CONTAINER_PACKAGES[@]}" "${CLAW_BENCH_PACKAGES[@]}") ;;
  --build) packages=("${CLAW_BUILD_PACKAGES[@]}" "${CLAW_QUICKSTART_PACKAGES[@]}") ;;
  *) echo "usage: scripts/install-deps.sh [--build]" >&2; exit 2 ;;
esac
mapfile -t missing < <(claw_apt_missing "${packages[@]}")
if ((${#missing[@]})); then
  ((EUID == 0)) || { echo "install-deps: run as root to install ${missing[*]}" >&2; exit 1; }
  echo "install-deps: installing ${missing[*]} (log: ${CLAW_APT_LOG:-/tmp/claw-init-apt.log})" >&2
  claw_apt_install "${missing[@]}" || { echo "install-deps: failed" >&2; exit 1; }
fi

# httplib.h from Debian's source package.
if [[ ! -s "$deps_dir/httplib.h" ]]; then
  if ! claw_apt_have_deb_src; then
    claw_apt_add_deb_src || { echo "install-deps: no 'deb' entry in /etc/apt to derive a deb-src entry from" >&2; exit 1; }
    echo "install-deps: added deb-src entries (/etc/apt/sources.list.d/claw-init-src.list)" >&2
    claw_apt_run "apt-get update" apt-get update || exit 1
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && claw_apt_run "apt-get source cpp-httplib" apt-get source --download-only cpp-httplib) || exit 1
  tarball="$(ls "$work"/cpp-httplib_*.orig.tar.* 2>/dev/null | head -n1)"
  [[ -n "$tarball" ]] || { echo "install-deps: apt-get source cpp-httplib left no .orig tarball" >&2; exit 1; }
  tar -C "$work" -xf "$tarball"
  header="$(find "$work" -maxdepth 2 -name httplib.h | head -n1)"
  [[ -s "$header" ]] || { echo "install-deps: httplib.h not found in $tarball" >&2; exit 1; }
  mkdir -p "$deps_dir"
  cp "$header" "$deps_dir/httplib.h.tmp" && mv "$deps_dir/httplib.h.tmp" "$deps_dir/httplib.h"
fi
echo "install-deps: ok (httplib.h in $deps_dir)" >&2
