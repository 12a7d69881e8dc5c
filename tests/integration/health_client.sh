#!/bin/bash
# `claw-init health`, the HEALTHCHECK client: one line on stdout, exit 0 on
# 200 and 1 otherwise, whatever is (or is not) at the other end.
source "$(dirname "$0")/../helpers/health_lib.bash"
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
check_eq "healthy: exit code" 0 "$CODE"
check_eq "healthy: line" "healthy: running" "$OUT"
check_eq "healthy: stderr" "" "$ERR"
CLAW_HEALTH_LISTEN="127.0.0.1:$PORT" run_health
check_eq "CLAW_HEALTH_LISTEN: exit code" 0 "$CODE"
run_health --url "http://127.0.0.1:$PORT/health/live"
check_eq "--url live: exit code" 0 "$CODE"
wait_state "$PORT" backoff
run_health --health-listen "127.0.0.1:$PORT"
check_eq "backoff: exit code" 1 "$CODE"
check_eq "backoff: line" "unhealthy: backoff" "$OUT"
run_health --url "http://127.0.0.1:$PORT/health/live"
check_eq "backoff, --url live: exit code" 0 "$CODE"
run_health --url "http://127.0.0.1:$PORT/nope"
check_eq "404: exit code" 1 "$CODE"
check_eq "404: line" "unhealthy: HTTP 404" "$OUT"
stop_claw
pass "healthy, backoff, --url"

# Nothing listening.
DEAD=$(free_port)
run_health --health-listen "127.0.0.1:$DEAD"
check_eq "refused: exit code" 1 "$CODE"
check_eq "refused: line" "unhealthy: no answer from 127.0.0.1:$DEAD (connection refused)" "$OUT"
pass "connection refused"

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
check_eq "silent: exit code" 1 "$CODE"
check_eq "silent: line" "unhealthy: no answer from 127.0.0.1:$SILENT (no response within 1s)" "$OUT"
check_true "silent: --timeout 1s gives up within 1.8 s (took ${took}ms)" test "$took" -lt 1800
start=$(date +%s%N)
run_health --health-listen "127.0.0.1:$SILENT"
took=$(( ($(date +%s%N) - start) / 1000000 ))
check_true "silent: the default timeout is about 3 s (took ${took}ms)" test "$took" -ge 2900 -a "$took" -lt 4000
pass "silent server: --timeout 1s and the 3 s default"

# Usage errors are 2, like any other bad command line.
run_health --url "https://127.0.0.1:1/health"
check_eq "https --url: exit code" 2 "$CODE"
run_health --timeout soon
check_eq "bad --timeout: exit code" 2 "$CODE"
pass "usage errors"

finish
