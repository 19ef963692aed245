#!/usr/bin/env bash
# shellcheck shell=bash
# tools/e2e/build-lib.sh - what the cached Go build scripts (tools/e2e/toolchain.sh and the
# build.sh of tools/e2e/argocd, external-secrets, keda, karpenter and tools/monitoring) share:
# options, logging, the Go check, the locked cache dir, cached build steps with stamps, wrapper-module
# helpers, installing binaries and env.sh. Sourced, not run. Callers set LOG_PREFIX, call
# parse_build_args (or set QUIET themselves), then require_go and open_build_dir (or set DIR and
# GO_VERSION themselves), and end with write_env_sh and finish_build.

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { [ "$QUIET" = 1 ] || printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

BUILT=0
CACHED=0

# parse_build_args "$@": the options every cached build script takes: --print-env (PRINT_ENV=1),
# --quiet (QUIET=1), -h/--help (the script's header comment); anything else exits 2.
parse_build_args() {
  PRINT_ENV=0
  QUIET=0
  local arg
  for arg in "$@"; do
    case "$arg" in
      --print-env) PRINT_ENV=1 ;;
      --quiet) QUIET=1 ;;
      -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
      *) echo "$(basename "$0"): unknown argument: $arg" >&2; exit 2 ;;
    esac
  done
}

# use_go_caches <dir>: Go settings for every build: the local toolchain, static binaries,
# reproducible paths, module and build caches under <dir> (shared by the build scripts).
use_go_caches() {
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -modcacherw -buildvcs=false"
  export GOMODCACHE="$1/mod" GOCACHE="$1/build" GOWORK=off
  unset GOBIN GOOS GOARCH || true
}

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
    say "UNAVAILABLE: $label cannot be built on this machine: the Go module proxy ($(go env GOPROXY)) does not serve its pinned source; log: $log"
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


# require_go [<exit status when go is missing>]: GO_VERSION and GO_MINOR, Go >= 1.26 or fail
# (a missing go exits with the given status, 1 by default; 3 makes the caller skip visibly).
require_go() {
  if ! command -v go >/dev/null; then
    if [ "${1:-1}" = 3 ]; then say "UNAVAILABLE: go is not installed"; exit 3; fi
    die "go is required (Go >= 1.26)"
  fi
  GO_VERSION=$(go env GOVERSION)
  GO_MINOR=$(grep -Eo '^go1\.[0-9]+' <<<"$GO_VERSION") || die "cannot parse Go version '$GO_VERSION'"
  [ "${GO_MINOR#go1.}" -ge 26 ] || die "Go >= 1.26 is required, found $GO_VERSION"
}

# open_build_dir <group> <key>: CACHE_ROOT, KEY, DIR (<cache root>/<group>/<key>, locked against a
# concurrent build), BIN, the shared Go caches and T_TOTAL.
open_build_dir() {
  CACHE_ROOT="${GITOPS_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform}"
  KEY=$2
  DIR="$CACHE_ROOT/$1/$KEY"
  BIN="$DIR/bin"
  mkdir -p "$BIN" "$DIR/stamps" "$DIR/logs" "$DIR/wrappers"
  exec 9>"$DIR/.lock"
  if ! flock -n 9; then
    say "another build holds $DIR/.lock; waiting"
    flock 9
  fi
  use_go_caches "$CACHE_ROOT/toolchain/go"
  T_TOTAL=$(now)
  say "$1 dir: $DIR"
}

# module_field <module@version> <GoMod|Dir|…>: a field of `go mod download -json` (the download is
# verified against the checksum database), or exit 3 when the proxy refuses the module.
module_field() {
  local out
  out=$(go mod download -json "$1") || true
  if ! grep -q "\"$2\"" <<<"$out" || grep -q '"Error"' <<<"$out"; then
    printf '%s\n' "$out" >&2
    echo "UNAVAILABLE: the module proxy ($(go env GOPROXY)) does not serve $1" >&2
    return 3
  fi
  sed -n "s/^[[:space:]]*\"$2\": \"\\(.*\\)\",*\$/\\1/p" <<<"$out"
}

# write_wrapper <name> <module> <version>: $DIR/wrappers/<name>, a module requiring <module> with
# its godebug and replace lines ($WRAPPER_MODULE_PREFIX/<name>).
write_wrapper() {
  local name=$1 module=$2 version=$3 up w="$DIR/wrappers/$1"
  up=$(module_field "$module@$version" GoMod) || return $?
  mkdir -p "$w"
  {
    echo "module $WRAPPER_MODULE_PREFIX/$name"
    echo
    echo "go $(awk '$1 == "go" { print $2 }' "$up")"
    echo
    inherited_directives "$up"
    echo
    echo "require $module $version"
  } >"$w/go.mod"
  cat "$w/go.mod"
}

# go_build <go build arguments>: nice'd `go build -mod=mod -v`, exit 3 when a module it needs is
# not served by the module proxy.
go_build() {
  local log rc
  log=$(mktemp)
  set +e
  nice go build -mod=mod -v "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" != 0 ] && grep -Eq 'reading https?://[^ ]+: (404|410)|unknown revision|not found: ' "$log"; then
    echo "UNAVAILABLE: a module needed by this build is not served by the module proxy" >&2
    rm -f "$log"
    return 3
  fi
  rm -f "$log"
  return "$rc"
}

# go_build_bin <name> <package> [go build flags...]: go_build into $BIN/.<name>.tmp, then installed
# as $BIN/<name> (a failed build never leaves a half-written binary under the stamped name).
go_build_bin() {
  local name=$1 pkg=$2
  shift 2
  go_build "$@" -o "$BIN/.$name.tmp" "$pkg" || return $?
  chmod 0755 "$BIN/.$name.tmp"
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
}

# k8s_wrapper_gomod <k8s.io/kubernetes version> <its go.mod>: the go.mod of a wrapper module
# ($WRAPPER_MODULE_PREFIX/kubernetes) that requires it and replaces every staging module it
# requires at v0.0.0 (its go.mod points them at ./staging) with the published v0.<minor>.<patch>.
# toolchain.sh and karpenter/build.sh build from the same graph, so Go's build cache serves both.
k8s_wrapper_gomod() {
  local version=$1 up=$2
  echo "module $WRAPPER_MODULE_PREFIX/kubernetes"
  echo
  echo "go $(go_line "$up")"
  echo
  inherited_directives "$up"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  # modules that are both required at v0.0.0 and replaced by ./staging/src/...
  awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { req[$1] = 1 }
       $2 == "=>" && $3 ~ /^\.\/staging\// && req[$1] { print $1 }' "$up" "$up" |
    while read -r mod; do echo "replace $mod => $mod v0.${version#v1.}"; done
}

# k8s_version_ldflags <version> <commit hash> <commit time>: -s -w and the version variables
# Kubernetes' own build sets (what `--version` prints).
k8s_version_ldflags() {
  local version=$1 hash=$2 date=$3 minor pkg flags="-s -w"
  minor=${version#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitCommit=${hash:-unknown} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  printf '%s' "$flags"
}

# write_env_sh: $DIR/env.sh from stdin, replaced only when its content changed.
write_env_sh() {
  local tmp="$DIR/env.sh.tmp.$$"
  cat >"$tmp"
  if cmp -s "$tmp" "$DIR/env.sh"; then rm -f "$tmp"; else mv -f "$tmp" "$DIR/env.sh"; fi
}

# finish_build: the summary on stderr; on stdout env.sh (with --print-env: PRINT_ENV=1) or the dir.
finish_build() {
  say "$(printf 'done: %d built, %d cached, total %s' "$BUILT" "$CACHED" "$(secs_since "$T_TOTAL")")"
  if [ "${PRINT_ENV:-0}" = 1 ]; then cat "$DIR/env.sh"; else printf '%s\n' "$DIR"; fi
}
