#!/bin/sh
# Runs inside the shared builder stage of every runner image (Debian 12):
#   build-claw-init deps            g++, CMake and the -dev packages from apt;
#                                   httplib.h from Debian's cpp-httplib source
#                                   package (the -dev package ships a split
#                                   header + shared library, useless to a
#                                   static binary)
#   build-claw-init build           the static claw-init from /src into /out
#   build-claw-init standin NAME [VERSION]
#                                   tests/helpers/standin_NAME.cc, static, into
#                                   /out/NAME (VERSION: its --version line)
#   build-claw-init ca-bundle       Debian's CA certificates as one PEM bundle,
#                                   /out/ca-certificates.crt, for a runner
#                                   image to COPY (see ca_bundle below)
# Only the binaries in /out reach the runner images.
set -eu

deps_dir=/opt/claw-deps
src=/src
out=/out

deps() {
  export DEBIAN_FRONTEND=noninteractive
  # The sources may be deb822 (debian.sources) or one-line (sources.list),
  # with any mirror; deb-src twins are added for `apt-get source`.
  . /usr/local/lib/claw-init/apt.sh
  CLAW_APT_LOG=/tmp/claw-apt.log
  claw_apt_have_deb_src || claw_apt_add_deb_src \
    || { echo "build-claw-init: no deb entry in /etc/apt to add deb-src from" >&2; exit 1; }
  # No ca-certificates: apt, apt-get source and the build need no TLS with an
  # http mirror, and its post-install fails (EBUSY) when a CA bundle is
  # mounted read-only over /etc/ssl/certs/ca-certificates.crt for a
  # TLS-intercepting proxy. Only an https mirror on a base without a bundle
  # needs it, and then no bundle is mounted over it.
  extra=""
  if claw_apt_entries | grep -q '^https:' && [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then
    extra=ca-certificates
  fi
  claw_apt_install g++ make cmake ninja-build pkg-config file dpkg-dev $extra \
    libtomlplusplus-dev rapidjson-dev libyaml-cpp-dev libcap-dev \
    libspdlog-dev libfmt-dev doctest-dev || exit 1
  mkdir -p "$deps_dir" /tmp/httplib-src
  cd /tmp/httplib-src
  claw_apt_run "apt-get source cpp-httplib" apt-get source --download-only cpp-httplib || exit 1
  tar -xf cpp-httplib_*.orig.tar.*
  header="$(find . -maxdepth 2 -name httplib.h | head -n1)"
  [ -s "$header" ] || { echo "build-claw-init: no httplib.h in cpp-httplib's source" >&2; exit 1; }
  cp "$header" "$deps_dir/httplib.h"
  cd / && rm -rf /tmp/httplib-src /var/lib/apt/lists/* /tmp/claw-apt.log
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
  set -- -std=c++20 -O2 -static -s -Wall
  [ -n "$version" ] && set -- "$@" "-DSTANDIN_VERSION=\"$version\""
  g++ "$@" -o "$out/$name" "$src/tests/helpers/standin_$name.cc" -pthread
  "$out/$name" --version
}

# The runner images need a CA bundle at run time, but installing the
# ca-certificates package there fails when a build mounts the host's bundle
# read-only over /etc/ssl/certs/ca-certificates.crt (a TLS-intercepting
# proxy; images/build.sh does that): its post-install cannot replace the
# mounted file (EBUSY). So the package is only unpacked here, never
# configured, and its certificates are joined into the same bundle
# update-ca-certificates would write, which the runner COPYs (a COPY is not
# affected by the build's mounts, and the host's CA never reaches the image).
ca_bundle() {
  export DEBIAN_FRONTEND=noninteractive
  . /usr/local/lib/claw-init/apt.sh
  CLAW_APT_LOG=/tmp/claw-apt.log
  mkdir -p /tmp/ca "$out"
  cd /tmp/ca
  claw_apt_run "apt-get update" apt-get update || exit 1
  claw_apt_run "apt-get download ca-certificates" apt-get download ca-certificates || exit 1
  dpkg-deb -x ca-certificates_*.deb root
  find root/usr/share/ca-certificates -name '*.crt' | LC_ALL=C sort | xargs cat > "$out/ca-certificates.crt"
  count="$(grep -c 'BEGIN CERTIFICATE' "$out/ca-certificates.crt" || true)"
  [ "$count" -ge 50 ] || { echo "build-claw-init: only $count certificates in ca-certificates" >&2; exit 1; }
  echo "build-claw-init: CA bundle with $count certificates"
  cd / && rm -rf /tmp/ca /var/lib/apt/lists/* /tmp/claw-apt.log
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  standin) { [ $# -eq 2 ] || [ $# -eq 3 ]; } || { echo "usage: build-claw-init standin NAME [VERSION]" >&2; exit 2; }
    version="${3:-}"; standin "$2" ;;
  ca-bundle) ca_bundle ;;
  *) echo "usage: build-claw-init deps|build|standin NAME [VERSION]|ca-bundle" >&2; exit 2 ;;
esac
