#!/usr/bin/env bash
# The e2e step of the ExternalSecrets that staging and prod carry (tools/e2e/external-secrets.ts):
# External Secrets Operator's controller with its fake provider against the rendered staging
# ExternalSecrets. Run inside tools/e2e/control-plane.sh, which exports KUBECONFIG,
# E2E_KUBE_CONTEXT, E2E_CP_DIR and the toolchain's E2E_KUBECTL_BIN, with
# tools/e2e/external-secrets/build.sh's env.sh sourced (E2E_ESO_BIN, E2E_ESO_SOURCE) and helm in
# E2E_HELM_BIN (tools/e2e/argocd/build.sh), else RENDER_HELM, else on the PATH. Exit status:
# 0 passed, 3 skipped, else failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
helm=${E2E_HELM_BIN:-${RENDER_HELM:-$(command -v helm || true)}}
exec node "$repo/tools/run-ts.js" "$here/external-secrets.ts" "${E2E_ESO_BIN:-}" "${E2E_ESO_SOURCE:-}" "$helm" "${E2E_ESO_ENVIRONMENT:-staging}"
