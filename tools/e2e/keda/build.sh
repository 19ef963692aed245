#!/usr/bin/env bash
# tools/e2e/keda/build.sh - build KEDA's operator for the e2e step tools/e2e/keda.sh.
#
# Builds, from the Go module proxy and into a cache outside the repo, KEDA's own operator
# (github.com/kedacore/keda/v2/cmd/operator, the keda-operator binary of its image) with only the
# scalers the step exercises linked: cron and prometheus. KEDA has no scaler build tags: every
# scaler lives in the one package pkg/scalers and pkg/scaling/scalers_builder.go maps each trigger
# type to its constructor, so compiling the operator compiles every scaler's SDK (Kafka, IBM MQ,
# Azure, GCP, ...). Go refuses overlays of files in the module cache, so the wrapper module
# replaces the module with a copy of its verified source in which exactly two things change: the
# builder's switch (between its TRIGGERS-START and TRIGGERS-END markers) keeps the cases of the
# kept trigger types, and the other scalers' source files of pkg/scalers are left out (their
# tests stay; `go build` does not read them). The copy is checked to differ from the module in
# that way only; everything that scales (the ScaledObject controller, the scale loop and
# executor, the cron and prometheus scalers, the HPA it writes) is upstream's code unchanged.
# Idempotent: a warm run only checks the stamp. Progress goes to stderr; the only stdout line is
# the dir, which holds env.sh (E2E_KEDA_BIN, E2E_KEDA_VERSION, E2E_KEDA_SCALERS, E2E_KEDA_SOURCE:
# the module's source in the module cache, whose config/crd the step installs).
#
# Environment:
#   GITOPS_LLM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/gitops-llm-platform);
#                     the binary in <root>/keda/<key>, Go's caches shared with toolchain.sh in
#                     <root>/toolchain/go/{mod,build}.
# Exit status: 0 ready; 3 a pinned module is unavailable from the proxy (say UNAVAILABLE; the
# caller skips visibly); anything else is a failure.
# Options: --print-env, --quiet, -h/--help.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pins. Changing any of them (or RECIPE) changes the cache key.
RECIPE=1
# The KEDA that contracts/versions.ts's KEDA_CHART (chart 2.20.2) deploys: its appVersion.
KEDA_VERSION=v2.20.2
KEDA_MODULE=github.com/kedacore/keda/v2
WRAPPER_MODULE=gitops-llm-platform.e2e/keda
# The trigger types linked, and the files of pkg/scalers they need: the shared scaler.go, their
# own, and azure_queue_scaler.go, which declares the package's externalMetricType constant (every
# scaler's metric spec uses it; its Azure Queue SDK is compiled anyway, for pkg/scalers/azure,
# which the prometheus scaler imports for Azure Monitor workspaces; it is not in the switch).
SCALERS="cron prometheus"
KEPT_SCALER_FILES="scaler.go azure_queue_scaler.go cron_scaler.go prometheus_scaler.go"
BUILDER=pkg/scaling/scalers_builder.go

LOG_PREFIX=keda-build
# shellcheck source-path=SCRIPTDIR source=../build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
parse_build_args "$@"

require_go
open_build_dir keda "$GO_MINOR-keda${KEDA_VERSION#v}-${SCALERS// /-}-r$RECIPE"
WRAPPER="$DIR/wrapper"

# trim_builder <file>: keep, between TRIGGERS-START and TRIGGERS-END, the switch, the cases of
# $SCALERS with their return lines, and the default; fail unless each kept type had one case.
trim_builder() {
  awk -v keep="$SCALERS" '
    BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) want["\"" k[i] "\""] = 1 }
    /TRIGGERS-START/ { inside = 1; print; next }
    /TRIGGERS-END/ { inside = 0; print; next }
    !inside { print; next }
    /^\t(case|default)/ { t = $2; sub(/:$/, "", t); take = ($1 == "default:" || t in want); if (t in want) seen[t]++ }
    /^\tswitch / || /^\t}$/ { print; next }
    take { print }
    END { for (t in want) if (seen[t] != 1) { print "no single case " t " in the builder" > "/dev/stderr"; exit 1 } }
  ' "$1" >"$1.trimmed"
  mv "$1.trimmed" "$1"
}

build_keda() {
  local src copy f changed expected
  src=$(module_field "$KEDA_MODULE@$KEDA_VERSION" Dir) || return $?
  copy="$WRAPPER/keda"
  rm -rf "$WRAPPER"
  mkdir -p "$WRAPPER"
  cp -r "$src" "$copy"
  chmod -R u+w "$copy"
  trim_builder "$copy/$BUILDER"
  expected="Files $BUILDER differ"$'\n'
  for f in "$copy"/pkg/scalers/*.go; do
    case " $KEPT_SCALER_FILES " in *" ${f##*/} "*) continue ;; esac
    case "$f" in *_test.go) continue ;; esac
    rm "$f"
    expected+="Only in pkg/scalers: ${f##*/}"$'\n'
  done
  changed=$({ diff -rq "$src" "$copy" || true; } | sed -e "s|^Files $src/\([^ ]*\) and .* differ\$|Files \1 differ|" -e "s|^Only in $src/|Only in |" | sort)
  expected=$(printf '%s' "$expected" | sort)
  if [ "$changed" != "$expected" ]; then
    echo "the copy of $KEDA_MODULE must differ in the builder and the left-out scalers only" >&2
    echo "unexpected: $(comm -13 <(echo "$expected") <(echo "$changed") | tr '\n' ';')" >&2
    echo "missing: $(comm -23 <(echo "$expected") <(echo "$changed") | tr '\n' ';')" >&2
    return 1
  fi
  echo "the builder's switch, as built:"
  sed -n '/TRIGGERS-START/,/TRIGGERS-END/p' "$copy/$BUILDER"
  {
    echo "module $WRAPPER_MODULE"
    echo
    echo "go $(go_line "$src/go.mod")"
    echo
    inherited_directives "$src/go.mod"
    echo "replace $KEDA_MODULE => ./keda"
    echo
    echo "require $KEDA_MODULE $KEDA_VERSION"
  } >"$WRAPPER/go.mod"
  cat "$WRAPPER/go.mod"
  cd "$WRAPPER"
  go_build_bin keda-operator "$KEDA_MODULE/cmd/operator" -ldflags "-s -w -X=$KEDA_MODULE/version.Version=${KEDA_VERSION#v}" || return $?
  # The binary starts (pflag's usage lists the operator's own flags).
  { "$BIN/keda-operator" --help 2>&1 || true; } | grep -q -- '--metrics-service-bind-address'
}

step keda-operator "keda-operator $KEDA_VERSION ($SCALERS)" build_keda "$BIN/keda-operator"

# The CRDs come from the module as the proxy serves it, not from the copy.
src=$(module_field "$KEDA_MODULE@$KEDA_VERSION" Dir) || exit $?
write_env_sh <<ENV
# Written by tools/e2e/keda/build.sh ($KEY). Source it.
export E2E_KEDA_DIR='$DIR'
export E2E_KEDA_BIN="\$E2E_KEDA_DIR/bin/keda-operator"
export E2E_KEDA_SOURCE='$src'
export E2E_KEDA_VERSION='$KEDA_VERSION'
export E2E_KEDA_SCALERS='$SCALERS'
ENV

finish_build
