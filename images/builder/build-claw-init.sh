#!/bin/sh
# Runs inside the shared builder stage of every runner image (Debian 12):
#   build-claw-init deps            g++, CMake and the -dev packages from apt;
#                                   httplib.h from Debian's cpp-httplib source
#                                   package (the -dev package ships a split
#                                   header + shared library, useless to a
#                                   static binary)
#   build-claw-init build           the static claw-init from /src into /out
#   build-claw-init standin NAME    tests/helpers/standin_NAME.cc, static, into /out/NAME
# Only the binaries in /out reach the runner images.
set -eu

deps_dir=/opt/claw-deps
src=/src
out=/out

deps() {
  export DEBIAN_FRONTEND=noninteractive
  # deb-src entries beside the deb ones, for `apt-get source`.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    grep -q '^Types:.*deb-src' "$f" || sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
  done
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    g++ make cmake ninja-build pkg-config file dpkg-dev ca-certificates \
    libtomlplusplus-dev rapidjson-dev libyaml-cpp-dev libcap-dev \
    libspdlog-dev libfmt-dev doctest-dev >/dev/null
  mkdir -p "$deps_dir" /tmp/httplib-src
  cd /tmp/httplib-src
  apt-get source -qq --download-only cpp-httplib >/dev/null
  tar -xf cpp-httplib_*.orig.tar.*
  header="$(find . -maxdepth 2 -name httplib.h | head -n1)"
  [ -s "$header" ] || { echo "build-claw-init: no httplib.h in cpp-httplib's source" >&2; exit 1; }
  cp "$header" "$deps_dir/httplib.h"
  cd / && rm -rf /tmp/httplib-src /var/lib/apt/lists/*
}

build() {
  # -j2: the project's machines (and CI runners) have two cores.
  cmake -S "$src" -B /tmp/claw-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCLAW_STATIC=ON -DCLAW_DEPS_DIR="$deps_dir" >/dev/null
  ninja -C /tmp/claw-build -j"${CLAW_BUILD_JOBS:-2}" claw-init
  mkdir -p "$out"
  cp /tmp/claw-build/claw-init "$out/claw-init"
  # A runner image may have no libc at all: refuse anything dynamic.
  if file "$out/claw-init" | grep -q 'dynamically linked'; then
    echo "build-claw-init: claw-init is not static" >&2; exit 1
  fi
  "$out/claw-init" --version
  rm -rf /tmp/claw-build
}

standin() {
  name="$1"
  mkdir -p "$out"
  g++ -std=c++20 -O2 -static -s -Wall -o "$out/$name" "$src/tests/helpers/standin_$name.cc" -pthread
  "$out/$name" --version
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  standin) [ $# -eq 2 ] || { echo "usage: build-claw-init standin NAME" >&2; exit 2; }; standin "$2" ;;
  *) echo "usage: build-claw-init deps|build|standin NAME" >&2; exit 2 ;;
esac
