#!/usr/bin/env bash
# tools/e2e/providers.sh - the providers of the e2e test, taken only from a filesystem mirror.
#
#   tools/e2e/providers.sh <mirror> <out dir> <namespace/type=version>...
#
# <mirror> is laid out as `terraform providers mirror` (or `tofu providers mirror`) writes it:
# packed <host>/<namespace>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip, or
# unpacked <host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>*; <host> is
# registry.terraform.io or registry.opentofu.org. For every requested provider, found under
# either host, <out dir>/mirror gets hard links (copies across file systems) under BOTH hosts:
# Terraform looks `hashicorp/x` up as registry.terraform.io/hashicorp/x, OpenTofu as
# registry.opentofu.org/hashicorp/x, and their mirror scans do not follow symlinked directories.
# <out dir>/tf.rc is a CLI config (TF_CLI_CONFIG_FILE) that installs those providers only from
# <out dir>/mirror, never from a registry.
# Exit status: 0 ready; 3 the mirror lacks a provider (each missing one is named on stderr);
# anything else is a failure.
set -euo pipefail

HOSTS=(registry.terraform.io registry.opentofu.org)

[ "$#" -ge 3 ] || { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
mirror=$(cd "$1" 2>/dev/null && pwd) || { echo "providers: the mirror $1 is not a directory" >&2; exit 3; }
out=$2
shift 2
case "$(uname -s)_$(uname -m)" in
  Linux_x86_64) platform=linux_amd64 ;;
  Linux_aarch64 | Linux_arm64) platform=linux_arm64 ;;
  Darwin_x86_64) platform=darwin_amd64 ;;
  Darwin_arm64) platform=darwin_arm64 ;;
  *) echo "providers: unsupported platform $(uname -sm)" >&2; exit 1 ;;
esac

link_tree() { # link_tree <src> <dst>: hard-link (or copy) a file or a directory's contents
  mkdir -p "$(dirname "$2")"
  if [ -d "$1" ]; then
    mkdir -p "$2"
    cp -al "$1/." "$2/" 2>/dev/null || cp -a "$1/." "$2/"
  else
    ln -f "$1" "$2" 2>/dev/null || cp -f "$1" "$2"
  fi
}

rm -rf "$out/mirror"
mkdir -p "$out/mirror"
missing=0 patterns=""
for spec in "$@"; do
  address=${spec%%=*} version=${spec#*=}
  for host in "${HOSTS[@]}"; do address=${address#"$host/"}; done
  [[ $address =~ ^[^/]+/[^/]+$ ]] || { echo "providers: unsupported source address '${spec%%=*}'" >&2; exit 1; }
  type=${address#*/}
  packed="$address/terraform-provider-${type}_${version}_$platform.zip"
  unpacked="$address/$version/$platform"
  found=""
  for host in "${HOSTS[@]}"; do
    if [ -f "$mirror/$host/$packed" ]; then found="$host/$packed" rel=$packed; break; fi
    if compgen -G "$mirror/$host/$unpacked/terraform-provider-$type*" >/dev/null; then found="$host/$unpacked" rel=$unpacked; break; fi
  done
  if [ -z "$found" ]; then
    echo "providers: MISSING $address $version ($platform) in $mirror: neither <host>/$packed nor <host>/$unpacked/ (<host>: ${HOSTS[0]} or ${HOSTS[1]})" >&2
    missing=$((missing + 1))
    continue
  fi
  for host in "${HOSTS[@]}"; do
    link_tree "$mirror/$found" "$out/mirror/$host/$rel"
    patterns+="${patterns:+, }\"$host/$address\""
  done
  echo "providers: $address $version <- $mirror/$found" >&2
done
[ "$missing" = 0 ] || exit 3

cat >"$out/tf.rc" <<EOF
# Written by tools/e2e/providers.sh: these providers come only from the mirror, never a registry.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$out/mirror"
    include = [$patterns]
  }
  direct {
    exclude = [$patterns]
  }
}
EOF
