#!/usr/bin/env bash
# scripts/lib/apt.sh on fake /etc/apt trees of every shape a Debian 12 has:
# the official image's deb822 debian.sources, the installer's and
# debootstrap's one-line sources.list (with and without [options]), both at
# once, a disabled stanza, an inline key, and none at all. Also run under
# dash, as the image builder stage does.
source "$(dirname "$0")/lib/common.bash"
require_tool dash

lib="$CLAW_SRC/scripts/lib/apt.sh"
tree() { rm -rf "$WORK/$1"; mkdir -p "$WORK/$1/etc/apt/sources.list.d"; echo "$WORK/$1"; }
apt_sh() { CLAW_APT_ROOT="$1" dash -c ". '$lib'; $2"; }

# 1. The official image: deb822, main + security, no deb-src.
t="$(tree image)"
cat > "$t/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check_eq "deb822: the mirror" "http://deb.debian.org/debian" "$(apt_sh "$t" claw_apt_mirror)"
check_eq "deb822: three entries" "3" "$(apt_sh "$t" claw_apt_entries | wc -l)"
check_eq "deb822: no deb-src yet" "1" "$(apt_sh "$t" claw_apt_have_deb_src; echo $?)"
apt_sh "$t" claw_apt_add_deb_src
check_eq "deb822: deb-src twin of the release suite" \
  "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
  "$(grep ' bookworm main' "$t/etc/apt/sources.list.d/claw-init-src.list")"
check_eq "deb822: one deb-src per deb entry" "3" "$(grep -c '^deb-src' "$t/etc/apt/sources.list.d/claw-init-src.list")"
check_eq "deb822: now it has deb-src" "0" "$(apt_sh "$t" claw_apt_have_deb_src; echo $?)"

# 2. debootstrap / the installer: one line, a local mirror, no deb-src.
t="$(tree debootstrap)"
echo "deb http://mirror.example.org/debian bookworm main" > "$t/etc/apt/sources.list"
check_eq "one-line: the mirror" "http://mirror.example.org/debian" "$(apt_sh "$t" claw_apt_mirror)"
check_eq "one-line: no deb-src" "1" "$(apt_sh "$t" claw_apt_have_deb_src; echo $?)"
apt_sh "$t" claw_apt_add_deb_src
check_eq "one-line: deb-src twin" "deb-src http://mirror.example.org/debian bookworm main" \
  "$(grep '^deb-src' "$t/etc/apt/sources.list.d/claw-init-src.list")"

# 3. The installer's fuller file: comments, [options], security first, a
#    deb-src line already present.
t="$(tree installer)"
cat > "$t/etc/apt/sources.list" <<'EOF'
#deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_]/ bookworm main

deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.debian.org/debian-security bookworm-security main non-free-firmware
deb http://ftp.de.debian.org/debian/ bookworm main non-free-firmware # the release
deb-src http://ftp.de.debian.org/debian/ bookworm main non-free-firmware
EOF
check_eq "installer: the mirror is the release suite's, not security's" "http://ftp.de.debian.org/debian/" \
  "$(apt_sh "$t" claw_apt_mirror)"
check_eq "installer: options and trailing comments parsed" \
  "http://security.debian.org/debian-security bookworm-security main non-free-firmware signed-by=/usr/share/keyrings/debian-archive-keyring.gpg" \
  "$(apt_sh "$t" claw_apt_entries | head -n1)"
check_eq "installer: its deb-src line counts" "0" "$(apt_sh "$t" claw_apt_have_deb_src; echo $?)"

# 4. A disabled stanza and an inline key (no keyring path to name).
t="$(tree odd)"
cat > "$t/etc/apt/sources.list.d/extra.sources" <<'EOF'
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb deb-src
URIs: https://inline.example/debian
Suites: bookworm
Components: main contrib
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBF
 -----END PGP PUBLIC KEY BLOCK-----
EOF
check_eq "disabled stanza skipped, inline key not named" "https://inline.example/debian bookworm main contrib" \
  "$(apt_sh "$t" claw_apt_entries)"
check_eq "Types: deb deb-src counts as deb-src" "0" "$(apt_sh "$t" claw_apt_have_deb_src; echo $?)"

# 5. Nothing listed: the default mirror, and no deb-src can be derived.
t="$(tree empty)"
check_eq "empty: the default mirror" "http://deb.debian.org/debian" "$(apt_sh "$t" claw_apt_mirror)"
check_eq "empty: add_deb_src fails" "1" "$(apt_sh "$t" claw_apt_add_deb_src; echo $?)"
check_true "empty: and writes nothing" test ! -e "$t/etc/apt/sources.list.d/claw-init-src.list"

# 6. claw_apt_run: a failing command's error lines, packages and log path.
log="$WORK/apt.log"
out="$(CLAW_APT_LOG="$log" dash -c ". '$lib'; claw_apt_run 'apt-get install' sh -c '
  echo \"Setting up ca-certificates (20230311) ...\"
  echo \"dpkg: error processing package ca-certificates (--configure):\"
  echo \"E: Sub-process /usr/bin/dpkg returned an error code (1)\"
  exit 100'" 2>&1)" && status=0 || status=$?
check_eq "run: apt's status is returned" "100" "$status"
check_true "run: says what failed" grep -q "apt-get install failed (status 100)" <<<"$out"
check_true "run: names the package" grep -q "packages dpkg could not set up: ca-certificates" <<<"$out"
check_true "run: shows apt's error line" grep -q "E: Sub-process /usr/bin/dpkg" <<<"$out"
check_true "run: says where the full log is" grep -qF "full log: $log" <<<"$out"
check_true "run: the log has the whole output" grep -q "Setting up ca-certificates" "$log"
check_eq "run: a success prints nothing" "" "$(CLAW_APT_LOG="$log" dash -c ". '$lib'; claw_apt_run x true" 2>&1)"

finish
