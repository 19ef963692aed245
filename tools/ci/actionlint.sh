#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint, built from the Go module proxy at a pinned version
# into the cache outside the repository (built once, then reused).
set -euo pipefail
ACTIONLINT_VERSION=v1.7.12
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="${GITOPS_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform}/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$cache/actionlint" ]; then
  command -v go >/dev/null || { echo "actionlint: go is required to build actionlint $ACTIONLINT_VERSION" >&2; exit 1; }
  echo "actionlint: building $ACTIONLINT_VERSION into $cache" >&2
  GOBIN="$cache" GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
cd "$repo"
# shellcheck is optional for actionlint; without it the run: scripts are not shellchecked.
"$cache/actionlint" -no-color .github/workflows/*.yml
echo "actionlint: .github/workflows clean"
