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

LOG_PREFIX=monitoring-build
# shellcheck source-path=SCRIPTDIR source=../e2e/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/build-lib.sh"
parse_build_args "$@"

require_go 3
open_build_dir monitoring "$GO_MINOR-prometheus${PROMETHEUS_VERSION#v}-alertmanager${ALERTMANAGER_VERSION#v}-r$RECIPE"

build_promtool() {
  local m=$PROMETHEUS_MODULE
  write_wrapper promtool "$m" "$PROMETHEUS_VERSION"
  cd "$DIR/wrappers/promtool"
  # remove_all_sd (Prometheus >= 3.10): no service-discovery SDK (AWS, Azure, GCE, Kubernetes, …),
  # which rule checks and rule unit tests never use and which are most of a cold build.
  go_build_bin promtool "$m/cmd/promtool" -tags remove_all_sd -ldflags "-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v}"
  "$BIN/promtool" --version >&2
}

build_amtool() {
  local m=$ALERTMANAGER_MODULE
  write_wrapper amtool "$m" "$ALERTMANAGER_VERSION"
  cd "$DIR/wrappers/amtool"
  go_build_bin amtool "$m/cmd/amtool" -ldflags "-s -w -X github.com/prometheus/common/version.Version=${ALERTMANAGER_VERSION#v}"
  "$BIN/amtool" --version >&2
}

step amtool "amtool $ALERTMANAGER_VERSION" build_amtool "$BIN/amtool"
step promtool "promtool $PROMETHEUS_VERSION" build_promtool "$BIN/promtool"

write_env_sh <<ENV
# Written by tools/monitoring/build.sh ($KEY). Source it.
export PROMTOOL='$BIN/promtool'
export AMTOOL='$BIN/amtool'
ENV

finish_build
