#!/usr/bin/env bash
# shellcheck shell=bash
# tools/e2e/build-lib.sh - what the e2e build scripts (toolchain.sh, argocd/build.sh) share:
# logging, cached build steps with stamps, and wrapper-module helpers. Sourced, not run. Callers
# set LOG_PREFIX, QUIET, DIR (their cache dir: stamps/, logs/) and GO_VERSION first.

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { [ "$QUIET" = 1 ] || printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

BUILT=0
CACHED=0

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

