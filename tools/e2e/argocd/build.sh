#!/usr/bin/env bash
# tools/e2e/argocd/build.sh - build real Argo CD and helm for the GitOps e2e stage.
#
# Builds, from the Go module proxy and into a cache outside the repo, whatever is missing of:
#   one Argo CD binary (github.com/argoproj/argo-cd/v3/cmd, which dispatches on argv[0]) installed
#   as argocd-application-controller, argocd-repo-server, argocd-git-ask-pass and argocd;
#   helm (helm.sh/helm/v3/cmd/helm), kept at <dir>/bin/helm so other tools can reuse it.
# Idempotent: a warm run only checks the stamps. Progress goes to stderr; the only stdout line is
# the dir, which holds env.sh:
#
#   source "$(tools/e2e/argocd/build.sh)/env.sh"     # or: eval "$(tools/e2e/argocd/build.sh --print-env)"
#
# env.sh exports E2E_ARGOCD_DIR, E2E_ARGOCD_BIN_DIR, E2E_ARGOCD_BIN, E2E_HELM_BIN and the versions.
#
# Environment:
#   GITOPS_LLM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                     binaries in <root>/argocd/<key>, Go's caches shared with toolchain.sh in
#                     <root>/toolchain/go/{mod,build}.
# Exit status: 0 ready; 3 a pinned module is unavailable from the proxy (say UNAVAILABLE; the
# caller skips visibly); anything else is a failure.
# Options: --print-env, --quiet, -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE) changes the cache key.
RECIPE=2
# v3.2.x is the newest Argo CD line whose module graph the proxy resolves: from v3.3 on, go.mod
# replaces gitops-engine with the in-repo ./gitops-engine (v3.4: the nested module
# github.com/argoproj/argo-cd/gitops-engine, not on the proxy), which a wrapper module cannot use,
# and substituting the separate gitops-engine repo's pseudo-version would build mismatched code.
# v3.2.11, not v3.2.12: the v3.2.12 module does not compile (controller/cache/info.go calls
# settings.ValidateExternalURL, which its util/settings does not define).
ARGOCD_VERSION=v3.2.11
HELM_VERSION=v3.22.0          # newest helm v3 on the proxy when pinned
ARGOCD_MODULE=github.com/argoproj/argo-cd/v3
HELM_MODULE=helm.sh/helm/v3
WRAPPER_MODULE_PREFIX=gitops-llm-platform.e2e/argocd
ARGOCD_NAMES=(argocd-application-controller argocd-repo-server argocd-git-ask-pass argocd)

LOG_PREFIX=argocd-build
# shellcheck source-path=SCRIPTDIR source=../build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
parse_build_args "$@"

require_go
open_build_dir argocd "$GO_MINOR-argocd${ARGOCD_VERSION#v}-helm${HELM_VERSION#v}-r$RECIPE"

build_argocd() {
  local m=$ARGOCD_MODULE ldflags date
  write_wrapper argocd "$m" "$ARGOCD_VERSION"
  cd "$DIR/wrappers/argocd"
  ldflags="-s -w -X $m/common.version=${ARGOCD_VERSION#v} -X $m/common.gitTag=$ARGOCD_VERSION"
  # The release date as build date (reproducible). The proxy serves no origin commit for this
  # module, so `argocd version` shows v3.2.11+unknown.
  date=$(go list -mod=mod -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$m@$ARGOCD_VERSION")
  ldflags+=" -X $m/common.gitTreeState=clean -X $m/common.buildDate=$date"
  go_build_bin argocd-bin "$m/cmd" -ldflags "$ldflags"
  local name
  for name in "${ARGOCD_NAMES[@]}"; do ln -sfn argocd-bin "$BIN/$name"; done
  "$BIN/argocd" version --client --short | tee /dev/stderr | grep -q "^argocd: $ARGOCD_VERSION"
}

build_helm() {
  write_wrapper helm "$HELM_MODULE" "$HELM_VERSION"
  cd "$DIR/wrappers/helm"
  go_build_bin helm "$HELM_MODULE/cmd/helm" -ldflags "-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION"
  "$BIN/helm" version --short | tee /dev/stderr | grep -q "^$HELM_VERSION"
}

step helm "helm $HELM_VERSION" build_helm "$BIN/helm"
step argocd "argo-cd $ARGOCD_VERSION" build_argocd "$BIN/argocd-bin" \
  "${ARGOCD_NAMES[@]/#/$BIN/}"

write_env_sh <<ENV
# Written by tools/e2e/argocd/build.sh ($KEY). Source it.
export E2E_ARGOCD_DIR='$DIR'
export E2E_ARGOCD_BIN_DIR="\$E2E_ARGOCD_DIR/bin"
export E2E_ARGOCD_BIN="\$E2E_ARGOCD_BIN_DIR/argocd-bin"
export E2E_HELM_BIN="\$E2E_ARGOCD_BIN_DIR/helm"
export E2E_ARGOCD_VERSION='$ARGOCD_VERSION' E2E_HELM_VERSION='$HELM_VERSION'
ENV

finish_build
