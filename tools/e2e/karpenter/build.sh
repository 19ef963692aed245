#!/usr/bin/env bash
# tools/e2e/karpenter/build.sh - build Karpenter's kwok provider and kube-scheduler for the e2e
# step tools/e2e/karpenter.sh.
#
# Builds, from the Go module proxy and into a cache outside the repo:
#   karpenter-kwok: Karpenter's own main package of its kwok cloud provider
#     (sigs.k8s.io/karpenter/kwok, the core controllers with a provider that creates Node objects
#     instead of instances), unchanged, through a wrapper module that requires the module;
#   kube-scheduler: at the toolchain's Kubernetes version (K8S_VERSION of tools/e2e/toolchain.sh,
#     read from that file), through a wrapper module built the way toolchain.sh builds
#     kube-apiserver, so Go's shared build cache reuses its packages. Karpenter provisions only for
#     pods the scheduler marked Unschedulable, and the scheduler binds them once a node fits.
# Both live in this script's own cache dir: the toolchain's cache key does not change.
# Idempotent: a warm run only checks the stamps. Progress goes to stderr; the only stdout line is
# the dir, which holds env.sh (E2E_KARPENTER_BIN, E2E_KUBE_SCHEDULER_BIN, E2E_KARPENTER_VERSION,
# E2E_KARPENTER_SOURCE: the module's source in the module cache, whose pkg/apis/crds and
# kwok/apis/crds the step installs).
#
# Environment:
#   GITOPS_LLM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                     the binaries in <root>/karpenter/<key>, Go's caches shared with
#                     toolchain.sh in <root>/toolchain/go/{mod,build}.
# Exit status: 0 ready; 3 a pinned module is unavailable from the proxy (say UNAVAILABLE; the
# caller skips visibly); anything else is a failure.
# Options: --print-env, --quiet, -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE, or the toolchain's K8S_VERSION) changes the cache key.
RECIPE=1
# The core of contracts/versions.ts's KARPENTER_CHART (aws/karpenter-provider-aws v1.14.1 builds
# on sigs.k8s.io/karpenter v1.14.1): the same NodePool/NodeClaim API, provisioner, limits and
# disruption controllers; only the cloud provider differs.
KARPENTER_VERSION=v1.14.1
KARPENTER_MODULE=sigs.k8s.io/karpenter
K8S_MODULE=k8s.io/kubernetes
WRAPPER_MODULE_PREFIX=gitops-llm-platform.e2e/karpenter

LOG_PREFIX=karpenter-build
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../build-lib.sh
. "$here/../build-lib.sh"
parse_build_args "$@"

# The control plane's Kubernetes version: the scheduler matches the kube-apiserver it talks to.
K8S_VERSION=$(sed -n 's/^K8S_VERSION=\(v[0-9][0-9.]*\).*/\1/p' "$here/../toolchain.sh")
[ -n "$K8S_VERSION" ] || die "no K8S_VERSION=v… line in $here/../toolchain.sh"

require_go
open_build_dir karpenter "$GO_MINOR-karpenter${KARPENTER_VERSION#v}-k8s${K8S_VERSION#v}-r$RECIPE"

build_karpenter() {
  write_wrapper karpenter "$KARPENTER_MODULE" "$KARPENTER_VERSION" || return $?
  cd "$DIR/wrappers/karpenter"
  go_build_bin karpenter-kwok "$KARPENTER_MODULE/kwok" -ldflags "-s -w -X $KARPENTER_MODULE/pkg/operator.Version=$KARPENTER_VERSION" || return $?
  # The binary starts and has the kwok provider's flag (Go's flag package prints usage on -h).
  "$BIN/karpenter-kwok" -h 2>&1 | grep -q -- '-instance-types-file-path'
}

# toolchain.sh's wrapper module (build-lib.sh's k8s_wrapper_gomod): the module graph, and with it
# Go's build cache, is the one kube-apiserver was built with.
build_kube_scheduler() {
  local w="$DIR/wrappers/kubernetes" up hash date
  up=$(module_field "$K8S_MODULE@$K8S_VERSION" GoMod) || return $?
  mkdir -p "$w"
  k8s_wrapper_gomod "$K8S_VERSION" "$up" >"$w/go.mod"
  cat "$w/go.mod"
  hash=$(module_field "$K8S_MODULE@$K8S_VERSION" Hash 2>/dev/null || true)
  date=$(go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$K8S_MODULE@$K8S_VERSION")
  cd "$w"
  go_build_bin kube-scheduler "$K8S_MODULE/cmd/kube-scheduler" -ldflags "$(k8s_version_ldflags "$K8S_VERSION" "$hash" "$date")" || return $?
  "$BIN/kube-scheduler" --version | tee /dev/stderr | grep -qxF "Kubernetes $K8S_VERSION"
}

step karpenter-kwok "karpenter $KARPENTER_VERSION (kwok provider)" build_karpenter "$BIN/karpenter-kwok"
step kube-scheduler "kube-scheduler $K8S_VERSION" build_kube_scheduler "$BIN/kube-scheduler"

# The CRDs come from the module as the proxy serves it.
src=$(module_field "$KARPENTER_MODULE@$KARPENTER_VERSION" Dir) || exit $?
write_env_sh <<ENV
# Written by tools/e2e/karpenter/build.sh ($KEY). Source it.
export E2E_KARPENTER_DIR='$DIR'
export E2E_KARPENTER_BIN="\$E2E_KARPENTER_DIR/bin/karpenter-kwok"
export E2E_KUBE_SCHEDULER_BIN="\$E2E_KARPENTER_DIR/bin/kube-scheduler"
export E2E_KARPENTER_SOURCE='$src'
export E2E_KARPENTER_VERSION='$KARPENTER_VERSION'
ENV

finish_build
