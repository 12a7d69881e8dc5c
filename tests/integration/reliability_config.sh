#!/usr/bin/env bash
# Config writes under attack and at the limits, on the start-up path (the
# runtime only starts once the config is written):
# 1. As root with --user: the runtime user owns the config directory and
#    plants symlinks, hard links, FIFOs and directories at the target, at
#    temporary names beside it, and in place of the directory and its
#    parent. No file outside the directory ever changes (contents, modes,
#    owners, new files), the target is refused (78) or written as a regular
#    file owned by the user, and start-up never hangs.
# 2. Limits: 10,000 CLAW_CONFIG__ variables, a 1 MiB value (through _FILE:
#    the kernel caps one environment string at 128 KiB), invalid UTF-8 in
#    values, keys and base documents, 10,000-deep nesting in JSON, JSON5,
#    TOML and YAML base documents and in a value, a 10,000-segment key,
#    alias bombs. Each is a correct output or a clean error (78, old config
#    byte-identical, runtime not started, no value in the log), never a
#    crash or a hang.
# (Disk full and a read-only directory are in config_write.sh; symlinks
# without --user in config_write.sh and config_errors.sh.)
source "$(dirname "$0")/lib/common.bash"
source "$CLAW_SRC/tests/fixtures/config/lib.bash"
require_root
require_tool python3
require_startup_patching

chmod 755 "$WORK"
mkdir -m 1777 "$WORK/marks"

# tree_state DIR: everything about the files under DIR that a write through
# a planted link could change.
tree_state() {
  (cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | sort && find . -type f -exec sha256sum {} + | sort) |
    sha256sum | cut -d' ' -f1
}

# --- 1. planted links as the runtime user -----------------------------------------
OUT="$WORK/outside"  # root's files the runtime user would like to overwrite
mkdir -m 755 "$OUT" "$OUT/etc"
printf 'root:secret-hash:19000::::::\n' >"$OUT/etc/shadow"
chmod 600 "$OUT/etc/shadow"
printf '{"owned": "by root"}\n' >"$OUT/config.json"
outside_before="$(tree_state "$OUT")"

HOME_DIR="$WORK/home"
CONF="$HOME_DIR/.app"
TARGET="$CONF/c.json"
# sh_profile FILE TARGET SCRIPT: a profile whose runtime is `sh -c SCRIPT`
# and whose config is TARGET.
sh_profile() {
  cat >"$1" <<EOF
[runtime]
command = ["/bin/sh", "-c", "$3"]
[config]
target = "$2"
EOF
}
sh_profile "$WORK/user.toml" "$TARGET" "touch $WORK/marks/started"

# fresh_conf: the runtime user's config directory, empty.
fresh_conf() {
  rm -rf "$HOME_DIR"
  mkdir -p -m 755 "$HOME_DIR"
  mkdir -m 700 "$CONF"
  chown -R 65534:65534 "$HOME_DIR"
}

# as_user WANT DESCRIPTION [ENV=V...]: start-up as root with --user nobody;
# checks the exit status (WANT: one or more, "0|78"), that the runtime ran
# exactly when it exited 0, and that nothing outside changed.
as_user() {
  local want="$1" what="$2" rc=0
  shift 2
  rm -f "$WORK/marks/started"
  claw CLAW_CONFIG__gateway__port=4242 "$@" -- --profile "$WORK/user.toml" --user 65534:65534 \
    >/dev/null 2>"$WORK/err" &
  local pid=$!
  if ! wait_for_exit "$pid" 100; then
    kill -KILL "$pid" 2>/dev/null || true
    fail "$what: start-up hung for 10 s"
  fi
  wait "$pid" || rc=$?
  if [[ "|$want|" == *"|$rc|"* ]]; then pass "$what: exit $rc"; else fail "$what: exit $rc, want $want"; fi
  if [[ $rc == 0 ]]; then
    check_true "$what: runtime started" test -e "$WORK/marks/started"
  else
    check_true "$what: runtime not started" test ! -e "$WORK/marks/started"
  fi
  check_eq "$what: nothing outside changed" "$outside_before" "$(tree_state "$OUT")"
}

# The written target: a regular file, the user's, 0600, with the patch.
written_ok() {
  check_eq "$1: target is the user's regular file, 0600" "regular file 65534:65534 600" \
    "$(stat -c '%F %u:%g %a' "$TARGET" 2>/dev/null)"
  check_true "$1: target holds the patch" grep -q '"port": 4242' "$TARGET"
}

fresh_conf
as_user 0 "baseline"
written_ok "baseline"

for mode in merge regenerate; do
  fresh_conf
  ln -s "$OUT/config.json" "$TARGET"
  as_user 78 "$mode: symlink at the target" CLAW_CONFIG_MODE=$mode
  check_true "$mode: symlink at the target: link left as it was" test -L "$TARGET"

  fresh_conf
  ln -s "$OUT/new-file.json" "$TARGET"  # dangling: O_CREAT through it would make it
  as_user 78 "$mode: dangling symlink at the target" CLAW_CONFIG_MODE=$mode

  fresh_conf
  ln "$OUT/etc/shadow" "$TARGET"  # root can; a user can where protected_hardlinks is off
  # A merge must refuse it (it would copy root's file); regenerate reads
  # nothing and may refuse it or replace the name (never the file).
  as_user "$([[ $mode == merge ]] && echo 78 || echo '0|78')" "$mode: hard link to root's file at the target" \
    CLAW_CONFIG_MODE=$mode
done

# Links at names the writer might use beside the target.
fresh_conf
for name in .c.json.claw-tmp c.json.tmp .c.json.tmp c.json~ .c.json.swp c.json.new; do
  ln -s "$OUT/etc/shadow" "$CONF/$name"
done
as_user 0 "symlinks at temporary names beside the target"
written_ok "symlinks at temporary names"

fresh_conf
mkfifo "$TARGET"
chown 65534:65534 "$TARGET"
as_user 78 "FIFO at the target (no hang)"

fresh_conf
mkdir "$TARGET"
as_user 78 "directory at the target"

# The config directory itself, and its parent, replaced by links to root's.
fresh_conf
rm -rf "$CONF"
ln -s "$OUT/etc" "$CONF"
as_user 78 "config directory is a symlink"
rm -rf "$HOME_DIR"
ln -s "$OUT" "$HOME_DIR"
as_user 78 "parent directory is a symlink"
rm -f "$HOME_DIR"

# --- 2. limits ---------------------------------------------------------------------
LIM="$WORK/lim"
mkdir -p "$LIM"
# $WORK/EXT.toml: a profile whose runtime saves the config it was given.
for ext in json toml yaml; do sh_profile "$WORK/$ext.toml" "$LIM/c.$ext" "cp $LIM/c.$ext $WORK/marks/seen"; done

# limit WANT DESCRIPTION EXT [ENV=V...]: start-up with the target as it is
# now. WANT 78: refused cleanly, target byte-identical, runtime not started.
# WANT 0: runtime started on the written config. Never a signal, never
# more than 20 s.
limit() {
  local want="$1" what="$2" ext="$3" rc=0 before t0
  shift 3
  before="$(file_hash "$LIM/c.$ext")"
  rm -f "$WORK/marks/seen"
  t0=$(now_ms)
  timeout -s KILL 20 env -i PATH="$PATH" CLAW_HEALTH_LISTEN=off "$@" "$CLAW_INIT" --profile "$WORK/$ext.toml" \
    >/dev/null 2>"$WORK/err" || rc=$?
  LAST_MS=$(( $(now_ms) - t0 ))
  check_eq "$what: exit $want (${LAST_MS} ms)" "$want" "$rc"
  if [[ $want == 78 ]]; then
    check_eq "$what: target byte-identical" "$before" "$(file_hash "$LIM/c.$ext")"
    check_true "$what: runtime not started" test ! -e "$WORK/marks/seen"
    check_eq "$what: one error line" 1 "$(grep -c 'claw-init\[error\]' "$WORK/err")"
  else
    check_true "$what: runtime started" test -e "$WORK/marks/seen"
  fi
  check_true "$what: no sanitizer report" bash -c "! grep -Eq 'Sanitizer|runtime error' '$WORK/err'"
}

# 10,000 variables: 100 objects of 100 keys, values of every literal kind.
vars=()
for g in $(seq 0 99); do
  for k in $(seq 0 99); do
    case $((k % 4)) in
      0) v=$((g * 100 + k)) ;;
      1) v="s$g-$k" ;;
      2) v=true ;;
      3) v="[$g,$k]" ;;
    esac
    vars+=("CLAW_CONFIG__g${g}__k${k}=$v")
  done
done
printf '{"keep": "me"}\n' >"$LIM/c.json"
limit 0 "10,000 CLAW_CONFIG__ variables" json "${vars[@]}"
check_eq "10,000 variables: every key and value in the runtime's config" "10000 ok" "$(python3 - "$WORK/marks/seen" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d.pop("keep") == "me"
n = 0
for g in range(100):
    for k in range(100):
        want = [g * 100 + k, "s%d-%d" % (g, k), True, [g, k]][k % 4]
        assert d["g%d" % g]["k%d" % k] == want, (g, k)
        n += 1
print(n, "ok")
PY
)"
ten_k_ms=$LAST_MS

# An array of 12 items set by index from nothing: the indices must be
# applied in numeric order (list__10 after list__9, not after list__1).
rm -f "$LIM/c.json"
items=()
for i in $(seq 0 11); do items+=("CLAW_CONFIG__list__$i=$i"); done
limit 0 "12 array items set by index" json "${items[@]}"
check_eq "12 array items: in index order" "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("list"))' "$WORK/marks/seen" 2>/dev/null)"

# The largest value the kernel lets through the environment (128 KiB - 1).
big="$(head -c $((128 * 1024 - 1 - 18)) /dev/zero | tr '\0' 'v')"
printf '{"keep": "me"}\n' >"$LIM/c.json"
limit 0 "a 128 KiB value in the environment" json "CLAW_CONFIG__big=$big"
check_eq "128 KiB value: arrives whole" "$(( 128 * 1024 - 1 - 18 ))" \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["big"]))' "$WORK/marks/seen")"
# 1 MiB through _FILE (the largest allowed), and one byte more: refused.
head -c $((1 << 20)) /dev/zero | tr '\0' 'm' >"$WORK/mib"
limit 0 "a 1 MiB value through _FILE" json "CLAW_CONFIG__big_FILE=$WORK/mib"
check_eq "1 MiB value: arrives whole" "$((1 << 20))" \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["big"]))' "$WORK/marks/seen")"
printf 'xx' >>"$WORK/mib"
limit 78 "1 MiB + 2 bytes through _FILE" json "CLAW_CONFIG__big_FILE=$WORK/mib"
check_true "oversized _FILE: the limit is named" grep -q "larger than 1048576 bytes" "$WORK/err"

# Invalid UTF-8 in a value, in a key, and in each format's base document.
secret="utf-secret-$RANDOM"
printf '{"keep": "me"}\n' >"$LIM/c.json"
printf 'keep = "me"\n' >"$LIM/c.toml"
printf 'keep: me\n' >"$LIM/c.yaml"
for ext in json toml yaml; do
  limit 78 "$ext: invalid UTF-8 in a value" "$ext" "CLAW_CONFIG__a=$secret"$'\xff\xfe'
  check_true "$ext: invalid UTF-8 value: variable named" grep -q "CLAW_CONFIG__a: the value is not valid UTF-8" "$WORK/err"
  check_true "$ext: invalid UTF-8 value: value not logged" bash -c "! grep -q '$secret' '$WORK/err'"
  limit 78 "$ext: truncated UTF-8 sequence in a value" "$ext" "CLAW_CONFIG__a=ok"$'\xe2\x82'
  limit 78 "$ext: invalid UTF-8 in a key" "$ext" "CLAW_CONFIG__a"$'\xc0\xaf'"=1"
done
cp "$LIM/c.json" "$WORK/good.json"; cp "$LIM/c.toml" "$WORK/good.toml"; cp "$LIM/c.yaml" "$WORK/good.yaml"
# The one-key base document in each format, with a byte 0xff in its value.
declare -A bad_base=([json]='{"keep": "m\xffe"}' [toml]='keep = "m\xffe"' [yaml]='keep: "m\xffe"')
for ext in json toml yaml; do
  printf '%b\n' "${bad_base[$ext]}" >"$LIM/c.$ext"
  limit 78 "$ext: invalid UTF-8 in the base document" "$ext" CLAW_CONFIG__a=1
done

# toml++ 3.3 reaches __builtin_unreachable() (undefined behaviour) when it
# asks whether a character in U+00A1..U+0499 is whitespace, as it does for
# one standing where whitespace may be; the runtime user can put one there.
# The release build happens to answer with a clean error; a sanitizer build
# reports the UB.
cp "$WORK/good.toml" "$LIM/c.toml"
printf 'keep = "me" \xc3\xa9\n' >"$LIM/c.toml"
limit 78 "toml: U+00E9 where whitespace may stand" toml CLAW_CONFIG__a=1
printf 'keep = {a = 1 \xd0\x96}\n' >"$LIM/c.toml"
limit 78 "toml: U+0416 in an inline table" toml CLAW_CONFIG__a=1

# 10,000-deep nesting in base documents: a table of EXT|DESCRIPTION|the
# document, as a Python expression of n (10,000).
deep() { python3 -c "import sys; n=10000; print(eval(sys.argv[1]))" "$1"; }
while IFS='|' read -r ext what doc; do
  deep "$doc" >"$LIM/c.$ext"
  limit 78 "$what" "$ext" CLAW_CONFIG__a=1 </dev/null  # stdin is the table
done <<'EOF'
json|json: 10,000 nested arrays|"[" * n + "]" * n
json|json: 10,000 nested objects|"{\"a\":" * n + "1" + "}" * n
json|json5: 10,000 nested unquoted objects and arrays|"// json5\n" + "{a:[" * n + "1," + "]}" * n
toml|toml: 10,000 nested inline arrays|"a = " + "[" * n + "]" * n
toml|toml: 10,000 nested inline tables|"a = " + "{b=" * n + "1" + "}" * n
toml|toml: a 10,000-level table header|"[" + ".".join(["t"] * n) + "]\nx = 1"
yaml|yaml: 10,000 nested flow sequences|"a: " + "[" * n + "]" * n
yaml|yaml: 10,000 nested flow mappings|"a: " + "{b: " * n + "1" + "}" * n
yaml|yaml: 10,000 nested block sequences|"- " * n + "x"
yaml|yaml: 2,000 nested block mappings (2 MB of indentation)|"".join("%sk:\n" % (" " * i) for i in range(2000)) + " " * 2000 + "v\n"
EOF
python3 - >"$LIM/c.yaml" <<'PY'
print('a0: &a0 [x, x, x, x, x, x, x, x, x, x]')
for i in range(1, 10):
    print('a%d: &a%d [%s]' % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
PY
limit 78 "yaml: alias bomb (10^10 values)" yaml CLAW_CONFIG__a=1

# Deep values and keys from the environment, on a good base. A literal
# deeper than the nesting limit is not JSON claw-init accepts, so it is kept
# as the string it spells: a correct output, as for any other non-literal.
# seen_value EXT KEY: what the runtime's config holds at KEY, as JSON.
seen_value() {
  python3 - "$1" "$2" "$WORK/marks/seen" <<'PY2'
import json, sys, tomllib, yaml
ext, key, path = sys.argv[1:]
with open(path, "rb") as f:
    doc = {"json": json.load, "toml": tomllib.load, "yaml": yaml.safe_load}[ext](f)
print(json.dumps(doc.get(key)))
PY2
}
deep_array="$(deep '"[" * n + "]" * n')"
for ext in json toml yaml; do
  cp "$WORK/good.$ext" "$LIM/c.$ext"
  limit 0 "$ext: a 10,000-deep JSON literal in a value" "$ext" "CLAW_CONFIG__a=$deep_array"
  check_eq "$ext: the too-deep literal is kept as a string" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$deep_array")" \
    "$(seen_value "$ext" a)"
  cp "$WORK/good.$ext" "$LIM/c.$ext"
  limit 78 "$ext: a 10,000-segment key" "$ext" "CLAW_CONFIG__$(deep '"__".join(["k"] * n)')=1"
done
cp "$WORK/good.json" "$LIM/c.json"
limit 0 "a 64-segment key (the limit)" json "CLAW_CONFIG__$(python3 -c 'print("__".join(["k"] * 64))')=1"
check_eq "64-segment key: set" 1 "$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for _ in range(64): d = d["k"]
print(d)' "$WORK/marks/seen")"

echo "10,000 variables took ${ten_k_ms} ms from exec to the runtime's start"
finish
