#!/usr/bin/env bash
# tools/monitoring/build.sh - build promtool and amtool, which check the platform's alerting
# rules (check rules, rule unit tests) and the rendered Alertmanager configuration.
#
# Builds, from the Go module proxy and into a cache outside the repo, whatever is missing of:
#   promtool (github.com/prometheus/prometheus/cmd/promtool) and
#   amtool (github.com/prometheus/alertmanager/cmd/amtool).
# Idempotent: a warm run only checks the stamps. Progress goes to stderr; the only stdout line is
# the dir, which holds env.sh (exports PROMTOOL and AMTOOL):
#
#   source "$(tools/monitoring/build.sh)/env.sh"     # or: eval "$(tools/monitoring/build.sh --print-env)"
#
# Environment:
#   GITOPS_LLM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                     binaries in <root>/monitoring/<key>, Go's caches shared with the e2e builds
#                     in <root>/toolchain/go/{mod,build}.
# Exit status: 0 ready; 3 a pinned module is unavailable from the proxy (say UNAVAILABLE; the
# caller skips visibly); anything else is a failure.
# Options: --print-env, --quiet, -h/--help.
set -euo pipefail

# Pins. Changing any of them (or RECIPE) changes the cache key.
RECIPE=2
# The versions kube-prometheus-stack 88.5.3 deploys (Prometheus v3.14.0, Alertmanager v0.34.0);
# Prometheus 3.x publishes its Go module as v0.3xx.y: v0.314.0 is Prometheus v3.14.0.
PROMETHEUS_VERSION=v0.314.0
ALERTMANAGER_VERSION=v0.34.0
PROMETHEUS_MODULE=github.com/prometheus/prometheus
ALERTMANAGER_MODULE=github.com/prometheus/alertmanager
WRAPPER_MODULE_PREFIX=gitops-llm-platform.monitoring

PRINT_ENV=0
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --print-env) PRINT_ENV=1 ;;
    --quiet) QUIET=1 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

LOG_PREFIX=monitoring-build
# shellcheck source-path=SCRIPTDIR source=../e2e/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/build-lib.sh"

if ! command -v go >/dev/null; then
  say "UNAVAILABLE: go is not installed"
  exit 3
fi
GO_VERSION=$(go env GOVERSION)
GO_MINOR=$(grep -Eo '^go1\.[0-9]+' <<<"$GO_VERSION") || die "cannot parse Go version '$GO_VERSION'"

CACHE_ROOT="${GITOPS_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform}"
KEY="$GO_MINOR-prometheus${PROMETHEUS_VERSION#v}-alertmanager${ALERTMANAGER_VERSION#v}-r$RECIPE"
DIR="$CACHE_ROOT/monitoring/$KEY"
BIN="$DIR/bin"
mkdir -p "$BIN" "$DIR/stamps" "$DIR/logs" "$DIR/wrappers"

exec 9>"$DIR/.lock"
if ! flock -n 9; then
  say "another build.sh holds $DIR/.lock; waiting"
  flock 9
fi

use_go_caches "$CACHE_ROOT/toolchain/go"
T_TOTAL=$(now)
say "monitoring tools dir: $DIR"

# gomod_of <module@version>: the upstream go.mod, or exit 3 when the proxy refuses the module.
gomod_of() {
  local out
  out=$(go mod download -json "$1") || true
  if ! grep -q '"GoMod"' <<<"$out" || grep -q '"Error"' <<<"$out"; then
    printf '%s\n' "$out"
    echo "UNAVAILABLE: the module proxy ($(go env GOPROXY)) does not serve $1" >&2
    return 3
  fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' <<<"$out"
}

# write_wrapper <name> <module> <version>: a module requiring <module>, with its replace lines.
write_wrapper() {
  local name=$1 module=$2 version=$3 up w="$DIR/wrappers/$1"
  up=$(gomod_of "$module@$version") || return $?
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

# go build that turns "module not found on the proxy" into exit 3.
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

build_promtool() {
  local m=$PROMETHEUS_MODULE
  write_wrapper promtool "$m" "$PROMETHEUS_VERSION"
  cd "$DIR/wrappers/promtool"
  # remove_all_sd (Prometheus >= 3.10): no service-discovery SDK (AWS, Azure, GCE, Kubernetes, …),
  # which rule checks and rule unit tests never use and which are most of a cold build.
  go_build -tags remove_all_sd -ldflags "-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v}" \
    -o "$BIN/.promtool.tmp" "$m/cmd/promtool"
  chmod 0755 "$BIN/.promtool.tmp"
  mv -f "$BIN/.promtool.tmp" "$BIN/promtool"
  "$BIN/promtool" --version >&2
}

build_amtool() {
  local m=$ALERTMANAGER_MODULE
  write_wrapper amtool "$m" "$ALERTMANAGER_VERSION"
  cd "$DIR/wrappers/amtool"
  go_build -ldflags "-s -w -X github.com/prometheus/common/version.Version=${ALERTMANAGER_VERSION#v}" \
    -o "$BIN/.amtool.tmp" "$m/cmd/amtool"
  chmod 0755 "$BIN/.amtool.tmp"
  mv -f "$BIN/.amtool.tmp" "$BIN/amtool"
  "$BIN/amtool" --version >&2
}

step amtool "amtool $ALERTMANAGER_VERSION" build_amtool "$BIN/amtool"
step promtool "promtool $PROMETHEUS_VERSION" build_promtool "$BIN/promtool"

env_tmp="$DIR/env.sh.tmp.$$"
cat >"$env_tmp" <<ENV
# Written by tools/monitoring/build.sh ($KEY). Source it.
export PROMTOOL='$BIN/promtool'
export AMTOOL='$BIN/amtool'
ENV
if cmp -s "$env_tmp" "$DIR/env.sh"; then rm -f "$env_tmp"; else mv -f "$env_tmp" "$DIR/env.sh"; fi

say "done in $(secs_since "$T_TOTAL")"
if [ "$PRINT_ENV" = 1 ]; then cat "$DIR/env.sh"; else printf '%s\n' "$DIR"; fi
