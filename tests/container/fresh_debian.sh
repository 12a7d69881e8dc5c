#!/usr/bin/env bash
# The README's first command on fresh Debian 12 machines of both kinds, in
# containers made from nothing but Debian's packages:
#   - "image": the layout of the official debian:bookworm-slim image
#     (deb822 /etc/apt/sources.list.d/debian.sources, no sources.list),
#     localhost/debian:bookworm-slim from scripts/container-setup.sh;
#   - "debootstrap": a `debootstrap --variant=minbase bookworm` root exactly
#     as debootstrap leaves it (the installer's one-line /etc/apt/sources.list,
#     no deb-src entry, no sources.list.d).
# Neither has node, npm, curl or a compiler. In each, with a copy of this
# work tree: scripts/install-deps.sh, then ./scripts/quickstart.sh --check
# (builds claw-init, fetches Node 24 + npm + OpenClaw, runs a real gateway
# behind claw-init until /health passes, stops it), then every tool that a
# test script declares with `require_tool` must be on PATH: a test that
# starts needing a tool nothing installs fails here, not on a user's machine.
source "$(dirname "$0")/lib/container.bash"

require_tool git
container_setup

# The tools the test suite declares, from the test scripts themselves.
mapfile -t tools < <(grep -rhoE '^\s*require_tool [A-Za-z0-9_.+-]+' "$CLAW_SRC/tests" "$CLAW_SRC/bench" 2>/dev/null \
                       | awk '{print $2}' | sort -u)
((${#tools[@]} >= 5)) || die "found only ${#tools[@]} require_tool declarations in tests/"
# What the suite runs without a per-test check: PID namespaces, the peers of
# the benchmarks, the engine of the container tests.
tools+=(unshare nsenter setpriv pgrep ss strace podman runc debootstrap docker-compose
        tini dumb-init catatonit hyperfine wrk valgrind clang cmake ninja g++)

# --- the debootstrap base, as debootstrap leaves it -----------------------------------
deb_image=localhost/claw-init-test/debian:bookworm-debootstrap
base_rev=1
if [[ "$(podman image inspect --format '{{index .Config.Labels "org.claw-init.base-rev"}}' "$deb_image" 2>/dev/null)" != "$base_rev" ]]; then
  # shellcheck source=../../scripts/lib/apt.sh
  source "$CLAW_SRC/scripts/lib/apt.sh"
  mirror="$(claw_apt_mirror bookworm)"
  rootfs="$(mktemp -d /var/tmp/claw-fresh-rootfs.XXXXXX)"
  CLEANUP_CMDS+=("rm -rf $rootfs")
  start=$(now_ms)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  tar -C "$rootfs" -c . | podman import -q --change "LABEL org.claw-init.base-rev=$base_rev" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$deb_image" >/dev/null \
    || die "podman import of the debootstrap root failed"
  rm -rf "$rootfs"
  record fresh_debootstrap_base_ms $(($(now_ms) - start))
fi

# --- the work tree, as a clone would have it (tracked files, as edited) -------------
(cd "$CLAW_SRC" && git ls-files -z --cached --others --exclude-standard \
   | tar --null -T - --ignore-failed-read -cf "$WORK/src.tar" 2>/dev/null) || die "could not pack the work tree"

# The machines here reach the npm registry through a TLS proxy whose CA is in
# the host's bundle: hand it over at a path of its own (a user behind such a
# proxy has it in their system bundle already).
ca_args=()
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
  ca_args=(-v "$NODE_EXTRA_CA_CERTS:/etc/claw-host-ca.crt:ro"
           -e NODE_EXTRA_CA_CERTS=/etc/claw-host-ca.crt -e CURL_CA_BUNDLE=/etc/claw-host-ca.crt)
fi

# fresh_run KIND IMAGE GATEWAY_PORT HEALTH_PORT
fresh_run() {
  local kind="$1" image="$2" gw="$3" hp="$4" name="claw-fresh-$1" start code=0 log="$WORK/$1.log"
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  CONTAINERS+=("$name")
  start=$(now_ms)
  podman run --name "$name" --network host "${ca_args[@]}" \
    -v "$WORK/src.tar:/src.tar:ro" \
    -e OPENCLAW_GATEWAY_PORT="$gw" -e CLAW_HEALTH_LISTEN="127.0.0.1:$hp" \
    -e CLAW_FRESH_TOOLS="${tools[*]}" \
    "$image" bash -c '
      set -u
      step() { echo "=== STEP $1 $2"; }
      step sources "$(ls /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | tr "\n" " ")"
      for t in node npm curl g++; do command -v "$t" >/dev/null && echo "=== PREINSTALLED $t"; done
      mkdir -p /root/claw-init && tar -C /root/claw-init -xf /src.tar && cd /root/claw-init || exit 90
      bash scripts/install-deps.sh; step install-deps $?
      ./scripts/quickstart.sh --check; step quickstart $?
      missing=""
      for t in $CLAW_FRESH_TOOLS; do command -v "$t" >/dev/null || missing="$missing $t"; done
      step tools "missing:${missing:- none}"
    ' >"$log" 2>&1 || code=$?
  record "fresh_${kind}_ms" $(($(now_ms) - start))
  grep '^=== ' "$log" | sed "s/^/  [$kind] /"
  step_of() { sed -n "s/^=== STEP $1 //p" "$log" | tail -n1; }
  check_eq "[$kind] the container ran to its end" "0" "$code"
  if [[ "$kind" == debootstrap ]]; then
    check_true "[$kind] it has only the one-line sources.list" test "$(step_of sources)" = "/etc/apt/sources.list "
  else
    check_true "[$kind] it has only debian.sources" test "$(step_of sources)" = "/etc/apt/sources.list.d/debian.sources "
  fi
  check_eq "[$kind] nothing of the suite's was preinstalled" "" "$(grep '^=== PREINSTALLED' "$log" || true)"
  check_eq "[$kind] scripts/install-deps.sh exits 0" "0" "$(step_of install-deps)"
  check_eq "[$kind] ./scripts/quickstart.sh --check exits 0" "0" "$(step_of quickstart)"
  check_true "[$kind] the gateway became healthy behind claw-init" grep -q '"status":"pass"' "$log"
  check_eq "[$kind] every tool the tests need is installed" "missing: none" "$(step_of tools)"
  if ((FAILURES)); then
    echo "--- [$kind] last lines of the container's output ---" >&2
    grep -v '^=== ' "$log" | tail -n 40 >&2
  fi
}

fresh_run image localhost/debian:bookworm-slim 28796 28716
fresh_run debootstrap "$deb_image" 28797 28717

finish
