# The Debian packages claw-init's scripts install, in one place (bash arrays;
# sourced by scripts/install-deps.sh and scripts/container-setup.sh).
# tests/container/fresh_debian.sh checks on fresh Debian 12 bases that, once
# scripts/install-deps.sh has run, every tool a test declares with
# `require_tool` is there.

# Build: compiler, CMake, the -dev packages of the libraries.
CLAW_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config file dpkg-dev git
  libtomlplusplus-dev rapidjson-dev libyaml-cpp-dev libcap-dev
  libspdlog-dev libfmt-dev doctest-dev
)
# Tests, fuzzing, sanitizers; curl and the CA bundle fetch Node 24, npm and
# OpenClaw from the npm registry (scripts/install-openclaw.sh).
CLAW_TEST_PACKAGES=(
  clang libclang-rt-14-dev
  busybox-static util-linux procps psmisc iproute2 curl ca-certificates
  gzip tar openssl python3 python3-yaml strace libcap2-bin
  python3-kubernetes
)
# kubectl for the Kubernetes manifests (tests/integration/kubernetes_manifests.sh,
# tests/container/kubernetes.sh): Debian 12's kubernetes-client (kubectl
# 1.20.2, with kustomize). Only where no kubectl is installed yet: the
# kubectl package of the Google Cloud SDK apt repository ships the same
# /usr/bin/kubectl without a Replaces, and dpkg would refuse to overwrite it.
command -v kubectl >/dev/null 2>&1 || CLAW_TEST_PACKAGES+=(kubernetes-client)
# Podman, Compose and debootstrap for the image and Compose tests
# (scripts/container-setup.sh configures them).
CLAW_CONTAINER_PACKAGES=(
  podman runc conmon containernetworking-plugins debootstrap docker-compose
  uidmap fuse-overlayfs slirp4netns
)
# What scripts/quickstart.sh needs beyond the build: curl and the CA bundle
# for the npm registry, ss for its port check.
CLAW_QUICKSTART_PACKAGES=(curl ca-certificates gzip tar iproute2)
# Peers and benchmark tools (bench/run, tests/integration/bench_check.sh).
CLAW_BENCH_PACKAGES=(
  tini dumb-init catatonit hyperfine wrk valgrind gnuplot-nox
)
