#!/usr/bin/env bash
# tools/e2e/external-secrets/build.sh - build External Secrets Operator's controller for the e2e
# step tools/e2e/external-secrets.sh.
#
# Builds, from the Go module proxy and into a cache outside the repo, External Secrets Operator's
# own main package (github.com/external-secrets/external-secrets, the `external-secrets` binary
# of its image) with only its `fake` provider linked. v0.16 has no provider build tags, and its
# controllers themselves blank-import pkg/provider/register and pkg/generator/register (every
# cloud SDK); Go refuses overlays of files in the module cache. So the wrapper module replaces the
# module with a copy of its verified source in which exactly those two registration lists are
# rewritten: providers = fake, generators = none. The copy is checked to differ from the module
# in those two files only; everything that reconciles (controllers, templating, the fake
# provider) is upstream's code unchanged.
# Idempotent: a warm run only checks the stamp. Progress goes to stderr; the only stdout line is
# the dir, which holds env.sh (E2E_ESO_BIN, E2E_ESO_VERSION, E2E_ESO_SOURCE: the module's source
# in the module cache, whose config/crds/bases the step installs).
#
# Environment:
#   GITOPS_LLM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                     the binary in <root>/external-secrets/<key>, Go's caches shared with
#                     toolchain.sh in <root>/toolchain/go/{mod,build}.
# Exit status: 0 ready; 3 a pinned module is unavailable from the proxy (say UNAVAILABLE; the
# caller skips visibly); anything else is a failure.
# Options: --print-env, --quiet, -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE) changes the cache key.
RECIPE=1
# The source tree of contracts/versions.ts's EXTERNAL_SECRETS_CHART: chart 0.16.1 sits at the
# v0.16.2 tag (deploy/charts/external-secrets), so its CRDs are this tree's config/crds/bases. The
# chart's appVersion (the image it deploys) is v0.16.1; v0.16.2 differs from it, in what this
# step runs (the ExternalSecret and SecretStore controllers, templating, the fake provider), only
# in ignored Close() errors and md5 -> sha3 of ObjectHash (change detection, not results).
ESO_VERSION=v0.16.2
ESO_MODULE=github.com/external-secrets/external-secrets
WRAPPER_MODULE=gitops-llm-platform.e2e/external-secrets
# The registration lists the wrapper rewrites (module-relative) and what they keep.
PROVIDER_REGISTER=pkg/provider/register/register.go
GENERATOR_REGISTER=pkg/generator/register/register.go

LOG_PREFIX=external-secrets-build
# shellcheck source-path=SCRIPTDIR source=../build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
parse_build_args "$@"

require_go
open_build_dir external-secrets "$GO_MINOR-eso${ESO_VERSION#v}-fake-r$RECIPE"
WRAPPER="$DIR/wrapper"

build_eso() {
  local src changed
  src=$(module_field "$ESO_MODULE@$ESO_VERSION" Dir) || return $?
  rm -rf "$WRAPPER"
  mkdir -p "$WRAPPER"
  cp -r "$src" "$WRAPPER/eso"
  chmod -R u+w "$WRAPPER/eso"
  cat >"$WRAPPER/eso/$PROVIDER_REGISTER" <<'GO'
// Package register links the providers of this build: only the fake provider.
package register

import _ "github.com/external-secrets/external-secrets/pkg/provider/fake"
GO
  cat >"$WRAPPER/eso/$GENERATOR_REGISTER" <<'GO'
// Package register links the generators of this build: none.
package register
GO
  changed=$({ diff -rq "$src" "$WRAPPER/eso" || true; } | sed "s|^Files $src/\([^ ]*\) and .* differ$|\1|" | sort | tr '\n' ' ')
  [ "$changed" = "$GENERATOR_REGISTER $PROVIDER_REGISTER " ] ||
    { echo "the copy of $ESO_MODULE must differ in the two registration lists only; differs in: $changed" >&2; return 1; }
  {
    echo "module $WRAPPER_MODULE"
    echo
    echo "go $(go_line "$src/go.mod")"
    echo
    inherited_directives "$src/go.mod"
    echo "replace $ESO_MODULE => ./eso"
    echo
    echo "require $ESO_MODULE $ESO_VERSION"
  } >"$WRAPPER/go.mod"
  cat "$WRAPPER/go.mod"
  cd "$WRAPPER"
  go_build_bin external-secrets "$ESO_MODULE" -ldflags "-s -w" || return $?
  # The binary starts (cobra's help of the controller command).
  "$BIN/external-secrets" --help | grep -q -- '--enable-cluster-store-reconciler'
}

step external-secrets "external-secrets $ESO_VERSION (fake provider)" build_eso "$BIN/external-secrets"

# The CRDs come from the module as the proxy serves it, not from the copy.
src=$(module_field "$ESO_MODULE@$ESO_VERSION" Dir) || exit $?
write_env_sh <<ENV
# Written by tools/e2e/external-secrets/build.sh ($KEY). Source it.
export E2E_ESO_DIR='$DIR'
export E2E_ESO_BIN="\$E2E_ESO_DIR/bin/external-secrets"
export E2E_ESO_SOURCE='$src'
export E2E_ESO_VERSION='$ESO_VERSION'
ENV

finish_build
