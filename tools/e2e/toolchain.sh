#!/usr/bin/env bash
# tools/e2e/toolchain.sh - build the pinned toolchain for the real-toolchain e2e test.
#
# Builds, from the Go module proxy and into a cache outside the repo, whatever is missing of:
#   OpenTofu and Terraform (MPL 1.5.7) CLIs; the hashicorp kubernetes/helm/random providers
#   (aws too with E2E_BUILD_AWS=1) in a filesystem mirror plus a CLI config (tf.rc) for offline
#   `init`; kube-apiserver, kube-controller-manager and kubectl; etcd and etcdctl.
# Idempotent: a warm run only checks what is there. Progress and timings go to stderr; the last
# (only) stdout line is the toolchain dir, which holds env.sh:
#
#   source "$(tools/e2e/toolchain.sh)/env.sh"      # or: eval "$(tools/e2e/toolchain.sh --print-env)"
#
# env.sh puts <dir>/bin first on PATH and exports TF_CLI_CONFIG_FILE, E2E_*_BIN for every binary,
# and E2E_TF_BIN/TERRAFORM_BINARY_NAME for the CLI chosen by E2E_TF=tofu|terraform (default tofu).
#
# Environment:
#   GITOPS_LLM_CACHE      cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                         the toolchain lives in <root>/toolchain/<key>, Go's module and build
#                         caches in <root>/toolchain/go/{mod,build} (shared by all keys).
#   E2E_BUILD_AWS=1       also build hashicorp/aws 6.25.0. Off by default: measured alone on 2 cores,
#                         a cold build takes ~48 min, peaks at 9.3 GB RSS, yields a 905 MB binary
#                         and adds ~9.4 GB of Go caches (and the rest of the toolchain ~30 min).
#   E2E_GIT_URL_TEMPLATE  where to clone a provider from when the module proxy does not serve its
#                         release commit; {owner} and {name} are replaced
#                         (default https://github.com/{owner}/{name}.git).
# Exit status: 0 ready; 3 a pinned source is unavailable here (nothing is wrong with the script or
# the project: the e2e skips visibly); anything else is a failure.
# Options: --print-env (print env.sh instead of the dir), --quiet (no progress),
#   --prune (after building/checking: delete the Go module and build caches, the git sources and
#   the toolchain dirs of other keys, which a cold build leaves at ~12 GB; a later version bump
#   then downloads and compiles everything again), -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE) changes the cache key, so the next run builds afresh.
RECIPE=1                      # bump when the build recipe below changes in a way that matters
TOFU_VERSION=v1.12.6          # github.com/opentofu/opentofu
TERRAFORM_VERSION=v1.5.7      # github.com/hashicorp/terraform, last MPL-2.0 release
K8S_VERSION=v1.36.3           # k8s.io/kubernetes; staging modules are used at v0.<minor>.<patch>
ETCD_VERSION=v3.5.35          # go.etcd.io/etcd/{server,etcdctl}/v3
# Providers: type|version|Go module path|pseudo-version of the release tag's commit|commit|GitHub repo.
# Their go.mod paths lack /vN, so the v2+/v3+ tags cannot be used as module versions; the
# pseudo-version names the tag's commit instead (base = highest v0/v1 tag reachable from it).
# The versions match the @cdktf/provider-* packages' providerVersion (kubernetes 2.38.0,
# helm 3.1.1, random 3.7.2 for @cdktf/provider-random@12.0.1).
PROVIDERS=(
  "kubernetes|2.38.0|github.com/hashicorp/terraform-provider-kubernetes|v1.13.4-0.20250721172020-be88f4427105|be88f44271050f69d52f410bca388834afedfe71|hashicorp/terraform-provider-kubernetes"
  "helm|3.1.1|github.com/hashicorp/terraform-provider-helm|v1.3.3-0.20251117192655-1cbf08f6a306|1cbf08f6a306ab3cdff6079b87a61c7641b64f3b|hashicorp/terraform-provider-helm"
  "random|3.7.2|github.com/terraform-providers/terraform-provider-random|v1.3.2-0.20250422105519-bc2ddb552b46|bc2ddb552b4676d16997987a9bf2875c7b98d342|hashicorp/terraform-provider-random"
)
# Optional (E2E_BUILD_AWS=1). No pseudo-version/commit pinned: it is built from the v6.25.0 tag of
# the git source (the module proxy used so far serves no commit near that release).
AWS_PROVIDER="aws|6.25.0|github.com/hashicorp/terraform-provider-aws|||hashicorp/terraform-provider-aws"
PROVIDER_HOSTS=(registry.terraform.io registry.opentofu.org)
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

say() { [ "$QUIET" = 1 ] || printf '[toolchain] %s\n' "$*" >&2; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

command -v go >/dev/null || die "go is required (Go >= 1.26)"
GO_VERSION=$(go env GOVERSION)
GO_MINOR=$(grep -Eo '^go1\.[0-9]+' <<<"$GO_VERSION") || die "cannot parse Go version '$GO_VERSION'"
[ "${GO_MINOR#go1.}" -ge 26 ] || die "Go >= 1.26 is required, found $GO_VERSION"

ROOT="${GITOPS_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform}/toolchain"
SPEC="recipe=$RECIPE $GO_MINOR tofu=$TOFU_VERSION terraform=$TERRAFORM_VERSION k8s=$K8S_VERSION etcd=$ETCD_VERSION ${PROVIDERS[*]} $AWS_PROVIDER"
KEY="$GO_MINOR-k8s${K8S_VERSION#v}-etcd${ETCD_VERSION#v}-tofu${TOFU_VERSION#v}-tf${TERRAFORM_VERSION#v}-$(printf '%s' "$SPEC" | sha256sum | cut -c1-8)"
DIR="$ROOT/$KEY"
BIN="$DIR/bin"
MIRROR="$DIR/providers"
mkdir -p "$BIN" "$MIRROR" "$DIR/stamps" "$DIR/logs" "$DIR/wrappers"

# One build at a time per key.
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "another toolchain.sh holds $DIR/.lock; waiting"
  flock 9
fi

# Go settings for every build: pinned local toolchain, static, reproducible paths, caches under ROOT.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -modcacherw -buildvcs=false"
export GOMODCACHE="$ROOT/go/mod" GOCACHE="$ROOT/go/build"
unset GOBIN GOWORK GOOS GOARCH || true
export GOWORK=off
PLATFORM=$(go env GOOS GOARCH | paste -sd_)

BUILT=0
CACHED=0
T_TOTAL=$(now)
say "toolchain dir: $DIR"

# ---------------------------------------------------------------------------------------------
# step <id> <label> <builder function> <output file>...
# Skips the builder when the stamp exists and every output is executable with the recorded size.
step() {
  local id=$1 label=$2 fn=$3
  shift 3
  local stamp="$DIR/stamps/$id" log="$DIR/logs/$id.log" f size ok=1
  if [ -f "$stamp" ]; then
    for f in "$@"; do
      size=$(awk -v f="$f" '$1 == "file" && $2 == f { print $3 }' "$stamp")
      if [ ! -x "$f" ] || [ "$(stat -L -c %s "$f")" != "$size" ]; then ok=0; fi
    done
  else
    ok=0
  fi
  if [ "$ok" = 1 ]; then
    say "cached  $label"
    CACHED=$((CACHED + 1))
    return 0
  fi
  rm -f "$stamp"
  say "$(printf 'build   %-38s log: %s' "$label" "$log")"
  local t0 rc
  t0=$(now)
  set +e
  (set -e; "$fn") >"$log" 2>&1
  rc=$?
  set -e
  if [ "$rc" = 3 ]; then
    tail -n 5 "$log" >&2
    say "UNAVAILABLE: $label cannot be built on this machine: its pinned source is neither on the Go module proxy nor reachable by git (set E2E_GIT_URL_TEMPLATE to a git mirror); log: $log"
    exit 3
  fi
  if [ "$rc" != 0 ]; then
    tail -n 25 "$log" >&2
    die "building $label failed (exit $rc) after $(secs_since "$t0"); full log: $log"
  fi
  for f in "$@"; do
    [ -x "$f" ] || die "building $label did not produce $f (log: $log)"
  done
  {
    echo "label $label"
    echo "built $(date -u +%FT%TZ) in $(secs_since "$t0") with $GO_VERSION"
    for f in "$@"; do echo "file $f $(stat -L -c %s "$f")"; done
  } >"$stamp"
  say "$(printf 'built   %-38s %s' "$label" "$(secs_since "$t0")")"
  BUILT=$((BUILT + 1))
}

# Print the godebug and (non-local) replace directives of a go.mod, one directive per line, so a
# wrapper module that requires that module builds it the way its own go.mod would.
inherited_directives() {
  awk '
    /^(godebug|replace)[ \t]*\($/ { blk = $1; next }
    blk != "" && /^\)/ { blk = ""; next }
    blk != "" { line = $0; sub(/^[ \t]+/, "", line); if (line != "" && line !~ /^\/\//) emit(blk, line); next }
    /^(godebug|replace)[ \t]/ { d = $1; line = $0; sub(/^[a-z]+[ \t]+/, "", line); emit(d, line) }
    function emit(d, line) { if (d == "replace" && line ~ /=>[ \t]*\.\.?\//) return; print d " " line }
  ' "$1"
}

# go_line <go.mod>... -> the highest "go" directive among them
go_line() { awk '$1 == "go" { print $2 }' "$@" | sort -V | tail -n 1; }

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

# Terraform 1.5.7 has no replace directives: plain `go install`.
build_terraform() {
  local tmp="$DIR/.gobin-terraform"
  rm -rf "$tmp"
  GOBIN="$tmp" go install -v -ldflags "-s -w" "github.com/hashicorp/terraform@$TERRAFORM_VERSION"
  install_bin "$tmp/terraform" "$BIN/terraform"
  rm -rf "$tmp"
  expect_line "Terraform ${TERRAFORM_VERSION}" "$BIN/terraform" version
}

# Kubernetes: the wrapper module replaces every staging module k8s.io/kubernetes requires at
# v0.0.0 (its go.mod points them at ./staging) with the published v0.<minor>.<patch>.
K8S_MODULE=k8s.io/kubernetes
prepare_k8s_wrapper() {
  local w="$DIR/wrappers/kubernetes" up staging
  [ -f "$w/go.mod" ] && return 0
  up=$(gomod_of "$K8S_MODULE@$K8S_VERSION")
  staging="v0.${K8S_VERSION#v1.}"
  mkdir -p "$w"
  {
    echo "module $WRAPPER_MODULE_PREFIX/kubernetes"
    echo
    echo "go $(go_line "$up")"
    echo
    inherited_directives "$up"
    echo
    echo "require $K8S_MODULE $K8S_VERSION"
    echo
    # modules that are both required at v0.0.0 and replaced by ./staging/src/...
    awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { req[$1] = 1 }
         $2 == "=>" && $3 ~ /^\.\/staging\// && req[$1] { print $1 }' "$up" "$up" |
      while read -r mod; do echo "replace $mod => $mod $staging"; done
  } >"$w/go.mod.tmp"
  mv "$w/go.mod.tmp" "$w/go.mod"
}

k8s_ldflags() {
  local hash date minor pkg flags="-s -w"
  hash=$(origin_hash "$K8S_MODULE@$K8S_VERSION")
  date=$(commit_time "$K8S_MODULE@$K8S_VERSION")
  minor=${K8S_VERSION#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitCommit=${hash:-unknown} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  printf '%s' "$flags"
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
  local w="$DIR/wrappers/etcd" up_server up_ctl
  [ -f "$w/go.mod" ] && return 0
  up_server=$(gomod_of "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  up_ctl=$(gomod_of "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION")
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
    echo "go $(go_line "$up_server" "$up_ctl")"
    echo
    inherited_directives "$up_server"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo "require go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION"
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
build_etcdctl() {
  prepare_etcd_wrapper
  cd "$DIR/wrappers/etcd"
  go build -mod=mod -v -ldflags "$(etcd_ldflags)" -o "$BIN/.etcdctl.tmp" go.etcd.io/etcd/etcdctl/v3
  install_bin "$BIN/.etcdctl.tmp" "$BIN/etcdctl"
  expect_line "etcdctl version: ${ETCD_VERSION#v}" "$BIN/etcdctl" version
}

# Providers -----------------------------------------------------------------------------------
provider_file() { # provider_file <type> <version>
  printf '%s' "$MIRROR/${PROVIDER_HOSTS[0]}/hashicorp/$1/$2/$PLATFORM/terraform-provider-$1_v$2"
}

# Build from the git source at tag v<version> (verified against <commit> when one is pinned).
provider_from_git() { # <type> <version> <commit> <owner/repo> <out> <ldflags>
  local type=$1 version=$2 commit=$3 repo=$4 out=$5 ldflags=$6 url src rev
  local default_url='https://github.com/{owner}/{name}.git'
  url=${E2E_GIT_URL_TEMPLATE:-$default_url}
  url=${url//\{owner\}/${repo%%/*}}
  url=${url//\{name\}/${repo#*/}}
  src="$ROOT/src/${repo#*/}"
  echo "building $type $version from git: $url"
  if [ ! -d "$src/.git" ]; then
    rm -rf "$src.tmp"
    local filter=()
    # A blobless clone saves a lot for big remote repositories; local clones would not honour it.
    case "$url" in file://* | /* | .*) ;; *://*) filter=(--filter=blob:none) ;; esac
    git clone --quiet --no-checkout "${filter[@]}" "$url" "$src.tmp" || {
      echo "SOURCE UNAVAILABLE: cannot clone $url, and the module proxy does not serve this release" >&2
      return 3
    }
    mv "$src.tmp" "$src"
  fi
  git -C "$src" fetch --quiet --tags "$url" || echo "warning: git fetch from $url failed; using what $src has"
  rev=$(git -C "$src" rev-parse --verify -q "refs/tags/v$version^{commit}" || true)
  if [ -n "$commit" ]; then
    [ -z "$rev" ] || [ "$rev" = "$commit" ] || { echo "tag v$version is $rev, pinned commit is $commit" >&2; return 1; }
    rev=$commit
  fi
  [ -n "$rev" ] || { echo "no tag v$version in $url" >&2; return 1; }
  # A mirror may lack a few large blobs (test data); the build tells whether they mattered.
  git -C "$src" -c advice.detachedHead=false checkout --quiet --force "$rev" ||
    echo "warning: checkout of $rev reported errors; building anyway"
  [ "$(git -C "$src" rev-parse HEAD)" = "$rev" ] || { echo "checkout of $rev failed" >&2; return 1; }
  (cd "$src" && go build -mod=readonly -v -ldflags "$ldflags" -o "$out" .)
}

build_provider() { # build_provider "<spec>"
  local type version module pseudo commit repo out tmp ldflags host
  IFS='|' read -r type version module pseudo commit repo <<<"$1"
  out=$(provider_file "$type" "$version")
  tmp="$DIR/.gobin-provider-$type"
  ldflags="-s -w -X main.Version=$version -X main.version=$version"
  rm -rf "$tmp"
  mkdir -p "$tmp" "$(dirname "$out")"
  if [ -n "$pseudo" ] && go mod download -json "$module@$pseudo"; then
    echo "building $type $version as $module@$pseudo (commit $commit) from the module proxy"
    GOBIN="$tmp" go install -v -ldflags "$ldflags" "$module@$pseudo"
    mv "$tmp/${module##*/}" "$tmp/provider"
  else
    [ -z "$pseudo" ] || echo "the module proxy does not serve $module@$pseudo; falling back to git"
    provider_from_git "$type" "$version" "$commit" "$repo" "$tmp/provider" "$ldflags"
  fi
  install_bin "$tmp/provider" "$out"
  rm -rf "$tmp"
}

# ---------------------------------------------------------------------------------------------
step tofu "opentofu $TOFU_VERSION" build_tofu "$BIN/tofu"
step terraform "terraform $TERRAFORM_VERSION" build_terraform "$BIN/terraform"

SELECTED_PROVIDERS=("${PROVIDERS[@]}")
[ "${E2E_BUILD_AWS:-0}" = 1 ] && SELECTED_PROVIDERS+=("$AWS_PROVIDER")
for spec in "${SELECTED_PROVIDERS[@]}"; do
  IFS='|' read -r ptype pversion _ <<<"$spec"
  # shellcheck disable=SC2329 # invoked indirectly by step
  build_this_provider() { build_provider "$spec"; }
  step "provider-$ptype" "provider hashicorp/$ptype $pversion" build_this_provider "$(provider_file "$ptype" "$pversion")"
done

step kube-apiserver "kube-apiserver $K8S_VERSION" build_kube_apiserver "$BIN/kube-apiserver"
step kube-controller-manager "kube-controller-manager $K8S_VERSION" build_kube_controller_manager "$BIN/kube-controller-manager"
step kubectl "kubectl $K8S_VERSION" build_kubectl "$BIN/kubectl"
step etcd "etcd $ETCD_VERSION" build_etcd "$BIN/etcd"
step etcdctl "etcdctl $ETCD_VERSION" build_etcdctl "$BIN/etcdctl"

# OpenTofu looks providers up under its own registry host: same files, hard-linked (its mirror
# scan does not follow a symlinked host directory).
for spec in "${SELECTED_PROVIDERS[@]}"; do
  IFS='|' read -r ptype pversion _ <<<"$spec"
  src=$(provider_file "$ptype" "$pversion")
  for host in "${PROVIDER_HOSTS[@]:1}"; do
    [ ! -L "$MIRROR/$host" ] || rm -f "$MIRROR/$host"
    dst="$MIRROR/$host/${src#"$MIRROR/${PROVIDER_HOSTS[0]}/"}"
    [ "$dst" -ef "$src" ] && continue
    mkdir -p "$(dirname "$dst")"
    ln -f "$src" "$dst" 2>/dev/null || cp -f "$src" "$dst"
  done
done

# CLI config and env.sh (rewritten only when their content changes) ------------------------
write_if_changed() { # write_if_changed <file>  (content on stdin)
  local tmp="$1.tmp.$$"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

patterns=""
for host in "${PROVIDER_HOSTS[@]}"; do patterns+="${patterns:+, }\"$host/hashicorp/*\""; done
write_if_changed "$DIR/tf.rc" <<EOF
# Written by tools/e2e/toolchain.sh: hashicorp/* providers come only from the local mirror.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = [$patterns]
  }
  direct {
    exclude = [$patterns]
  }
}
EOF

write_if_changed "$DIR/env.sh" <<EOF
# Written by tools/e2e/toolchain.sh ($KEY). Source it: . "$DIR/env.sh"
# E2E_TF=tofu|terraform (default tofu) selects E2E_TF_BIN and TERRAFORM_BINARY_NAME (cdktf).
export E2E_TOOLCHAIN_DIR='$DIR'
case ":\$PATH:" in *":\$E2E_TOOLCHAIN_DIR/bin:"*) ;; *) export PATH="\$E2E_TOOLCHAIN_DIR/bin:\$PATH" ;; esac
export TF_CLI_CONFIG_FILE="\$E2E_TOOLCHAIN_DIR/tf.rc"
export CHECKPOINT_DISABLE=1
export E2E_PROVIDER_MIRROR="\$E2E_TOOLCHAIN_DIR/providers"
export E2E_TOFU_BIN="\$E2E_TOOLCHAIN_DIR/bin/tofu"
export E2E_TERRAFORM_BIN="\$E2E_TOOLCHAIN_DIR/bin/terraform"
export E2E_KUBE_APISERVER_BIN="\$E2E_TOOLCHAIN_DIR/bin/kube-apiserver"
export E2E_KUBE_CONTROLLER_MANAGER_BIN="\$E2E_TOOLCHAIN_DIR/bin/kube-controller-manager"
export E2E_KUBECTL_BIN="\$E2E_TOOLCHAIN_DIR/bin/kubectl"
export E2E_ETCD_BIN="\$E2E_TOOLCHAIN_DIR/bin/etcd"
export E2E_ETCDCTL_BIN="\$E2E_TOOLCHAIN_DIR/bin/etcdctl"
export E2E_TOFU_VERSION='${TOFU_VERSION#v}' E2E_TERRAFORM_VERSION='${TERRAFORM_VERSION#v}'
export E2E_KUBERNETES_VERSION='$K8S_VERSION' E2E_ETCD_VERSION='$ETCD_VERSION'
unset E2E_TF_BIN TERRAFORM_BINARY_NAME
case "\${E2E_TF:-tofu}" in
  tofu) export E2E_TF_BIN="\$E2E_TOFU_BIN" TERRAFORM_BINARY_NAME="\$E2E_TOFU_BIN" ;;
  terraform) export E2E_TF_BIN="\$E2E_TERRAFORM_BIN" TERRAFORM_BINARY_NAME="\$E2E_TERRAFORM_BIN" ;;
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
