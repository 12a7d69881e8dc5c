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

finish
