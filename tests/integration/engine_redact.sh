#!/usr/bin/env bash
# --redact (contract section 7): the runtime's stdout and stderr pass through
# claw-init with every secret value replaced by [REDACTED].
# - a secret whole, mid-line, split across two writes with a pause between,
#   on stderr, at the very end without a newline; bytes before a secret are
#   not held for a newline;
# - binary output without secrets comes through byte-identical; 100 MB with
#   secrets sprinkled in comes through with each one replaced, counted exactly;
# - a slow reader slows the runtime and claw-init's memory stays bounded;
# - restarts get new pipes and leak no fd; as PID 1 and not, --single-child;
# - a value shorter than 8 bytes is not redacted and a warning names it.
source "$(dirname "$0")/lib/common.bash"
require_root
require_tool python3

SECRET="sk-live-4f9a1c7e2b8d"          # from a *_API_KEY variable
TOKEN="tok_7d2e91b4c6a8f035"            # through a _FILE variable
printf '%s' "$TOKEN" >"$WORK/token"
export MY_API_KEY="$SECRET"
export CLAW_CONFIG__gateway__auth__token_FILE="$WORK/token"
export SHORT_TOKEN="abc123"              # too short: a warning, not redacted

cat >"$WORK/profile.toml" <<EOT
[config]
target = "$WORK/config/runtime.json"
EOT
export CLAW_PROFILE="$WORK/profile.toml"

run() { "$CLAW_INIT" --redact "$@"; }

# 1. The shapes of a secret.
run -- sh -c "
  echo \"whole $SECRET\"
  printf 'mid %s line\n' \"$SECRET\"
  printf 'split ${SECRET:0:12}'; sleep 0.3; printf '${SECRET:12} after\n'
  echo \"on stderr $TOKEN\" >&2
  echo \"short \$SHORT_TOKEN\"
  printf 'end %s' \"$TOKEN\"" >"$WORK/1.out" 2>"$WORK/1.err"
check_eq "1: stdout" "whole [REDACTED]
mid [REDACTED] line
split [REDACTED] after
short abc123
end [REDACTED]" "$(cat "$WORK/1.out")"
check_true "1: stderr" grep -qx "on stderr \[REDACTED\]" "$WORK/1.err"
check_true "1: no secret anywhere" test "$(grep -c -e "$SECRET" -e "$TOKEN" "$WORK/1.out" "$WORK/1.err" | awk -F: '{s+=$2} END {print s}')" = 0
check_true "1: the short value is named in a warning" grep -q "SHORT_TOKEN" "$WORK/1.err"
check_true "1: ... never shown" test "$(grep -c "abc123" "$WORK/1.err")" = 0

# 2. Bytes that cannot start a secret go out at once, without a newline.
rm -f "$WORK/fifo"; mkfifo "$WORK/fifo"
run --health-listen off -- sh -c 'printf "prompt> "; sleep 3' >"$WORK/fifo" 2>/dev/null &
runner=$!
python3 - "$WORK/fifo" >"$WORK/2.out" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
start = time.time(); data = b""
while not data.endswith(b"> "):
    chunk = os.read(fd, 100)
    if not chunk: break
    data += chunk
print("%.0f %s" % ((time.time() - start) * 1000, data.decode()))
PY
wait "$runner"
ms="$(cut -d' ' -f1 "$WORK/2.out")"
check_true "2: a prompt without a newline arrives at once (${ms} ms)" test "$ms" -lt 1500

# 3. Binary without secrets, byte-identical; 100 MB with secrets, counted.
head -c 8M /dev/urandom >"$WORK/binary"
run --health-listen off -- cat "$WORK/binary" >"$WORK/3.bin" 2>/dev/null
check_eq "3: binary output byte-identical" "$(sha256sum <"$WORK/binary" | cut -d' ' -f1)" "$(sha256sum <"$WORK/3.bin" | cut -d' ' -f1)"
python3 - "$WORK/big" "$SECRET" "$TOKEN" <<'PY'
import random, sys
path, secrets = sys.argv[1], sys.argv[2:]
random.seed(7)
line = b"the quick brown fox jumps over the lazy dog 0123456789 sk-live- tok_ " * 3 + b"\n"
count = 0
with open(path, "wb") as f:
    written = 0
    while written < 100 * 1024 * 1024:
        if random.random() < 0.05:
            s = random.choice(secrets).encode()
            cut = random.randrange(len(line))
            chunk = line[:cut] + s + line[cut:]
            count += 1
        else:
            chunk = line
        f.write(chunk); written += len(chunk)
open(path + ".count", "w").write(str(count))
PY
started=$(now_ms)
run --health-listen off -- cat "$WORK/big" >"$WORK/3.big" 2>/dev/null
took=$(($(now_ms) - started))
expected="$(cat "$WORK/big.count")"
echo "# 100 MB with ${expected} secrets through claw-init in ${took} ms"
check_eq "3: every secret replaced, counted exactly" "$expected" "$(grep -o '\[REDACTED\]' "$WORK/3.big" | wc -l)"
check_eq "3: no secret left" 0 "$(grep -c -e "$SECRET" -e "$TOKEN" "$WORK/3.big" || true)"
size_in=$(stat -c %s "$WORK/big"); size_out=$(stat -c %s "$WORK/3.big")
check_eq "3: nothing else changed in size" "$((size_in + expected * 10 - $(grep -o -e "$SECRET" -e "$TOKEN" "$WORK/big" | tr -d '\n' | wc -c)))" "$size_out"

# 4. A slow reader: the runtime is slowed, claw-init's memory stays bounded.
run --health-listen off -- sh -c "head -c 200M /dev/zero" 2>/dev/null | (sleep 2; cat >/dev/null) &
sleep 1
claw="$(pgrep -f -n -- "--redact --health-listen off -- sh -c head -c 200M" || true)"
if [[ -n $claw ]]; then
  rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$claw/status")"
  echo "# claw-init RSS while its reader sleeps: ${rss_kb} KiB"
  # Sanitizer builds carry shadow memory and quarantine: RSS is reported there, not bounded.
  if grep -qs "CLAW_SANITIZE:BOOL=ON" "${CLAW_BUILD:-/nonexistent}/CMakeCache.txt"; then
    echo "# sanitizer build: the RSS bound is not checked"
  else
    check_true "4: claw-init's RSS stays under 8 MiB with a stalled reader (${rss_kb} KiB)" test "$rss_kb" -lt 8192
  fi
fi
wait

# 5. Restarts: new pipes per run, no fd leaked; the health server on.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$CLAW_INIT" --redact --restart always --backoff-initial 100ms --backoff-max 200ms --max-restarts 0 --health-listen "127.0.0.1:$port" -- \
  sh -c "echo run $SECRET" >"$WORK/5.out" 2>"$WORK/5.err" &
claw=$!
for _ in $(seq 1 100); do [[ $(grep -c run "$WORK/5.out") -ge 3 ]] && break; sleep 0.05; done
fds1="$(ls "/proc/$claw/fd" | wc -l)"
for _ in $(seq 1 100); do [[ $(grep -c run "$WORK/5.out") -ge 8 ]] && break; sleep 0.05; done
fds2="$(ls "/proc/$claw/fd" | wc -l)"
kill -TERM "$claw"; wait "$claw" || true
check_true "5: restarted runs print" test "$(grep -c "^run \[REDACTED\]$" "$WORK/5.out")" -ge 8
check_eq "5: no fd leaked across restarts" "$fds1" "$fds2"
check_eq "5: no secret" 0 "$(grep -c -e "$SECRET" "$WORK/5.out" || true)"

# 6. As PID 1, with --single-child, and what a child writes after the runtime exited.
as_pid1 --redact --single-child -- sh -c "(sleep 0.3; echo \"late $SECRET\") & echo \"first $SECRET\"" \
  >"$WORK/6.out" 2>/dev/null || true
check_true "6: as PID 1" grep -qx "first \[REDACTED\]" "$WORK/6.out"
as_pid1 --redact -- sh -c "(sleep 0.3; echo \"late $SECRET\") & echo first; wait" >"$WORK/6b.out" 2>/dev/null
check_true "6: what the runtime's child writes before the end gets through" grep -qx "late \[REDACTED\]" "$WORK/6b.out"

# 7b. The reader of claw-init's stdout goes away: claw-init drops the rest
# and does not pass its own SIGPIPE on to the runtime.
set +e
run --health-listen off -- sh -c 'i=0; while [ $i -lt 100 ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done; echo finished >&2' \
  2>"$WORK/7b.err" | head -c 10 >/dev/null
status="${PIPESTATUS[0]}"
set -e
check_eq "7b: the runtime ran to its end" 0 "$status"
check_true "7b: and said so on stderr" grep -qx finished "$WORK/7b.err"

# 7. Without --redact nothing changes: the runtime writes to claw-init's stdout itself.
"$CLAW_INIT" --health-listen off -- sh -c "echo $SECRET; ls -l /proc/self/fd/1" >"$WORK/7.out" 2>/dev/null
check_true "7: off: untouched" grep -qx "$SECRET" "$WORK/7.out"
check_true "7: off: the runtime's stdout is claw-init's file, not a pipe" grep -q "$WORK/7.out" "$WORK/7.out"

finish
