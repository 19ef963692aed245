#!/usr/bin/env bash
# The e2e step of Ollama's scale to zero (tools/e2e/keda.ts): KEDA's own operator, with the cron
# and prometheus scalers, against the rendered staging ScaledObject. Run inside
# tools/e2e/control-plane.sh, which exports KUBECONFIG, E2E_KUBE_CONTEXT, E2E_CP_DIR and the
# toolchain's E2E_KUBECTL_BIN, with tools/e2e/keda/build.sh's env.sh sourced (E2E_KEDA_BIN,
# E2E_KEDA_SOURCE, E2E_KEDA_SCALERS) and helm in E2E_HELM_BIN (tools/e2e/argocd/build.sh), else
# RENDER_HELM, else on the PATH. Exit status: 0 passed, 3 skipped, else failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
helm=${E2E_HELM_BIN:-${RENDER_HELM:-$(command -v helm || true)}}
command -v openssl >/dev/null || { echo "keda: SKIPPED — openssl is required (the operator's throw-away certificate)"; exit 3; }
exec node "$repo/tools/run-ts.js" "$here/keda.ts" "${E2E_KEDA_BIN:-}" "${E2E_KEDA_SOURCE:-}" "$helm" "${E2E_KEDA_ENVIRONMENT:-staging}"
