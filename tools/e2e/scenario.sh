#!/usr/bin/env bash
# The Terraform part of the e2e, run by run.sh inside control-plane.sh (KUBECONFIG and
# E2E_KUBE_CONTEXT point at the local API server; the toolchain's env.sh is sourced):
#
#   scenario.sh overrides write the e2e overrides (.e2e/overrides.json; needs a synthesized copy)
#   scenario.sh deploy    synth with the e2e overrides, init and validate, `cdktf deploy 'dev-*'`,
#                         assert the cluster, re-plan (no changes), a malformed supplied secret,
#                         secret hygiene of real plans
#   scenario.sh destroy   `cdktf destroy 'dev-*'` and assert that nothing managed is left
#
# Works in E2E_WORK_DIR, a copy of the repository (the caller's cdktf.out and state files are
# never touched). Phase timings are appended to E2E_TIMING_FILE (default
# $E2E_WORK_DIR/.e2e/timing) as "<phase> <seconds>". When the Argo CD stage runs this as its
# deploy/destroy command, PLATFORM_OVERRIDES_FILE holds this scenario's overrides merged with its
# own (the loopback Git server), and E2E_ARGOCD_RUNNING=1 tells destroy that Argo CD itself will
# remove the Applications' resources finalizers.
set -euo pipefail
: "${E2E_REPO:?} ${E2E_WORK_DIR:?} ${E2E_CRDS_DIR:?} ${E2E_PROVIDERS:?} ${E2E_TF_MIRROR_DIR:?}"
: "${KUBECONFIG:?} ${E2E_KUBE_CONTEXT:?} ${E2E_TF_BIN:?} ${E2E_KUBECTL_BIN:?}"

# The two credentials supplied as TF_VAR_<variable> for the hygiene plan (any value of 32 hex
# characters satisfies both validations); their variable names come from the synthesized Secret.
SUPPLIED_KEYS=(CREDS_IV JWT_SECRET)
# The credential whose malformed value must fail at plan.
MALFORMED_KEY=CREDS_IV MALFORMED_VALUE=0123abcd

phase_started=0
begin() { phase_started=$EPOCHREALTIME; echo "e2e: ── $1"; }
end() { awk -v p="$1" -v a="$phase_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%s %.1f\n", p, b - a }' >>"$timing_file"; }
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
tf() { "$E2E_TF_BIN" "$@"; }
kubectl() { "$E2E_KUBECTL_BIN" "$@"; }
node_ts() { node "$E2E_REPO/tools/run-ts.js" "$E2E_REPO/tools/e2e/$1" "${@:2}"; }
facts() { node_ts synth.ts "$1" cdktf.out "${@:2}"; }
dev_stacks() { (cd cdktf.out/stacks && for d in dev-*/; do printf '%s\n' "${d%/}"; done); }

cd "$E2E_WORK_DIR"
mkdir -p .e2e
timing_file=${E2E_TIMING_FILE:-$E2E_WORK_DIR/.e2e/timing}
incoming_overrides=${PLATFORM_OVERRIDES_FILE:-}
export PLATFORM_OVERRIDES_FILE=${incoming_overrides:-$E2E_WORK_DIR/.e2e/overrides.json}
# No terminal: keep the cdktf CLI's output plain.
export CHECKPOINT_DISABLE=1 CI=1 FORCE_COLOR=0
# Destroy synthesizes again and must see the same overrides as deploy.

# cdktf runs `providers lock` after init whenever the lock file's provider addresses differ from
# registry.terraform.io — always with OpenTofu. That command asks the origin registry, which is
# unreachable here, so point it at the same offline mirror `init` uses.
# (No `version | grep -q` here: under pipefail, grep's early exit can fail the pipeline.)
cli_version=$("$E2E_TF_BIN" version 2>/dev/null || true)
if [[ $cli_version == OpenTofu* ]]; then
  mkdir -p .e2e/bin
  cat >.e2e/bin/tofu <<SH
#!/usr/bin/env bash
if [ "\$1" = providers ] && [ "\$2" = lock ]; then exec "$E2E_TF_BIN" "\$@" -fs-mirror="$E2E_TF_MIRROR_DIR"; fi
exec "$E2E_TF_BIN" "\$@"
SH
  chmod +x .e2e/bin/tofu
  export TERRAFORM_BINARY_NAME="$E2E_WORK_DIR/.e2e/bin/tofu"
fi

# The scenario's overrides (.e2e/overrides.json, from the synthesized work copy): dev on the local
# control plane, Argo CD's chart replaced by a stand-in of the synthesized chart version that
# carries only the real CRDs (the chart cannot be downloaded here), so the API server validates the
# AppProject and Applications against Argo CD's own schemas.
write_overrides() {
  local chart_version chart="$E2E_WORK_DIR/.e2e/argo-cd"
  chart_version=$(facts argocd-chart-version)
  mkdir -p "$chart/templates"
  printf 'apiVersion: v2\nname: argo-cd\nversion: %s\ndescription: e2e stand-in carrying only the Argo CD CRDs\n' "$chart_version" >"$chart/Chart.yaml"
  cp "$E2E_CRDS_DIR"/*.yaml "$chart/templates/"
  cat >.e2e/overrides.json <<JSON
{
  "dev": {
    "cluster": { "configPath": "$KUBECONFIG", "context": "$E2E_KUBE_CONTEXT" },
    "argocd": { "chart": { "repository": "", "name": "$chart", "version": "$chart_version" }, "wait": false }
  }
}
JSON
  echo "e2e:    overrides: dev on the local control plane, Argo CD chart $chart_version -> stand-in"
}

deploy() {
  # Run by the Argo CD stage, the overrides it passes already hold this scenario's (run.sh wrote
  # them with `scenario.sh overrides` and gave them to the stage as its base).
  [ -n "$incoming_overrides" ] || write_overrides

  begin "synth, init and validate"
  npx cdktf synth >.e2e/synth.log 2>&1 || { cat .e2e/synth.log; fail "cdktf synth"; }
  local stack missing validated=0
  # shellcheck disable=SC2086 # E2E_PROVIDERS is a list of namespace/type=version words
  while read -r stack missing; do
    if [ "$missing" != ok ]; then
      echo "e2e:    $stack: not validated (needs $missing, not among the e2e's providers)"
      continue
    fi
    tf -chdir="cdktf.out/stacks/$stack" init -input=false -backend=false >".e2e/init-$stack.log" 2>&1 || { cat ".e2e/init-$stack.log"; fail "init $stack"; }
    tf -chdir="cdktf.out/stacks/$stack" validate -no-color || fail "validate $stack"
    validated=$((validated + 1))
  done < <(facts stacks-within $E2E_PROVIDERS)
  [ "$validated" -ge "$(dev_stacks | wc -l)" ] || fail "expected at least every dev stack to validate"
  echo "e2e:    ok  synthesized; $validated stacks initialized offline and valid"
  end "synth+validate"

  begin "deploy dev-* (the README's command)"
  npx cdktf deploy 'dev-*' --auto-approve >.e2e/deploy.log 2>&1 || { cat .e2e/deploy.log; fail "cdktf deploy 'dev-*'"; }
  local output outputs
  mapfile -t outputs < <(facts outputs)
  for output in "${outputs[@]}"; do
    grep -q "$output = " .e2e/deploy.log || fail "output $output missing from the deploy"
  done
  if grep -qi 'password = ' .e2e/deploy.log; then fail "a password output appeared in the deploy"; fi
  echo "e2e:    ok  cdktf deploy 'dev-*' applied $(dev_stacks | wc -l) stacks; outputs ${outputs[*]} present; no password output"
  end deploy

  begin "assert the cluster state against the synthesized stacks"
  node_ts assert-cluster.ts deployed cdktf.out
  end assert

  begin "re-plan: no changes in any dev stack"
  local status
  for stack in $(dev_stacks); do
    set +e
    tf -chdir="cdktf.out/stacks/$stack" plan -input=false -no-color -detailed-exitcode >".e2e/replan-$stack.log" 2>&1
    status=$?
    set -e
    [ "$status" = 0 ] || { cat ".e2e/replan-$stack.log"; fail "$stack re-plan exit code $status (2 = changes pending)"; }
    echo "e2e:    $stack: no changes"
  done
  end replan

  begin "a malformed supplied secret fails at plan and changes nothing"
  local var message before after secret_ns secret_name
  var=$(facts credential-variable "$MALFORMED_KEY")
  message=$(facts validation-message "$var")
  read -r secret_ns secret_name < <(facts secrets)
  before=$(kubectl get secret -n "$secret_ns" "$secret_name" -o jsonpath='{.metadata.resourceVersion}')
  set +e
  env "TF_VAR_$var=$MALFORMED_VALUE" "$E2E_TF_BIN" -chdir=cdktf.out/stacks/dev-platform plan -input=false -no-color >.e2e/badvar.log 2>&1
  status=$?
  set -e
  [ "$status" = 1 ] || { cat .e2e/badvar.log; fail "plan with a malformed TF_VAR_$var exited $status, expected 1"; }
  grep -qF "$message" .e2e/badvar.log || { cat .e2e/badvar.log; fail "validation message missing: $message"; }
  after=$(kubectl get secret -n "$secret_ns" "$secret_name" -o jsonpath='{.metadata.resourceVersion}')
  [ "$before" = "$after" ] || fail "the Secret changed ($before -> $after)"
  echo "e2e:    TF_VAR_$var rejected with \"$message\"; Secret unchanged"
  end badvar

  begin "secret hygiene: no credential anywhere in a real plan or state, supplied values included"
  node_ts plan-secrets.ts --selftest
  # A subshell keeps the supplied values out of the later phases; errexit still applies in it.
  (
    for key in "${SUPPLIED_KEYS[@]}"; do
      var=$(facts credential-variable "$key")
      export "TF_VAR_$var=$(openssl rand -hex 16)"
      echo "e2e:    supplying $key as TF_VAR_$var"
    done
    documents=()
    for stack in $(dev_stacks); do
      tf -chdir="cdktf.out/stacks/$stack" plan -input=false -no-color -out="$E2E_WORK_DIR/.e2e/$stack.tfplan" >".e2e/hygiene-$stack.log" 2>&1 || { cat ".e2e/hygiene-$stack.log"; fail "plan -out of $stack"; }
      tf -chdir="cdktf.out/stacks/$stack" show -json "$E2E_WORK_DIR/.e2e/$stack.tfplan" >".e2e/$stack.plan.json"
      # The saved plan applied with the supplied values (ephemeral: given again), then the state.
      tf -chdir="cdktf.out/stacks/$stack" apply -input=false -no-color "$E2E_WORK_DIR/.e2e/$stack.tfplan" >>".e2e/hygiene-$stack.log" 2>&1 || { cat ".e2e/hygiene-$stack.log"; fail "apply of the saved plan of $stack"; }
      tf -chdir="cdktf.out/stacks/$stack" show -json >".e2e/$stack.state.json"
      documents+=(".e2e/$stack.plan.json" ".e2e/$stack.state.json")
    done
    node_ts plan-secrets.ts check cdktf.out "${documents[@]}"
  )
  rm -f .e2e/*.tfplan .e2e/*.plan.json .e2e/*.state.json
  end hygiene
  echo "e2e: deploy part passed with ${cli_version%%$'\n'*}"
}

destroy() {
  begin "destroy dev-*"
  # Argo CD's controller removes the resources finalizer after deleting the apps' workloads; when
  # no controller runs, the test plays its part.
  local resource namespace name
  if [ "${E2E_ARGOCD_RUNNING:-0}" != 1 ]; then
    while read -r resource namespace name; do
      if kubectl -n "$namespace" get "$resource" "$name" >/dev/null 2>&1; then
        kubectl -n "$namespace" patch "$resource" "$name" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null
      fi
    done < <(facts finalized-manifests)
  fi
  npx cdktf destroy 'dev-*' --auto-approve >.e2e/destroy.log 2>&1 || { cat .e2e/destroy.log; fail "cdktf destroy 'dev-*'"; }
  echo "e2e:    ok  cdktf destroy 'dev-*' finished"
  node_ts assert-cluster.ts destroyed cdktf.out
  end destroy
  echo "e2e: destroy part passed with ${cli_version%%$'\n'*}"
}

case "${1:-}" in
  overrides) write_overrides ;;
  deploy) deploy ;;
  destroy) destroy ;;
  *) echo "usage: scenario.sh overrides|deploy|destroy" >&2; exit 2 ;;
esac
