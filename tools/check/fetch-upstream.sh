#!/usr/bin/env bash
# Fills .cache/upstream with what `npm run check` compares against, for every chart version the
# repository pins: default values (helm show values), chart metadata (helm show chart, which lists
# the chart's own subcharts) and, for the Argo CD chart, its CRDs rendered from the chart.
#
# The pins come from `npm run check -- --list-charts`: apps/*/Chart.yaml dependencies, the
# synthesized helm_release and Application chart sources, and the Argo CD chart (its helm_release,
# else argoCd.version in tools/check/upstream.json).
#
# Usage: tools/check/fetch-upstream.sh [--force] [--argo-cd <version>] [<chart>@<version>=<repository> ...]
#   --force             fetch again even when .cache/upstream/<chart>-<version>/ exists
#   --argo-cd <version> take the Argo CD CRDs from this chart version instead
#   <chart>@<version>=<repository>   fetch the values of one more chart (https:// or oci:// repository)
# Needs helm 3.8+ and network access. CHECK_FETCH_DIR overrides the destination.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dest="${CHECK_FETCH_DIR:-$root/.cache/upstream}"
force=false
argo_version=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=true ;;
    --argo-cd) argo_version="${2:?--argo-cd needs a version}"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *@*=*) chart="${1%%@*}"; rest="${1#*@}"; extra+=("values	${chart}	${rest%%=*}	${rest#*=}") ;;
    *) echo "fetch-upstream: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v helm >/dev/null || { echo "fetch-upstream: helm not found on PATH (https://helm.sh/docs/intro/install/)" >&2; exit 1; }

pins="$(cd "$root" && npm run --silent check -- --list-charts)"
if [ -n "$argo_version" ]; then
  pins="$(printf '%s\n' "$pins" | awk -F'\t' -v v="$argo_version" 'BEGIN { OFS = "\t" } $1 == "crds" { $3 = v } { print }')"
fi
if [ ${#extra[@]} -gt 0 ]; then pins="$pins"$'\n'"$(printf '%s\n' "${extra[@]}")"; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# helm_ref <chart> <repository>: prints the chart reference and repository flag for helm.
helm_ref() {
  case "$2" in
    oci://*) printf '%s\n' "${2%/}/$1" ;;
    "") echo "fetch-upstream: no repository known for chart $1" >&2; return 1 ;;
    *) printf '%s\n%s\n%s\n' "$1" --repo "$2" ;;
  esac
}

fetch() {
  local kind="$1" chart="$2" version="$3" repository="$4"
  local target="$dest/$chart-$version"
  local marker="$target/values.yaml"
  [ "$kind" = crds ] && marker="$target/crds"
  if [ -e "$marker" ] && [ "$force" = false ]; then
    echo "have   $kind $chart $version"
    return 0
  fi
  # Called as `fetch ... || status=1`, where bash ignores `set -e`: every step checks for itself,
  # so a failed download never leaves a half-written chart behind.
  local ref tmp="$work/$kind-$chart-$version"
  ref="$(helm_ref "$chart" "$repository")" || return 1
  mapfile -t ref <<<"$ref"
  mkdir -p "$tmp" || return 1
  echo "fetch  $kind $chart $version ($repository)"
  if [ "$kind" = values ]; then
    helm show values "${ref[@]}" --version "$version" >"$tmp/values.yaml" || return 1
    helm show chart "${ref[@]}" --version "$version" >"$tmp/Chart.yaml" || return 1
    mkdir -p "$target" && mv "$tmp/values.yaml" "$tmp/Chart.yaml" "$target/" || return 1
  else
    # Argo CD ships its CRDs as templates (templates/crds/), so `helm show crds` is empty for it:
    # render each CRD template (crds.keep as the chart defaults) plus any plain crds/ files.
    # --kube-version: the chart requires a newer Kubernetes than helm's offline default.
    helm pull "${ref[@]}" --version "$version" --untar --untardir "$tmp/pull" || return 1
    local chart_dir="$tmp/pull/$chart" file
    mkdir -p "$tmp/crds" || return 1
    if [ -d "$chart_dir/crds" ]; then cp "$chart_dir"/crds/*.yaml "$tmp/crds/" 2>/dev/null || true; fi
    if [ -d "$chart_dir/templates/crds" ]; then
      for file in "$chart_dir"/templates/crds/*.yaml; do
        helm template "$chart" "$chart_dir" --kube-version 1.31.0 --show-only "templates/crds/$(basename "$file")" >"$tmp/crds/$(basename "$file")" || return 1
      done
    fi
    if [ -z "$(ls -A "$tmp/crds")" ]; then echo "fetch-upstream: no CRDs found in $chart $version" >&2; return 1; fi
    mkdir -p "$target" && rm -rf "$target/crds" && mv "$tmp/crds" "$target/crds" || return 1
  fi
}

status=0
while IFS=$'\t' read -r kind chart version repository; do
  [ -n "$kind" ] || continue
  fetch "$kind" "$chart" "$version" "$repository" || status=1
done <<<"$pins"
echo "upstream data in $dest; run npm run check"
exit "$status"
