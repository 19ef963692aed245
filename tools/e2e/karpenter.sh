#!/usr/bin/env bash
# The e2e step of the GPU NodePool staging and prod carry (tools/e2e/karpenter.ts): Karpenter's
# controllers with its kwok provider and kube-scheduler against the rendered staging NodePool.
# Run inside tools/e2e/control-plane.sh, which exports KUBECONFIG, E2E_KUBE_CONTEXT, E2E_CP_DIR
# and the toolchain's E2E_KUBECTL_BIN, with tools/e2e/karpenter/build.sh's env.sh sourced
# (E2E_KARPENTER_BIN, E2E_KUBE_SCHEDULER_BIN, E2E_KARPENTER_SOURCE) and helm in E2E_HELM_BIN
# (tools/e2e/argocd/build.sh), else RENDER_HELM, else on the PATH. Exit status: 0 passed,
# 3 skipped, else failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
helm=${E2E_HELM_BIN:-${RENDER_HELM:-$(command -v helm || true)}}
exec node "$repo/tools/run-ts.js" "$here/karpenter.ts" "${E2E_KARPENTER_BIN:-}" "${E2E_KUBE_SCHEDULER_BIN:-}" "${E2E_KARPENTER_SOURCE:-}" "$helm" "${E2E_KARPENTER_ENVIRONMENT:-staging}"
