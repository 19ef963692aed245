#!/usr/bin/env bash
# tools/e2e/toolchain.sh - the pinned binaries of the real-toolchain e2e test.
#
# Always builds (cached), from the Go module proxy into a cache outside the repo: kube-apiserver,
# kube-controller-manager and kubectl; etcd. With E2E_PROVIDER_MIRROR set it also provides the
# Terraform-compatible CLIs named by E2E_TF (default "tofu terraform"): one already on the PATH
# when its version fits (Terraform >= 1.11, OpenTofu >= 1.11: write-only arguments), otherwise
# OpenTofu v1.12.6 is built; Terraform >= 1.11 (BUSL) is not built here: without one on the PATH
# the Terraform part runs with OpenTofu only. Without a provider mirror the CLIs would be of
# no use here, so they are not built. Providers are never built: they come from the mirror
# (see tools/e2e/providers.sh).
# Idempotent: a warm run only checks what is there. Progress and timings go to stderr; the last
# (only) stdout line is the toolchain dir, which holds env.sh:
#
#   source "$(tools/e2e/toolchain.sh)/env.sh"      # or: eval "$(tools/e2e/toolchain.sh --print-env)"
#
# env.sh puts <dir>/bin first on PATH and exports E2E_*_BIN for every binary, E2E_TOFU_BIN and
# E2E_TERRAFORM_BIN for the CLIs provided by this run, and E2E_TF_BIN/TERRAFORM_BINARY_NAME for
# the CLI chosen by E2E_TF=tofu|terraform when it was provided.
#
# Environment:
#   GITOPS_LLM_CACHE      cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                         the toolchain lives in <root>/toolchain/<key>, Go's module and build
#                         caches in <root>/toolchain/go/{mod,build} (shared by all keys).
#   E2E_PROVIDER_MIRROR   when set (non-empty), also provide the CLIs.
#   E2E_TF                which CLIs to provide (default "tofu terraform").
# Exit status: 0 ready; 3 a pinned source is unavailable here (the Go module proxy does not serve
# it: nothing is wrong with the script or the project, the e2e skips visibly); anything else is
# a failure.
# Options: --print-env (print env.sh instead of the dir), --quiet (no progress),
#   --prune (after building/checking: delete the Go module and build caches and the toolchain
#   dirs of other keys, which a cold build leaves at ~10 GB; a later version bump then downloads
#   and compiles everything again), -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE) changes the cache key, so the next run builds afresh.
RECIPE=2                      # bump when the build recipe below changes in a way that matters
TOFU_VERSION=v1.12.6          # github.com/opentofu/opentofu, built when no fitting tofu is on PATH
TOFU_MIN=1.11.0               # oldest OpenTofu on the PATH that is used as is (write-only arguments)
TERRAFORM_MIN=1.11.0          # oldest Terraform on the PATH that is used (write-only arguments); never built
K8S_VERSION=v1.36.3           # k8s.io/kubernetes; staging modules are used at v0.<minor>.<patch>
ETCD_VERSION=v3.5.35          # go.etcd.io/etcd/server/v3
WRAPPER_MODULE_PREFIX=gitops-llm-platform.e2e/toolchain

# ---------------------------------------------------------------------------------------------
PRINT_ENV=0
QUIET=0
PRUNE=0
for arg in "$@"; do
  case "$arg" in
    --print-env) PRINT_ENV=1 ;;
    --quiet) QUIET=1 ;;
    --prune) PRUNE=1 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "toolchain.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

LOG_PREFIX=toolchain
# shellcheck source-path=SCRIPTDIR source=build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-lib.sh"

command -v go >/dev/null || die "go is required (Go >= 1.26)"
GO_VERSION=$(go env GOVERSION)
GO_MINOR=$(grep -Eo '^go1\.[0-9]+' <<<"$GO_VERSION") || die "cannot parse Go version '$GO_VERSION'"
[ "${GO_MINOR#go1.}" -ge 26 ] || die "Go >= 1.26 is required, found $GO_VERSION"

ROOT="${GITOPS_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform}/toolchain"
SPEC="recipe=$RECIPE $GO_MINOR tofu=$TOFU_VERSION k8s=$K8S_VERSION etcd=$ETCD_VERSION"
KEY="$GO_MINOR-k8s${K8S_VERSION#v}-etcd${ETCD_VERSION#v}-tofu${TOFU_VERSION#v}-$(printf '%s' "$SPEC" | sha256sum | cut -c1-8)"
DIR="$ROOT/$KEY"
BIN="$DIR/bin"
mkdir -p "$BIN" "$DIR/stamps" "$DIR/logs" "$DIR/wrappers"

# One build at a time per key.
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "another toolchain.sh holds $DIR/.lock; waiting"
  flock 9
fi

use_go_caches "$ROOT/go"

T_TOTAL=$(now)
say "toolchain dir: $DIR"

# ---------------------------------------------------------------------------------------------
# need_module <module@version>: exit 3 (UNAVAILABLE) when the proxy does not serve it. Runs inside
# step's `set -e` subshell, so the status ends the builder.
need_module() {
  go mod download "$1" && return 0
  echo "SOURCE UNAVAILABLE: the Go module proxy ($(go env GOPROXY)) does not serve $1" >&2
  return 3
}
gomod_of() { go list -m -f '{{.GoMod}}' "$1"; }
origin_hash() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n 1; }
commit_time() { go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$1"; }

# install_bin <tmp file> <final path>: atomic replace
install_bin() { chmod 0755 "$1"; mv -f "$1" "$2"; }

expect_line() { # expect_line <exact output line> <command...>: check a built binary's version
  local line=$1 out
  shift
  out=$("$@" 2>&1 || true)
  printf '%s\n' "$out"
  grep -qxF -- "$line" <<<"$out" || { echo "expected a line '$line' in the output of: $*" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# OpenTofu: a wrapper module carries the replace directive of OpenTofu's go.mod (its fork of
# hashicorp/hcl/v2), which `go install ...@version` would refuse.
build_tofu() {
  local m=github.com/opentofu/opentofu w="$DIR/wrappers/tofu" up
  need_module "$m@$TOFU_VERSION"
  up=$(gomod_of "$m@$TOFU_VERSION")
  mkdir -p "$w" && cd "$w"
  {
    echo "module $WRAPPER_MODULE_PREFIX/tofu"
    echo
    echo "go $(go_line "$up")"
    echo
    inherited_directives "$up"
    echo
    echo "require $m $TOFU_VERSION"
  } >go.mod
  cat go.mod
  go build -mod=mod -v -ldflags "-s -w -X $m/version.dev=no" -o "$BIN/.tofu.tmp" "$m/cmd/tofu"
  install_bin "$BIN/.tofu.tmp" "$BIN/tofu"
  expect_line "OpenTofu ${TOFU_VERSION}" "$BIN/tofu" version
}


# Kubernetes: through a wrapper module that uses the published staging modules (build-lib.sh's
# k8s_wrapper_gomod).
K8S_MODULE=k8s.io/kubernetes
prepare_k8s_wrapper() {
  local w="$DIR/wrappers/kubernetes"
  [ -f "$w/go.mod" ] && return 0
  need_module "$K8S_MODULE@$K8S_VERSION"
  mkdir -p "$w"
  k8s_wrapper_gomod "$K8S_VERSION" "$(gomod_of "$K8S_MODULE@$K8S_VERSION")" >"$w/go.mod.tmp"
  mv "$w/go.mod.tmp" "$w/go.mod"
}

k8s_ldflags() {
  k8s_version_ldflags "$K8S_VERSION" "$(origin_hash "$K8S_MODULE@$K8S_VERSION")" "$(commit_time "$K8S_MODULE@$K8S_VERSION")"
}

build_k8s_cmd() { # build_k8s_cmd <command> <expected version line> <version command args...>
  local cmd=$1 line=$2
  shift 2
  prepare_k8s_wrapper
  cd "$DIR/wrappers/kubernetes"
  cat go.mod
  go build -mod=mod -v -ldflags "$(k8s_ldflags)" -o "$BIN/.$cmd.tmp" "$K8S_MODULE/cmd/$cmd"
  install_bin "$BIN/.$cmd.tmp" "$BIN/$cmd"
  expect_line "$line" "$BIN/$cmd" "$@"
}
build_kube_apiserver() { build_k8s_cmd kube-apiserver "Kubernetes $K8S_VERSION" --version; }
build_kube_controller_manager() { build_k8s_cmd kube-controller-manager "Kubernetes $K8S_VERSION" --version; }
build_kubectl() { build_k8s_cmd kubectl "Client Version: $K8S_VERSION" version --client; }

# etcd 3.5: the module's go.mod points its sibling modules at ../, so build through a wrapper
# whose main calls etcdmain.Main, like etcd's own main.go does.
prepare_etcd_wrapper() {
  local w="$DIR/wrappers/etcd" up_server
  [ -f "$w/go.mod" ] && return 0
  need_module "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  up_server=$(gomod_of "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  mkdir -p "$w"
  cat >"$w/main.go" <<'EOF'
// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3/etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  {
    echo "module $WRAPPER_MODULE_PREFIX/etcd"
    echo
    echo "go $(go_line "$up_server")"
    echo
    inherited_directives "$up_server"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  } >"$w/go.mod.tmp"
  mv "$w/go.mod.tmp" "$w/go.mod"
}
etcd_ldflags() {
  local hash
  hash=$(origin_hash "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  printf '%s' "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${hash:0:9}"
}
build_etcd() {
  prepare_etcd_wrapper
  cd "$DIR/wrappers/etcd"
  cat go.mod
  go build -mod=mod -v -ldflags "$(etcd_ldflags)" -o "$BIN/.etcd.tmp" .
  install_bin "$BIN/.etcd.tmp" "$BIN/etcd"
  expect_line "etcd Version: ${ETCD_VERSION#v}" "$BIN/etcd" --version
}
# CLIs ----------------------------------------------------------------------------------------
# cli_version <binary> <OpenTofu|Terraform>: its version (x.y.z) when it is that product, else empty.
cli_version() {
  local first
  first=$("$1" version 2>/dev/null | head -n 1) || true
  [[ $first =~ ^$2\ v([0-9]+\.[0-9]+\.[0-9]+) ]] && printf '%s' "${BASH_REMATCH[1]}"
}
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# on_path <command> <product> <minimum>: a fitting binary on the PATH (not this toolchain's bin).
on_path() {
  local found version
  found=$(PATH=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$BIN" | paste -sd:) command -v "$1") || return 1
  version=$(cli_version "$found" "$2")
  if [ -n "$version" ] && version_at_least "$version" "$3"; then
    say "$(printf 'use     %-38s %s (>= %s)' "$found" "$2 $version" "$3")"
    printf '%s' "$found"
    return 0
  fi
  say "ignore  $found (${version:+$2 $version, }not $2 >= $3)"
  return 1
}

# ---------------------------------------------------------------------------------------------
step kube-apiserver "kube-apiserver $K8S_VERSION" build_kube_apiserver "$BIN/kube-apiserver"
step kube-controller-manager "kube-controller-manager $K8S_VERSION" build_kube_controller_manager "$BIN/kube-controller-manager"
step kubectl "kubectl $K8S_VERSION" build_kubectl "$BIN/kubectl"
step etcd "etcd $ETCD_VERSION" build_etcd "$BIN/etcd"

TOFU_BIN="" TERRAFORM_BIN=""
if [ -n "${E2E_PROVIDER_MIRROR:-}" ]; then
  for cli in ${E2E_TF:-tofu terraform}; do
    case "$cli" in
      tofu)
        TOFU_BIN=$(on_path tofu OpenTofu "$TOFU_MIN") || {
          step tofu "opentofu $TOFU_VERSION" build_tofu "$BIN/tofu"
          TOFU_BIN="$BIN/tofu"
        } ;;
      terraform)
        TERRAFORM_BIN=$(on_path terraform Terraform "$TERRAFORM_MIN") ||
          say "skip    terraform: none >= $TERRAFORM_MIN on the PATH (a BUSL release, not built here); run.sh skips its Terraform part" ;;
      *) die "E2E_TF may name tofu and terraform, not '$cli'" ;;
    esac
  done
else
  say "no E2E_PROVIDER_MIRROR: the Terraform-compatible CLIs are neither looked up nor built"
fi

# env.sh (rewritten only when its content changes) ------------------------------------------
write_if_changed() { # write_if_changed <file>  (content on stdin)
  local tmp="$1.tmp.$$"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# The CLI lines depend on this run's E2E_PROVIDER_MIRROR/E2E_TF/PATH: the last run's choice wins.
write_if_changed "$DIR/env.sh" <<EOF
# Written by tools/e2e/toolchain.sh ($KEY). Source it: . "$DIR/env.sh"
# E2E_TF=tofu|terraform (default tofu) selects E2E_TF_BIN and TERRAFORM_BINARY_NAME (cdktf)
# among the CLIs this run provided (none without E2E_PROVIDER_MIRROR).
export E2E_TOOLCHAIN_DIR='$DIR'
case ":\$PATH:" in *":\$E2E_TOOLCHAIN_DIR/bin:"*) ;; *) export PATH="\$E2E_TOOLCHAIN_DIR/bin:\$PATH" ;; esac
export CHECKPOINT_DISABLE=1
export E2E_TOFU_BIN='$TOFU_BIN'
export E2E_TERRAFORM_BIN='$TERRAFORM_BIN'
export E2E_KUBE_APISERVER_BIN="\$E2E_TOOLCHAIN_DIR/bin/kube-apiserver"
export E2E_KUBE_CONTROLLER_MANAGER_BIN="\$E2E_TOOLCHAIN_DIR/bin/kube-controller-manager"
export E2E_KUBECTL_BIN="\$E2E_TOOLCHAIN_DIR/bin/kubectl"
export E2E_ETCD_BIN="\$E2E_TOOLCHAIN_DIR/bin/etcd"
export E2E_KUBERNETES_VERSION='$K8S_VERSION' E2E_ETCD_VERSION='$ETCD_VERSION'
unset E2E_TF_BIN TERRAFORM_BINARY_NAME
case "\${E2E_TF:-tofu}" in
  tofu) [ -z "\$E2E_TOFU_BIN" ] || export E2E_TF_BIN="\$E2E_TOFU_BIN" TERRAFORM_BINARY_NAME="\$E2E_TOFU_BIN" ;;
  terraform) [ -z "\$E2E_TERRAFORM_BIN" ] || export E2E_TF_BIN="\$E2E_TERRAFORM_BIN" TERRAFORM_BINARY_NAME="\$E2E_TERRAFORM_BIN" ;;
  *) echo "env.sh: E2E_TF must be tofu or terraform, not '\$E2E_TF'; E2E_TF_BIN left unset" >&2 ;;
esac
EOF

if [ "$PRUNE" = 1 ]; then
  say "pruning $(du -sh "$ROOT" | cut -f1) cache down to $DIR"
  for d in "$ROOT"/* "$ROOT"/.[!.]*; do
    if [ ! -e "$d" ] || [ "$d" = "$DIR" ]; then continue; fi
    chmod -R u+w "$d" 2>/dev/null || true
    rm -rf "$d"
  done
  say "cache now $(du -sh "$ROOT" | cut -f1)"
fi

say "$(printf 'done: %d built, %d cached, total %s' "$BUILT" "$CACHED" "$(secs_since "$T_TOTAL")")"
if [ "$PRINT_ENV" = 1 ]; then cat "$DIR/env.sh"; else printf '%s\n' "$DIR"; fi
