#!/usr/bin/env bash
# The e2e step of `npm run restore`'s Kubernetes half (tools/e2e/restore-kube.ts): run inside
# tools/e2e/control-plane.sh, which exports KUBECONFIG, E2E_KUBE_CONTEXT and the toolchain's
# E2E_KUBECTL_BIN. Argo CD's Application CRD comes from E2E_CRDS_DIR when set, else from
# ../shared/upstream (the chart version pinned in contracts/versions.ts). Exit status: 0 passed,
# 3 skipped, else failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(sed -n "/ARGOCD_CHART/,/version:/s/.*version: '\([^']*\)'.*/\1/p" "$repo/contracts/versions.ts")
exec node "$repo/tools/run-ts.js" "$here/restore-kube.ts" "${E2E_CRDS_DIR:-$repo/../shared/upstream/argo-cd-$version/crds}"
