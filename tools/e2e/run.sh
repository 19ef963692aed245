#!/usr/bin/env bash
# npm run test:e2e — applies the dev environment to a real local Kubernetes API server with a real
# Terraform-compatible CLI and the exact providers the stacks pin, then re-plans, checks secret
# validation and destroys. Offline: everything comes from tools/e2e/toolchain.sh's cache.
#
# Needs ../shared/upstream/argo-cd-10.1.1/crds (the real Argo CD CRDs, this team's reference data);
# without it the test is SKIPPED with a visible message.
# Environment: E2E_TF="tofu terraform" (default: both, each against a fresh control plane),
#   E2E_KEEP=1 keeps the work dirs.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
crds="$repo/../shared/upstream/argo-cd-10.1.1/crds"
if [ ! -d "$crds" ]; then
  echo "e2e: SKIPPED — the Argo CD CRDs are not at $crds (this team's ../shared reference data)." >&2
  echo "e2e: 0 passed, 0 failed, 1 skipped"
  exit 0
fi

started=$EPOCHREALTIME
set +e
toolchain_dir=$(bash "$repo/tools/e2e/toolchain.sh")
status=$?
set -e
if [ "$status" = 3 ]; then
  echo "e2e: SKIPPED — the pinned toolchain cannot be built on this machine (see UNAVAILABLE above)." >&2
  echo "e2e: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
[ "$status" = 0 ] || exit "$status"
toolchain_seconds=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
export E2E_TOOLCHAIN_SECONDS=$toolchain_seconds E2E_CRDS_DIR=$crds E2E_REPO=$repo

passed=0 failed=0
for cli in ${E2E_TF:-tofu terraform}; do
  echo "e2e: ════ with $cli"
  # shellcheck source=/dev/null
  E2E_TF=$cli . "$toolchain_dir/env.sh"
  if bash "$repo/tools/e2e/control-plane.sh" run -- bash "$repo/tools/e2e/scenario.sh"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "e2e: ════ FAILED with $cli" >&2
  fi
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
