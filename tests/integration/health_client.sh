#!/bin/bash
# `claw-init health`, the HEALTHCHECK client: one line on stdout, exit 0 on
# 200 and 1 otherwise, whatever is (or is not) at the other end.
source "${CLAW_SRC:?}/tests/helpers/health_lib.bash"
skip_unless_wired

# run_health ARGS...: sets OUT (stdout), ERR (stderr) and CODE.
run_health() {
  CODE=0
  OUT=$("$CLAW_INIT" health "$@" 2>"$WORK/err") || CODE=$?
  ERR=$(cat "$WORK/err")
}

# Healthy, then in backoff.
PORT=$(free_port)
start_claw --health-listen "127.0.0.1:$PORT" --restart always --backoff-initial 3s -- sh -c 'sleep 1; exit 4'
wait_health "$PORT"
wait_state "$PORT" running
run_health --health-listen "127.0.0.1:$PORT"
expect_eq "healthy: exit code" "$CODE" 0
expect_eq "healthy: line" "$OUT" "healthy: running"
expect_eq "healthy: stderr" "$ERR" ""
CLAW_HEALTH_LISTEN="127.0.0.1:$PORT" run_health
expect_eq "CLAW_HEALTH_LISTEN: exit code" "$CODE" 0
run_health --url "http://127.0.0.1:$PORT/health/live"
expect_eq "--url live: exit code" "$CODE" 0
wait_state "$PORT" backoff
run_health --health-listen "127.0.0.1:$PORT"
expect_eq "backoff: exit code" "$CODE" 1
expect_eq "backoff: line" "$OUT" "unhealthy: backoff"
run_health --url "http://127.0.0.1:$PORT/health/live"
expect_eq "backoff, --url live: exit code" "$CODE" 0
run_health --url "http://127.0.0.1:$PORT/nope"
expect_eq "404: exit code" "$CODE" 1
expect_eq "404: line" "$OUT" "unhealthy: HTTP 404"
stop_claw
ok "healthy, backoff, --url"

# Nothing listening.
DEAD=$(free_port)
run_health --health-listen "127.0.0.1:$DEAD"
expect_eq "refused: exit code" "$CODE" 1
expect_eq "refused: line" "$OUT" "unhealthy: no answer from 127.0.0.1:$DEAD (connection refused)"
ok "connection refused"

# A server that accepts and never answers: the timeout holds.
SILENT=$(free_port)
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
conns=[]
while True: conns.append(s.accept())' "$SILENT" &
BG_PIDS+=("$!")
wait_listening "$SILENT"
start=$(date +%s%N)
run_health --health-listen "127.0.0.1:$SILENT" --timeout 1s
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "silent: exit code" "$CODE" 1
expect_eq "silent: line" "$OUT" "unhealthy: no answer from 127.0.0.1:$SILENT (no response within 1s)"
[ "$took" -lt 1800 ] || fail "--timeout 1s took ${took}ms"
start=$(date +%s%N)
run_health --health-listen "127.0.0.1:$SILENT"
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took" -ge 2900 ] && [ "$took" -lt 4000 ] || fail "the default timeout took ${took}ms, want about 3 s"
ok "silent server: --timeout 1s and the 3 s default"

# Usage errors are 2, like any other bad command line.
run_health --url "https://127.0.0.1:1/health"
expect_eq "https --url: exit code" "$CODE" 2
run_health --timeout soon
expect_eq "bad --timeout: exit code" "$CODE" 2
ok "usage errors"
