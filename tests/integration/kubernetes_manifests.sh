#!/usr/bin/env bash
# kubernetes/*: every manifest parses and passes a schema check without a
# cluster (the API's own models in Debian's python3-kubernetes; `kubectl
# apply --dry-run=client` would need an API server even with
# --validate=false), `kubectl kustomize` renders each set, the render passes
# the schema check too, and it follows docs/kubernetes.md against the
# image's own profile and Dockerfile (tag, uid, ports, probes, grace,
# secrets as files only). tests/container/kubernetes.sh runs the sets.
source "$(dirname "$0")/../lib/testlib.bash"

require_tool kubectl
PY=/usr/bin/python3      # Debian's: the one python3-kubernetes is installed for
"$PY" -c 'import kubernetes, yaml' 2>/dev/null \
  || skip "needs Debian's python3-kubernetes and python3-yaml (run scripts/install-deps.sh)"
SCHEMA="$CLAW_SRC/tests/integration/lib/kube_schema_check.py"
POLICY="$CLAW_SRC/tests/integration/lib/kube_policy_check.py"

# The checker itself must refuse what a cluster refuses.
cat > "$WORK/bad.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  replicas: "1"
  selector: {matchLabels: {app: bad}}
  template:
    spec:
      terminationGracePeriod: 5
      containers: [{image: x}]
EOF
out="$("$PY" "$SCHEMA" "$WORK/bad.yaml" 2>&1)" && fail "the schema check accepted a bad manifest" \
  || check_eq "the schema check names each problem of a bad manifest" 3 "$(grep -cE 'replicas: expected int|unknown field of V1PodSpec|name: required by V1Container' <<<"$out")"

runtimes=(openclaw zeroclaw nullclaw)
check_eq "one manifest set per runtime" "nullclaw openclaw zeroclaw" \
  "$(cd "$CLAW_SRC/kubernetes" && for d in */kustomization.yaml; do echo "${d%%/*}"; done | tr '\n' ' ' | sed 's/ $//')"

for rt in "${runtimes[@]}"; do
  dir="$CLAW_SRC/kubernetes/$rt"
  mapfile -t plain < <(ls "$dir"/*.yaml | grep -v '/kustomization.yaml$')
  out="$("$PY" "$SCHEMA" "${plain[@]}" 2>&1)" || true
  check_eq "$rt: every plain manifest passes the schema check" "ok: ${#plain[@]} documents" "$out"
  check_true "$rt: no manifest names a latest tag" bash -c "! grep -qE 'image: .*:latest|newTag: latest' $dir/*.yaml"

  # A copy with the secret files a user makes first (never in git).
  cp -r "$dir" "$WORK/$rt"
  mkdir -p "$WORK/$rt/secrets"
  for f in $(sed -n 's/^ *- [a-z_]*=\(secrets\/[A-Za-z0-9_.-]*\)$/\1/p' "$dir/kustomization.yaml"); do
    printf 'test-%s-%s\n' "$rt" "$RANDOM$RANDOM" > "$WORK/$rt/$f"
  done
  if kubectl kustomize "$WORK/$rt" > "$WORK/$rt.yaml" 2>"$WORK/$rt.err"; then
    pass "$rt: kubectl kustomize renders the set"
  else
    cat "$WORK/$rt.err" >&2
    fail "$rt: kubectl kustomize failed"
    continue
  fi
  check_eq "$rt: the render passes the schema check" "ok: 4 documents" "$("$PY" "$SCHEMA" "$WORK/$rt.yaml" 2>&1)"
  token="$(cat "$WORK/$rt"/secrets/*)"
  if grep -qF "$token" "$WORK/$rt.yaml"; then fail "$rt: a secret value is in the render as plain text"; else pass "$rt: the secret is only in the Secret's base64 data"; fi
  while IFS= read -r line; do
    case "$line" in
      "ok - "*) pass "$rt: ${line#ok - }" ;;
      "FAIL - "*) fail "$rt: ${line#FAIL - }" ;;
      *) echo "$line" ;;
    esac
  done < <("$PY" "$POLICY" "$WORK/$rt.yaml" "$CLAW_SRC/images/$rt" 2>&1 || echo "FAIL - kube_policy_check.py exited non-zero")
done

# The rules checker must refuse what the images no longer are: ZeroClaw's
# old user (10001) and its V1 key (a top-level api_key), a stop delay the
# grace does not count, and a data path off the volume.
if [[ -f "$WORK/zeroclaw.yaml" ]]; then
  sed -e 's/: 65534$/: 10001/' \
      -e 's/CLAW_CONFIG__providers__models__openrouter__default__api_key_FILE/CLAW_CONFIG__api_key_FILE/' \
      -e 's/value: 5s$/value: 9s/' \
      -e 's|mountPath: /zeroclaw-data$|mountPath: /zeroclaw-data/.zeroclaw|' "$WORK/zeroclaw.yaml" > "$WORK/zeroclaw-old.yaml"
  out="$("$PY" "$POLICY" "$WORK/zeroclaw-old.yaml" "$CLAW_SRC/images/zeroclaw" 2>&1)" \
    && fail "the rules check accepted the old ZeroClaw manifest" \
    || check_eq "the rules check names each problem of the old ZeroClaw manifest" 5 \
         "$(grep -cE '^FAIL - (runs as the image.s runtime user|fsGroup 65534|CLAW_CONFIG__api_key_FILE names a key|terminationGracePeriodSeconds = stop grace 8 \+ stop delay 9 |the image.s data paths)' <<<"$out")"
fi

finish
