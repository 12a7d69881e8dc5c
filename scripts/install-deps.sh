#!/usr/bin/env bash
# Installs every build and test dependency of claw-init on a fresh Debian 12
# machine (run as root). Idempotent: a second run only checks.
#
# It also fetches upstream's single-header httplib.h from Debian's *source*
# package of cpp-httplib (the binary -dev package ships a split header plus a
# shared library, which a fully static binary cannot use). The header is
# cached outside git, in $CLAW_DEPS_DIR (default ~/.cache/claw-init/deps).
set -euo pipefail

deps_dir="${CLAW_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/claw-init/deps}"
export DEBIAN_FRONTEND=noninteractive

packages=(
  # build
  build-essential cmake ninja-build pkg-config file dpkg-dev
  libtomlplusplus-dev rapidjson-dev libyaml-cpp-dev libcap-dev
  libspdlog-dev libfmt-dev doctest-dev
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # tests
  busybox-static util-linux procps psmisc curl python3 python3-yaml strace
  # peers and benchmarks
  tini dumb-init catatonit hyperfine wrk valgrind gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# httplib.h from Debian's source package (deb-src entry added if absent).
if [[ ! -s "$deps_dir/httplib.h" ]]; then
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null \
     && ! grep -qs '^deb-src' /etc/apt/sources.list 2>/dev/null; then
    src=/etc/apt/sources.list.d/claw-init-src.sources
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src"
    apt-get update -qq
  fi
  work="$(mktemp -d)"
  (cd "$work" && apt-get source -qq --download-only cpp-httplib >/dev/null 2>&1 || apt-get source -qq cpp-httplib >/dev/null)
  tarball="$(ls "$work"/cpp-httplib_*.orig.tar.* | head -n1)"
  mkdir -p "$deps_dir"
  tar -C "$work" -xf "$tarball"
  header="$(find "$work" -maxdepth 2 -name httplib.h | head -n1)"
  [[ -s "$header" ]] || { echo "install-deps: httplib.h not found in $tarball" >&2; exit 1; }
  cp "$header" "$deps_dir/httplib.h.tmp" && mv "$deps_dir/httplib.h.tmp" "$deps_dir/httplib.h"
  rm -rf "$work"
fi
echo "install-deps: ok (httplib.h in $deps_dir)" >&2
