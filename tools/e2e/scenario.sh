#!/usr/bin/env bash
# The e2e scenario, run by run.sh inside control-plane.sh (KUBECONFIG and E2E_KUBE_CONTEXT point
# at the local API server; the toolchain's env.sh is sourced). Works on a copy of the repository so
# the caller's cdktf.out and state files are never touched.
set -euo pipefail
: "${E2E_REPO:?} ${E2E_CRDS_DIR:?} ${KUBECONFIG:?} ${E2E_KUBE_CONTEXT:?} ${E2E_TF_BIN:?} ${E2E_KUBECTL_BIN:?}"

declare -A timing
phase_started=0
begin() { phase_started=$EPOCHREALTIME; echo "e2e: ── $1"; }
end() { timing[$1]=$(awk -v a="$phase_started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'); }
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
tf() { "$E2E_TF_BIN" "$@"; }
kubectl() { "$E2E_KUBECTL_BIN" "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-work.XXXXXX")
cleanup() {
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e: work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A copy of the project that shares node_modules.
tar -C "$E2E_REPO" --exclude=./node_modules --exclude=./cdktf.out --exclude='./terraform.*.tfstate*' --exclude=./.git -cf - . | tar -C "$work" -xf -
ln -s "$E2E_REPO/node_modules" "$work/node_modules"
cd "$work"

# The Argo CD chart cannot be downloaded here: a stand-in chart carries only the real CRDs, so the
# API server validates the AppProject and Applications against Argo CD's own schemas.
chart="$work/.e2e/argo-cd"
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: argo-cd\nversion: 10.1.1\ndescription: e2e stand-in carrying only the Argo CD CRDs\n' > "$chart/Chart.yaml"
cp "$E2E_CRDS_DIR"/*.yaml "$chart/templates/"

cat > "$work/.e2e/overrides.json" <<JSON
{
  "dev": {
    "cluster": { "configPath": "$KUBECONFIG", "context": "$E2E_KUBE_CONTEXT" },
    "argocd": { "chart": { "repository": "", "name": "$chart", "version": "10.1.1" }, "wait": false }
  }
}
JSON
export PLATFORM_OVERRIDES_FILE="$work/.e2e/overrides.json" CHECKPOINT_DISABLE=1 CI=1

# cdktf runs `providers lock` after init whenever the lock file's provider addresses differ from
# registry.terraform.io — always with OpenTofu. That command asks the origin registry, which is
# unreachable here, so point it at the same offline mirror `init` uses.
# (No `version | grep -q` here: under pipefail, grep's early exit can fail the pipeline.)
cli_version=$("$E2E_TF_BIN" version 2>/dev/null || true)
if [[ $cli_version == OpenTofu* ]]; then
  mkdir -p "$work/.e2e/bin"
  cat > "$work/.e2e/bin/tofu" <<SH
#!/usr/bin/env bash
if [ "\$1" = providers ] && [ "\$2" = lock ]; then exec "$E2E_TF_BIN" "\$@" -fs-mirror="$E2E_PROVIDER_MIRROR"; fi
exec "$E2E_TF_BIN" "\$@"
SH
  chmod +x "$work/.e2e/bin/tofu"
  export TERRAFORM_BINARY_NAME="$work/.e2e/bin/tofu"
fi
# No terminal: keep the cdktf CLI's output plain.
export FORCE_COLOR=0

begin "synth, init and validate"
npx cdktf synth > "$work/.e2e/synth.log" 2>&1 || { cat "$work/.e2e/synth.log"; fail "cdktf synth"; }
validated=()
for dir in cdktf.out/stacks/*/; do
  stack=$(basename "$dir")
  needs_aws=$(node -e 'const j=require(process.argv[1]); process.stdout.write(j.terraform.required_providers.aws ? "1" : "0")' "$work/$dir/cdk.tf.json")
  if [ "$needs_aws" = 1 ] && [ "${E2E_BUILD_AWS:-0}" != 1 ]; then
    echo "e2e:    $stack: not validated (needs hashicorp/aws; build it with E2E_BUILD_AWS=1)"
    continue
  fi
  tf -chdir="$dir" init -input=false -backend=false > "$work/.e2e/init-$stack.log" 2>&1 || { cat "$work/.e2e/init-$stack.log"; fail "init $stack"; }
  tf -chdir="$dir" validate -no-color || fail "validate $stack"
  validated+=("$stack")
done
[ "${#validated[@]}" -ge 2 ] || fail "expected at least dev-platform and dev-apps to validate"
end synth

begin "deploy dev-* (the README's command)"
npx cdktf deploy 'dev-*' --auto-approve > "$work/.e2e/deploy.log" 2>&1 || { cat "$work/.e2e/deploy.log"; fail "cdktf deploy 'dev-*'"; }
for output in argocd_url argocd_admin_password_command librechat_url ollama_url; do
  grep -q "$output = " "$work/.e2e/deploy.log" || fail "output $output missing from the deploy"
done
grep -qi 'password = ' "$work/.e2e/deploy.log" && fail "a password output appeared in the deploy"
echo "e2e:    outputs argocd_url, argocd_admin_password_command, librechat_url, ollama_url present; no password output"
end deploy

begin "assert the cluster state"
node "$E2E_REPO/tools/run-ts.js" "$E2E_REPO/tools/e2e/assert-cluster.ts" deployed
end assert

begin "re-plan: no changes in any stack"
for stack in dev-platform dev-apps; do
  set +e
  tf -chdir="cdktf.out/stacks/$stack" plan -input=false -no-color -detailed-exitcode > "$work/.e2e/replan-$stack.log" 2>&1
  status=$?
  set -e
  [ "$status" = 0 ] || { cat "$work/.e2e/replan-$stack.log"; fail "$stack re-plan exit code $status (2 = changes pending)"; }
  echo "e2e:    $stack: no changes"
done
end replan

begin "a malformed supplied secret fails at plan and changes nothing"
before=$(kubectl get secret -n librechat librechat-credentials-env -o jsonpath='{.metadata.resourceVersion}')
set +e
TF_VAR_librechat_creds_iv=0123abcd tf -chdir=cdktf.out/stacks/dev-platform plan -input=false -no-color > "$work/.e2e/badvar.log" 2>&1
status=$?
set -e
[ "$status" = 1 ] || { cat "$work/.e2e/badvar.log"; fail "plan with a short CREDS_IV exited $status, expected 1"; }
grep -q 'librechat_creds_iv (CREDS_IV) must be exactly 32 hex characters (16 bytes).' "$work/.e2e/badvar.log" || { cat "$work/.e2e/badvar.log"; fail "validation message missing"; }
after=$(kubectl get secret -n librechat librechat-credentials-env -o jsonpath='{.metadata.resourceVersion}')
[ "$before" = "$after" ] || fail "the Secret changed ($before -> $after)"
echo "e2e:    rejected with the validation message; Secret unchanged"
end badvar

begin "destroy dev-*"
# Argo CD's controller would remove the resources finalizer after deleting the apps' workloads;
# there is no controller here, so the test plays its part.
for app in ollama librechat; do
  kubectl -n argocd patch application "$app" --type merge -p '{"metadata":{"finalizers":null}}' > /dev/null
done
npx cdktf destroy 'dev-*' --auto-approve > "$work/.e2e/destroy.log" 2>&1 || { cat "$work/.e2e/destroy.log"; fail "cdktf destroy 'dev-*'"; }
node "$E2E_REPO/tools/run-ts.js" "$E2E_REPO/tools/e2e/assert-cluster.ts" destroyed
end destroy

echo "e2e: timing (s): toolchain ${E2E_TOOLCHAIN_SECONDS:-?}, control plane ${E2E_CP_STARTUP_SECONDS:-?}, synth+validate ${timing[synth]}, deploy ${timing[deploy]}, assert ${timing[assert]}, re-plan ${timing[replan]}, bad secret ${timing[badvar]}, destroy ${timing[destroy]}"
echo "e2e: all 6 steps passed with ${cli_version%%$'\n'*}"
