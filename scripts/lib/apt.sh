# apt helpers shared by scripts/install-deps.sh, scripts/container-setup.sh
# and the image builder stage (images/builder/build-claw-init.sh). POSIX sh:
# the builder runs it under dash. Source it; it defines functions only.
#
# A Debian 12 machine lists its package sources in one of two formats, and
# the helpers read both:
#   - deb822 stanzas in /etc/apt/sources.list.d/*.sources (the official
#     container images: debian.sources);
#   - one-line entries in /etc/apt/sources.list and sources.list.d/*.list
#     (the installer and debootstrap: `deb http://mirror/debian bookworm main`,
#     usually without any deb-src line).

CLAW_APT_ROOT="${CLAW_APT_ROOT:-}"   # tests point this at a fake /etc/apt tree

# Prints one line per enabled binary (`deb`) entry, in both formats:
#   URI SUITE COMPONENTS... [signed-by=PATH]
# (the signed-by field only when the entry names a keyring file).
claw_apt_entries() {
  _dir="$CLAW_APT_ROOT/etc/apt"
  for _f in "$_dir"/sources.list.d/*.sources; do
    [ -f "$_f" ] || continue
    awk '
      function flush(   n, m, i, j, u, s) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^(no|false|0)$/ && uris != "") {
          n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            print u[i], s[j], comps (signed != "" ? " signed-by=" signed : "")
        }
        types = uris = suites = comps = signed = enabled = ""; field = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (field == "signed-by") signed = ""; next }   # an inline key: no path to name
      {
        key = tolower($0); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        field = key
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "components") comps = val
        else if (key == "enabled") enabled = tolower(val)
        else if (key == "signed-by") signed = (val ~ /^\//) ? val : ""
      }
      END { flush() }' "$_f"
  done
  for _f in "$_dir"/sources.list "$_dir"/sources.list.d/*.list; do
    [ -f "$_f" ] || continue
    awk '
      /^[ \t]*deb[ \t]/ {
        line = $0; sub(/^[ \t]*deb[ \t]+/, "", line); signed = ""
        if (line ~ /^\[/) {
          opts = line; sub(/\].*/, "", opts); sub(/^\[/, "", opts)
          sub(/^\[[^]]*\][ \t]*/, "", line)
          n = split(opts, o, /[ \t]+/)
          for (i = 1; i <= n; i++) if (o[i] ~ /^signed-by=\//) signed = substr(o[i], 11)
        }
        sub(/[ \t]*#.*/, "", line)
        print line (signed != "" ? " signed-by=" signed : "")
      }' "$_f"
  done
}

# The mirror of the main Debian archive: the first `deb` entry for the
# release suite itself (not -updates or -security); http://deb.debian.org/debian
# when none is found.
claw_apt_mirror() {
  _suite="${1:-bookworm}"
  _m="$(claw_apt_entries | awk -v s="$_suite" '$2 == s { print $1; exit }')"
  echo "${_m:-http://deb.debian.org/debian}"
}

# True when apt already knows some source (`deb-src`) entry.
claw_apt_have_deb_src() {
  _dir="$CLAW_APT_ROOT/etc/apt"
  for _f in "$_dir"/sources.list.d/*.sources; do
    [ -f "$_f" ] && grep -Eqi '^Types:.*deb-src' "$_f" && return 0
  done
  for _f in "$_dir"/sources.list "$_dir"/sources.list.d/*.list; do
    [ -f "$_f" ] && grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$_f" && return 0
  done
  return 1
}

# Writes a deb-src twin of every `deb` entry to sources.list.d/claw-init-src.list
# (one-line format, which apt reads whatever format the deb entries use).
# Prints nothing; returns non-zero when there is no deb entry to mirror.
claw_apt_add_deb_src() {
  _out="$CLAW_APT_ROOT/etc/apt/sources.list.d/claw-init-src.list"
  _lines="$(claw_apt_entries | awk '{
      signed = ""; comps = ""
      for (i = 3; i <= NF; i++) {
        if ($i ~ /^signed-by=/) signed = " [" $i "]"; else comps = comps " " $i
      }
      print "deb-src" signed " " $1 " " $2 comps
    }')"
  [ -n "$_lines" ] || return 1
  mkdir -p "$(dirname "$_out")"
  { echo "# Written by claw-init's scripts/lib/apt.sh: sources for apt-get source."
    echo "$_lines"; } > "$_out.tmp" && mv "$_out.tmp" "$_out"
}

# claw_apt_run WHAT COMMAND...: runs an apt command with its whole output in
# a log file. On failure it prints what failed: apt's own error lines, the
# packages dpkg could not set up, the last lines of the log, and the log's
# path, then returns apt's status.
claw_apt_run() {
  _what="$1"; shift
  _log="${CLAW_APT_LOG:-/tmp/claw-init-apt.log}"
  echo "== $(date -u +%FT%TZ) $*" >> "$_log" 2>/dev/null || _log=/dev/null
  _status=0
  "$@" >> "$_log" 2>&1 || _status=$?
  if [ "$_status" -ne 0 ]; then
    echo "$_what failed (status $_status): $*" >&2
    _pkgs="$(sed -n 's/^dpkg: error processing package \([^ ]*\).*/\1/p' "$_log" | sort -u | tr '\n' ' ')"
    [ -n "$_pkgs" ] && echo "  packages dpkg could not set up: $_pkgs" >&2
    grep -E '^(E:|W:|dpkg: error|Err:)' "$_log" | tail -n 15 | sed 's/^/  /' >&2
    echo "  last lines of the log:" >&2
    tail -n 15 "$_log" | sed 's/^/    /' >&2
    echo "  full log: $_log" >&2
  fi
  return "$_status"
}

# claw_apt_install PACKAGE...: apt-get update (once per call) and install,
# without recommends, through claw_apt_run.
claw_apt_install() {
  DEBIAN_FRONTEND=noninteractive
  export DEBIAN_FRONTEND
  claw_apt_run "apt-get update" apt-get update || return $?
  claw_apt_run "apt-get install" apt-get install -y --no-install-recommends "$@"
}

# claw_apt_missing PACKAGE...: prints the packages that are not installed.
claw_apt_missing() {
  for _p in "$@"; do
    dpkg-query -W -f='${Status}' "$_p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$_p"
  done
}
