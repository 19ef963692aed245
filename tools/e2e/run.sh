#!/usr/bin/env bash
# npm run test:e2e — the dev environment on a real local Kubernetes control plane, offline.
#
# Providers come only from a Terraform filesystem mirror; nothing here builds a provider. To make
# one, where the registry is reachable:
#
#   npx cdktf synth
#   terraform -chdir=cdktf.out/stacks/dev-platform providers mirror <dir>
#   terraform -chdir=cdktf.out/stacks/dev-apps providers mirror <dir>
#
# then, offline:
#
#   E2E_PROVIDER_MIRROR=<dir> npm run test:e2e
#
# Steps: tools/e2e/toolchain.sh builds (cached) the control plane, and with a mirror provides the
# CLIs; tools/e2e/restore.sh runs `npm run restore`'s Kubernetes half on a control plane of its own; tools/e2e/argocd/build.sh builds (cached) Argo CD and helm;
# tools/e2e/external-secrets.sh runs External Secrets Operator's controller (built, cached, by
# tools/e2e/external-secrets/build.sh) against the rendered staging ExternalSecrets on a control
# plane of its own (E2E_ESO_ENVIRONMENT=prod for prod's); tools/e2e/keda.sh runs KEDA's operator
# (built, cached, by tools/e2e/keda/build.sh) against the rendered staging ScaledObject of Ollama
# on a control plane of its own; tools/e2e/karpenter.sh runs Karpenter's controllers with its kwok
# provider and kube-scheduler (built, cached, by tools/e2e/karpenter/build.sh) against the
# rendered staging GPU NodePool on a control plane of its own (E2E_KARPENTER_ENVIRONMENT=prod for
# prod's); a work copy of the repository
# is synthesized once: the providers and the Argo CD chart version the e2e needs come from its dev
# stacks; tools/e2e/providers.sh takes those providers from the mirror. Then, for each CLI of
# E2E_TF, on a fresh control plane, the Argo CD stage (E2E_ARGOCD_MODE=terraform) runs with
# `scenario.sh deploy` and `scenario.sh destroy` as its deploy and destroy: Terraform creates the
# platform, real Argo CD syncs it from a loopback Git server, and `cdktf destroy` cascades through
# the resources finalizer while Argo CD runs. Without a usable mirror (or without
# ../shared/upstream/argo-cd-<version>/crds, the real Argo CD CRDs the stand-in chart carries) the
# Terraform part is SKIPPED with a message saying what is missing, and the Argo CD stage runs on
# its own (E2E_ARGOCD_MODE=kubectl: it creates the synthesized objects with kubectl). Where Argo
# CD cannot be built, the stage is SKIPPED and the Terraform part runs without it.
#
# Last line: "e2e: N passed, N failed, N skipped" (one unit per CLI's Terraform part and per Argo
# CD stage run); exit 1 when anything failed, 0 otherwise (skips included).
# Environment: E2E_PROVIDER_MIRROR, E2E_TF="tofu terraform" (default: both), E2E_KEEP=1 keeps the
#   work dirs, E2E_FAULTS=0 skips the fault injection (E2E_FAULT_SEED, E2E_FAULT_RUNS: see
#   fault-injection.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
result() { printf '%s %s\n' "$1" "$2" >>"$E2E_RESULTS"; } # result passed|failed|skipped <unit>

# The Argo CD stage (tools/e2e/argocd/stage.sh, owned by the Argo CD e2e), run inside the control
# plane with E2E_ARGOCD_MODE=terraform (after the Terraform deploy and assertions, before the
# destroy: Terraform's namespaces, Secret, AppProject and Applications are live) or kubectl (no
# providers: nothing is deployed yet), E2E_WORK_DIR (a synthesized work copy: cdktf.out) and
# E2E_REPO, besides control-plane.sh's KUBECONFIG/E2E_KUBE_* and the toolchain's E2E_*_BIN.
# Its exit status: 0 passed, 3 skipped (something it needs is unavailable), else failed.
argocd_stage() {
  local stage="$repo/tools/e2e/argocd/stage.sh" rc=0 t0
  if [ ! -f "$stage" ]; then
    echo "e2e: Argo CD stage absent ($stage does not exist): not run"
    result skipped "Argo CD stage ($1)"
    return 0
  fi
  echo "e2e: ── Argo CD stage (E2E_ARGOCD_MODE=$1)"
  t0=$(now)
  E2E_ARGOCD_MODE=$1 bash "$stage" || rc=$?
  echo "argocd-stage $(secs_since "$t0")" >>"$E2E_WORK_DIR/.e2e/timing"
  case "$rc" in
    0) result passed "Argo CD stage ($1)" ;;
    3) result skipped "Argo CD stage ($1)" ;;
    *) result failed "Argo CD stage ($1)"; echo "e2e: ════ Argo CD stage FAILED (exit $rc)" >&2 ;;
  esac
}

# Inside one control plane (run.sh --inside <mode>, started by control-plane.sh).
inside() {
  echo "control-plane $E2E_CP_STARTUP_SECONDS" >>"$E2E_WORK_DIR/.e2e/timing"
  if [ "$1" = kubectl ]; then
    argocd_stage kubectl
    return 0
  fi
  local unit="Terraform part ($E2E_TF)" rc=0 t0
  if [ -n "${E2E_ARGOCD_BIN_DIR:-}" ] && [ -f "$repo/tools/e2e/argocd/stage.sh" ]; then
    # The stage deploys and destroys through the scenario, in its own work copy (it points the
    # environment at its loopback Git server first).
    echo "e2e: ── Argo CD stage with Terraform (E2E_ARGOCD_MODE=terraform)"
    t0=$(now)
    bash "$here/scenario.sh" overrides
    E2E_ARGOCD_MODE=terraform E2E_TIMING_FILE="$E2E_WORK_DIR/.e2e/timing" E2E_OVERRIDES_BASE="$E2E_WORK_DIR/.e2e/overrides.json" \
      E2E_ARGOCD_DEPLOY="E2E_WORK_DIR=\$PWD bash '$here/scenario.sh' deploy" \
      E2E_ARGOCD_DESTROY="E2E_WORK_DIR=\$PWD E2E_ARGOCD_RUNNING=1 bash '$here/scenario.sh' destroy" \
      bash "$repo/tools/e2e/argocd/stage.sh" || rc=$?
    echo "argocd-stage $(secs_since "$t0")" >>"$E2E_WORK_DIR/.e2e/timing"
    case "$rc" in
      0) result passed "$unit"; result passed "Argo CD stage (terraform)"; return 0 ;;
      3) result skipped "Argo CD stage (terraform): unavailable here; the Terraform part runs without it" ;;
      *) result failed "$unit with the Argo CD stage"; echo "e2e: ════ FAILED with $E2E_TF and Argo CD (exit $rc)" >&2; return 0 ;;
    esac
  fi
  if ! bash "$here/scenario.sh" deploy; then
    result failed "$unit"
    return 0
  fi
  if bash "$here/scenario.sh" destroy; then result passed "$unit"; else result failed "$unit"; fi
}
if [ "${1:-}" = --inside ]; then
  inside "$2"
  exit 0
fi

started=$(now)
E2E_RESULTS=$(mktemp "${TMPDIR:-/tmp}/e2e-results.XXXXXX")
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/e2e-run.XXXXXX")
cleanup() {
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e: work dirs kept in $run_dir"; else rm -rf "$run_dir"; fi
  rm -f "$E2E_RESULTS"
}
trap cleanup EXIT
export E2E_RESULTS E2E_REPO=$repo E2E_ESO_ENVIRONMENT=${E2E_ESO_ENVIRONMENT:-staging} E2E_KEDA_ENVIRONMENT=${E2E_KEDA_ENVIRONMENT:-staging} E2E_KARPENTER_ENVIRONMENT=${E2E_KARPENTER_ENVIRONMENT:-staging}
clis=${E2E_TF:-tofu terraform}

count() { grep -c "^$1 " "$E2E_RESULTS" || true; }
summary() {
  grep -v '^passed ' "$E2E_RESULTS" | sed 's/^/e2e:    /' || true
  echo "e2e: $(count passed) passed, $(count failed) failed, $(count skipped) skipped"
  [ "$(count failed)" = 0 ]
}
skip_terraform() { # skip_terraform <why>: every CLI's Terraform part is skipped
  local cli
  echo "e2e: SKIPPED the Terraform part: $1" >&2
  for cli in $clis; do result skipped "Terraform part ($cli)"; result skipped "fault injection ($cli)"; done
}

set +e
toolchain_dir=$(E2E_PROVIDER_MIRROR='' bash "$here/toolchain.sh")
status=$?
set -e
toolchain_seconds=$(secs_since "$started")
if [ "$status" = 3 ]; then
  echo "e2e: SKIPPED — the pinned control plane cannot be built on this machine (see UNAVAILABLE above)." >&2
  skip_terraform "no control plane"
  result skipped "Argo CD stage: no control plane"
  summary
  exit
fi
[ "$status" = 0 ] || exit "$status"

# `npm run restore`'s Kubernetes half on its own control plane (tools/e2e/restore.sh).
rc=0
(
  # shellcheck source=/dev/null
  E2E_TF=tofu . "$toolchain_dir/env.sh"
  bash "$here/control-plane.sh" run -- bash "$here/restore.sh"
) || rc=$?
case "$rc" in
  0) result passed "restore (Kubernetes half)" ;;
  3) result skipped "restore (Kubernetes half): Argo CD's Application CRD is not in ../shared/upstream" ;;
  *) result failed "restore (Kubernetes half)"; echo "e2e: ════ restore step FAILED (exit $rc)" >&2 ;;
esac

# Argo CD and helm for the stage, built (cached) before any control plane starts.
if [ -f "$repo/tools/e2e/argocd/build.sh" ]; then
  set +e
  argocd_dir=$(bash "$repo/tools/e2e/argocd/build.sh")
  status=$?
  set -e
  if [ "$status" = 0 ]; then
    # shellcheck source=/dev/null
    . "$argocd_dir/env.sh"
  elif [ "$status" = 3 ]; then
    echo "e2e: Argo CD cannot be built on this machine (see UNAVAILABLE above): the Argo CD stage is skipped" >&2
  else
    exit "$status"
  fi
  toolchain_seconds=$(secs_since "$started")
fi

# controller_step <unit> <step name> <build script> <step script> <what cannot be built> <what a
# skip lacks>: a controller built (cached) by its own script, then its step on a control plane of
# its own with the build's and the toolchain's env.sh sourced; build exit 3 or step exit 3: skipped.
controller_step() {
  local unit=$1 name=$2 build=$3 step=$4 unbuildable=$5 missing=$6 dir status rc=0 t0
  set +e
  dir=$(bash "$here/$build")
  status=$?
  set -e
  if [ "$status" = 3 ]; then
    result skipped "$unit: $unbuildable cannot be built on this machine (see UNAVAILABLE above)"
    return 0
  elif [ "$status" != 0 ]; then
    result failed "$unit: its build failed (exit $status)"
    return 0
  fi
  t0=$(now)
  (
    # shellcheck source=/dev/null
    . "$dir/env.sh"
    # shellcheck source=/dev/null
    E2E_TF=tofu . "$toolchain_dir/env.sh"
    bash "$here/control-plane.sh" run -- bash "$here/$step"
  ) || rc=$?
  echo "e2e: $name step took $(secs_since "$t0") s"
  case "$rc" in
    0) result passed "$unit" ;;
    3) result skipped "$unit: something it needs is missing (see SKIPPED above: $missing)" ;;
    *) result failed "$unit"; echo "e2e: ════ $name step FAILED (exit $rc)" >&2 ;;
  esac
}

# External Secrets Operator's controller (built, cached, with only its fake provider) against the
# rendered staging ExternalSecrets (tools/e2e/external-secrets.sh). The steps render with the helm
# of the Argo CD build (else RENDER_HELM or helm on the PATH).
controller_step "External Secrets ($E2E_ESO_ENVIRONMENT: ESO's controller, fake provider)" "External Secrets" \
  external-secrets/build.sh external-secrets.sh "External Secrets Operator" "helm, the binary or ESO's CRDs"
# KEDA's operator (built, cached, with only the cron and prometheus scalers) scaling the rendered
# staging Deployment of Ollama 1 -> 0 -> 1 (tools/e2e/keda.sh).
controller_step "KEDA ($E2E_KEDA_ENVIRONMENT: Ollama's scale to zero, KEDA's operator)" KEDA \
  keda/build.sh keda.sh "KEDA's operator" "helm, openssl, the binary or KEDA's CRDs"
# Karpenter's controllers with its kwok provider and kube-scheduler (built, cached) against the
# rendered staging GPU NodePool (tools/e2e/karpenter.sh).
controller_step "Karpenter ($E2E_KARPENTER_ENVIRONMENT GPU NodePool: kwok provider, kube-scheduler)" Karpenter \
  karpenter/build.sh karpenter.sh "Karpenter or kube-scheduler" "helm, the binaries or Karpenter's CRDs"

# A synthesized work copy that shares node_modules; each run gets a copy of it.
base="$run_dir/base"
mkdir -p "$base"
tar -C "$repo" --exclude=./node_modules --exclude=./cdktf.out --exclude='./terraform.*.tfstate*' --exclude=./.git -cf - . | tar -C "$base" -xf -
ln -s "$repo/node_modules" "$base/node_modules"
t0=$(now)
(cd "$base" && CI=1 FORCE_COLOR=0 npx cdktf synth >"$run_dir/synth.log" 2>&1) || { cat "$run_dir/synth.log"; echo "e2e: FAIL: cdktf synth" >&2; exit 1; }
synth_seconds=$(secs_since "$t0")
facts() { node "$repo/tools/run-ts.js" "$here/synth.ts" "$1" "$base/cdktf.out" "${@:2}"; }
mapfile -t providers < <(facts providers)
chart_version=$(facts argocd-chart-version)
crds="$repo/../shared/upstream/argo-cd-$chart_version/crds"
echo "e2e: the dev stacks need ${providers[*]}; Argo CD chart $chart_version"
new_work() { # new_work <name>: a fresh copy of the synthesized base
  E2E_WORK_DIR="$run_dir/$1"
  cp -a "$base" "$E2E_WORK_DIR"
  mkdir -p "$E2E_WORK_DIR/.e2e"
  export E2E_WORK_DIR
}
timing_line() { # timing_line <label>: this run's phases, in the order they ran
  echo "e2e: timing (s) $1: toolchain $toolchain_seconds, synth $synth_seconds, $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' "$E2E_WORK_DIR/.e2e/timing")"
}

terraform_ready=0
if [ -z "${E2E_PROVIDER_MIRROR:-}" ]; then
  skip_terraform "no provider mirror (E2E_PROVIDER_MIRROR is not set). It needs ${providers[*]} for $(uname -sm); make one where the registry is reachable with \`terraform -chdir=cdktf.out/stacks/dev-platform providers mirror <dir>\` (and dev-apps), then run E2E_PROVIDER_MIRROR=<dir> npm run test:e2e."
elif ! bash "$here/providers.sh" "$E2E_PROVIDER_MIRROR" "$run_dir/providers" "${providers[@]}"; then
  skip_terraform "the provider mirror $E2E_PROVIDER_MIRROR lacks what is listed as MISSING above (or is unusable); add it with \`terraform -chdir=cdktf.out/stacks/<stack> providers mirror $E2E_PROVIDER_MIRROR\`."
elif [ ! -d "$crds" ]; then
  skip_terraform "the Argo CD $chart_version CRDs are not at $crds (this team's ../shared reference data)."
else
  t0=$(now)
  set +e
  toolchain_dir=$(bash "$here/toolchain.sh")
  status=$?
  set -e
  toolchain_seconds=$(awk -v a="$toolchain_seconds" -v b="$(secs_since "$t0")" 'BEGIN { printf "%.1f", a + b }')
  if [ "$status" = 3 ]; then
    skip_terraform "a pinned CLI cannot be built on this machine (see UNAVAILABLE above)."
  elif [ "$status" != 0 ]; then
    exit "$status"
  else
    terraform_ready=1
  fi
fi

if [ "$terraform_ready" = 1 ]; then
  export TF_CLI_CONFIG_FILE="$run_dir/providers/tf.rc" E2E_TF_MIRROR_DIR="$run_dir/providers/mirror"
  export E2E_PROVIDERS="${providers[*]}" E2E_CRDS_DIR=$crds
  for cli in $clis; do
    echo "e2e: ════ Terraform part with $cli"
    # shellcheck source=/dev/null
    E2E_TF=$cli . "$toolchain_dir/env.sh"
    if [ -z "${E2E_TF_BIN:-}" ] && [ "$cli" = terraform ]; then
      result skipped "Terraform part (terraform): no Terraform >= 1.11 on the PATH (write-only arguments; not built here)"
      result skipped "fault injection (terraform): no Terraform >= 1.11 on the PATH"
      continue
    fi
    [ -n "${E2E_TF_BIN:-}" ] || { echo "e2e: FAIL: the toolchain provided no $cli" >&2; exit 1; }
    new_work "$cli"
    if ! E2E_TF=$cli bash "$here/control-plane.sh" run -- bash "$here/run.sh" --inside terraform; then
      grep -q "Terraform part ($cli)" "$E2E_RESULTS" || result failed "Terraform part ($cli): the control plane failed"
    fi
    timing_line "with $cli"
    # Interrupted deploys and destroys, on a fresh control plane (tools/e2e/fault-injection.sh).
    if [ "${E2E_FAULTS:-1}" = 1 ]; then
      new_work "$cli-faults"
      if E2E_TF=$cli bash "$here/control-plane.sh" run -- bash "$here/fault-injection.sh"; then result passed "fault injection ($cli)"; else result failed "fault injection ($cli)"; fi
    else
      result skipped "fault injection ($cli): E2E_FAULTS=0"
    fi
  done
elif [ -n "${E2E_ARGOCD_BIN_DIR:-}" ] && [ -f "$repo/tools/e2e/argocd/stage.sh" ]; then
  echo "e2e: ════ Argo CD stage on its own"
  # shellcheck source=/dev/null
  E2E_TF=tofu . "$toolchain_dir/env.sh"
  new_work kubectl
  bash "$here/control-plane.sh" run -- bash "$here/run.sh" --inside kubectl ||
    grep -q "Argo CD stage (kubectl)" "$E2E_RESULTS" || result failed "Argo CD stage (kubectl): the control plane failed"
  timing_line "Argo CD stage"
else
  result skipped "Argo CD stage: Argo CD is not available here"
fi
summary
