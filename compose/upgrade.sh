#!/usr/bin/env bash
# Upgrades one runtime of the Compose fleet to a new pinned image tag, with a
# way back:
#   1. records the current tag (compose/.upgrade/RUNTIME.last)
#   2. stops the service and snapshots its volumes to a tarball
#      (compose/.upgrade/RUNTIME-<old tag>-<time>.tar.gz)
#   3. openclaw only: copies the state database with SQLite's online backup
#      and runs the NEW image's `openclaw database preflight COPY --json` on
#      the copy (inside a throwaway container; the copy never leaves it);
#      when it refuses (incompatible or indeterminate, exit 1) the tag is not
#      switched: the old version starts again and upgrade.sh exits 1
#   4. writes the new tag into .env and starts the service
#   5. waits until `claw-init health` (the image's HEALTHCHECK) passes
#   6. if it does not within the timeout: writes the recorded tag back,
#      restores the snapshot if --restore-snapshot was given, starts the old
#      version again and exits 1
#
#   compose/upgrade.sh [options] RUNTIME NEW_TAG
#     --dry-run            print the plan, change nothing
#     --timeout SECONDS    how long to wait for healthy (default 180)
#     --restore-snapshot   on rollback, also put the volumes back as they were
#     --no-snapshot        skip the snapshot (faster; no --restore-snapshot then)
#     --no-preflight       skip the database preflight (openclaw)
#     --env-file PATH      the .env to edit (default: PROJECT_DIR/.env)
#     --project-dir DIR    Compose project directory (default: compose/)
#
# Environment: CLAW_COMPOSE (default `docker compose`, else `docker-compose`),
# CLAW_UPGRADE_DIR (records and snapshots; default compose/.upgrade),
# CLAW_DOCKER (default `docker`, or `podman` when there is no docker CLI), COMPOSE_FILE / COMPOSE_PROJECT_NAME as usual.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' | sed '$d' >&2
  exit 2
}

dry_run=0 timeout=180 restore=0 snapshot=1 preflight=1 env_file="" project_dir="$here"
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --timeout) timeout="${2:?}"; shift ;;
    --restore-snapshot) restore=1 ;;
    --no-snapshot) snapshot=0 ;;
    --no-preflight) preflight=0 ;;
    --env-file) env_file="${2:?}"; shift ;;
    --project-dir) project_dir="${2:?}"; shift ;;
    -h|--help) usage ;;
    --*) echo "upgrade: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
  shift
done
[[ $# -eq 2 ]] || usage
env_file="${env_file:-$project_dir/.env}"
runtime="$1" new_tag="$2"
case "$runtime" in openclaw|zeroclaw|nullclaw) ;; *) echo "upgrade: RUNTIME is openclaw, zeroclaw or nullclaw" >&2; exit 2 ;; esac
[[ "$new_tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "upgrade: '$new_tag' is not an image tag" >&2; exit 2; }
[[ "$new_tag" != latest ]] || { echo "upgrade: refusing 'latest': pin a version" >&2; exit 2; }
((restore && !snapshot)) && { echo "upgrade: --restore-snapshot needs the snapshot" >&2; exit 2; }
[[ "$runtime" == openclaw ]] || preflight=0   # only OpenClaw has one
[[ -f "$env_file" ]] || { echo "upgrade: $env_file not found (copy compose/.env.example)" >&2; exit 1; }

var="${runtime^^}_TAG"
old_tag="$(sed -n "s/^${var}=//p" "$env_file" | tail -n1)"
[[ -n "$old_tag" ]] || { echo "upgrade: $env_file has no $var=" >&2; exit 1; }
state_dir="${CLAW_UPGRADE_DIR:-$here/.upgrade}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
tarball="$state_dir/$runtime-$old_tag-$stamp.tar.gz"

# The engine's own CLI for exec/run/inspect: docker, or podman where there
# is no docker CLI (Debian 12 with Podman's API socket for docker-compose).
default_docker=docker
command -v docker >/dev/null || ! command -v podman >/dev/null || default_docker=podman
docker_cmd=(${CLAW_DOCKER:-$default_docker})
if [[ -n "${CLAW_COMPOSE:-}" ]]; then
  read -r -a compose_cmd <<<"$CLAW_COMPOSE"
elif docker compose version >/dev/null 2>&1; then
  compose_cmd=(docker compose)
else
  compose_cmd=(docker-compose)
fi
compose=("${compose_cmd[@]}" --project-directory "$project_dir" --env-file "$env_file" --profile "$runtime")
[[ -n "${COMPOSE_FILE:-}" ]] || compose+=(-f "$here/docker-compose.yml")

say() { echo "upgrade: $*" >&2; }

if ((dry_run)); then
  cat <<EOF
upgrade plan for $runtime ($env_file):
  1. record the current tag: $var=$old_tag -> $state_dir/$runtime.last
  2. $( ((snapshot)) && echo "stop $runtime and snapshot its volumes to $tarball" || echo "no snapshot (--no-snapshot)")
  3. $( ((preflight)) && echo "copy the state database, run $new_tag's 'openclaw database preflight' on the copy; stop here if it refuses" || echo "no database preflight")
  4. set $var=$new_tag in $env_file; ${compose_cmd[*]} --profile $runtime up -d $runtime
  5. wait up to ${timeout}s for 'claw-init health' to pass in the new container
  6. if it does not: set $var=$old_tag again$( ((restore)) && echo ", restore $tarball into the volumes"), start $old_tag, exit 1
nothing was changed (--dry-run)
EOF
  exit 0
fi

set_tag() {  # writes VAR=TAG into the env file, atomically
  local tmp="$env_file.tmp.$$"
  sed "s/^${var}=.*/${var}=$1/" "$env_file" > "$tmp"
  chmod --reference="$env_file" "$tmp" 2>/dev/null || true
  mv "$tmp" "$env_file"
}
container_id() { "${compose[@]}" ps -q "$runtime" 2>/dev/null | head -n1; }
wait_healthy() {  # the image's own HEALTHCHECK command, run by us: works
                  # whether or not the engine runs healthchecks on a timer
  local id deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    id="$(container_id)"
    if [[ -n "$id" ]] && "${docker_cmd[@]}" exec "$id" /usr/local/bin/claw-init health >/dev/null 2>&1; then
      return 0
    fi
    sleep 2
  done
  return 1
}
# run_tar IMAGE ARGS...: tar in a throwaway container that has the service's
# volumes (the runtime images are Debian-based and carry tar).
run_tar() {
  local image="$1"; shift
  "${docker_cmd[@]}" run --rm --network none --user 0 --volumes-from "$id" \
    -v "$state_dir:/claw-upgrade" --entrypoint tar "$image" "$@"
}

mkdir -p "$state_dir"
printf '%s\n' "$old_tag" > "$state_dir/$runtime.last"
say "recorded $var=$old_tag in $state_dir/$runtime.last"

id="$(container_id)"
old_image=""
mounts=()
if [[ -n "$id" ]]; then
  old_image="$("${docker_cmd[@]}" inspect -f '{{.Config.Image}}' "$id")"
  read -r -a all_mounts <<<"$("${docker_cmd[@]}" inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{.Destination}} {{end}}{{end}}' "$id")"
  # A volume mounted inside another (workspace inside state) is archived
  # with its parent: keep the outermost ones only.
  for m in "${all_mounts[@]}"; do
    nested=0
    for p in "${all_mounts[@]}"; do [[ "$m" != "$p" && "$m" == "$p"/* ]] && nested=1; done
    ((nested)) || mounts+=("$m")
  done
fi
if ((snapshot)); then
  if [[ -z "$id" || ${#mounts[@]} -eq 0 ]]; then
    say "no $runtime container or no volume: nothing to snapshot"
    snapshot=0 restore=0
  else
    say "stopping $runtime for a consistent snapshot"
    "${compose[@]}" stop "$runtime" >/dev/null
    run_tar "$old_image" -czf "/claw-upgrade/$(basename "$tarball")" "${mounts[@]}" 2>/dev/null \
      || { say "snapshot failed; starting $old_tag again"; "${compose[@]}" up -d "$runtime" >/dev/null; exit 1; }
    say "snapshot: $tarball"
  fi
fi

# OpenClaw asks a supervisor to preflight the target release against a
# consolidated copy of the state database (no -wal/-shm beside it) before
# activating it (docs/images.md). The copy is SQLite's online backup, made
# by the new image's node as the runtime user (so any -shm SQLite creates
# has the gateway's owner), into the throwaway container's /tmp; the new
# image's own CLI judges it. Exit 1 = incompatible or indeterminate.
if ((preflight)) && [[ -n "$id" ]]; then
  new_image="${old_image%:*}:$new_tag"
  "${docker_cmd[@]}" image inspect "$new_image" >/dev/null 2>&1 || "${docker_cmd[@]}" pull "$new_image" >/dev/null \
    || { say "cannot get $new_image for the preflight; nothing switched"; "${compose[@]}" up -d "$runtime" >/dev/null; exit 1; }
  db=/home/openclaw/.openclaw/state/openclaw.sqlite
  report="$state_dir/$runtime-preflight-$new_tag-$stamp.json"
  rc=0
  "${docker_cmd[@]}" run --rm --network none --user openclaw --volumes-from "$id" -e HOME=/tmp/preflight-home \
    --entrypoint sh "$new_image" -c '
      [ -f "$1" ] || { echo "{\"status\":\"no-database\"}"; exit 0; }
      node --no-warnings -e "const s=require(\"node:sqlite\");const d=new s.DatabaseSync(process.argv[1],{readOnly:true});s.backup(d,process.argv[2]).then(()=>d.close(),e=>{console.error(String(e));process.exit(3)})" "$1" /tmp/state-copy.sqlite || exit 3
      exec openclaw database preflight /tmp/state-copy.sqlite --json' sh "$db" >"$report" 2>"$report.err" || rc=$?
  status="$(sed -n 's/^ *"status": *"\([a-z-]*\)".*/\1/p' "$report" | tail -n1)"
  [[ -n "$status" ]] || status="$(sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p' "$report" | tail -n1)"
  found="$(sed -n 's/^ *"foundVersion": *\([0-9a-z]*\).*/\1/p' "$report")"
  target="$(sed -n 's/^ *"targetVersion": *\([0-9a-z]*\).*/\1/p' "$report")"
  if ((rc == 0)) && [[ "$status" == no-database ]]; then
    say "preflight: no state database yet ($db): nothing to check"
  elif ((rc == 0)) && [[ -n "$status" ]]; then
    say "preflight on $new_tag: $status (found schema ${found:-?}, target ${target:-?}); report $report"
  else
    if ((rc == 3)); then
      say "preflight: copying the state database failed: $(tail -n1 "$report.err")"
    else
      say "preflight on $new_tag refused: ${status:-no answer} (found schema ${found:-?}, target ${target:-?}, exit $rc); report $report"
    fi
    say "not switching to $new_tag; starting $old_tag again"
    "${compose[@]}" up -d "$runtime" >/dev/null || true
    if wait_healthy; then say "$runtime healthy on $old_tag"; else say "$runtime not healthy on $old_tag either"; fi
    exit 1
  fi
fi

set_tag "$new_tag"
say "$var=$new_tag; starting"
if "${compose[@]}" up -d "$runtime" >/dev/null && wait_healthy; then
  say "$runtime healthy on $new_tag"
  exit 0
fi

say "$runtime not healthy on $new_tag within ${timeout}s: rolling back to $old_tag"
set_tag "$old_tag"
if ((restore)); then
  "${compose[@]}" stop "$runtime" >/dev/null || true
  id="$(container_id)"
  # Empty each volume, then unpack the snapshot (paths in it are absolute
  # mount points, stored without the leading /).
  clear=""
  for m in "${mounts[@]}"; do clear+="find '$m' -mindepth 1 -maxdepth 1 -exec rm -rf {} + ; "; done
  "${docker_cmd[@]}" run --rm --network none --user 0 --volumes-from "$id" -v "$state_dir:/claw-upgrade" \
    --entrypoint sh "$old_image" -c "$clear tar -xzf '/claw-upgrade/$(basename "$tarball")' -C /" \
    || say "restoring the snapshot failed; it is still in $tarball"
  say "volumes restored from $tarball"
fi
"${compose[@]}" up -d "$runtime" >/dev/null || true
if wait_healthy; then
  say "rolled back: $runtime healthy on $old_tag"
else
  say "rolled back to $old_tag, but it is not healthy either"
fi
exit 1
