#!/usr/bin/env bash
# Policy scan of every synthesized stack with checkov (pinned, from PyPI, in .venv-checkov).
#
#   bash tools/checkov/run.sh [synth-dir]
#
# Synthesizes into a temporary directory unless a synth directory (holding stacks/<stack>/cdk.tf.json,
# e.g. cdktf.out) is given. Every failed check fails the run, except the check ids listed in
# tools/checkov/skips.txt (one per line: `CKV_... reason`). Exit 0 only when every stack passes.
set -euo pipefail
cd "$(dirname "$0")/../.."

CHECKOV_VERSION=3.3.30
venv=.venv-checkov
skips_file=tools/checkov/skips.txt

if [ ! -x "$venv/bin/checkov" ] || [ "$("$venv/bin/pip" show checkov 2>/dev/null | sed -n 's/^Version: //p')" != "$CHECKOV_VERSION" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

# checkov's terraform_json parser fails on the top-level `moved` list and on
# `terraform.required_version` (a string where it expects blocks), and then reports the stack as
# passed, with a parsing error: each stack is scanned from a copy without them. Neither configures
# anything a policy could check.
scan_dir=$(mktemp -d)
synth_dir=${1:-}
if [ -z "$synth_dir" ]; then
  synth_dir=$(mktemp -d)
  trap 'rm -rf "$synth_dir" "$scan_dir"' EXIT
  CHECKPOINT_DISABLE=1 CDKTF_OUTDIR="$synth_dir" node --require tsx/cjs main.ts
else
  trap 'rm -rf "$scan_dir"' EXIT
fi

# Every skip needs a reason: `<id> <reason>`; blank lines and # comments are ignored.
skips=$(awk '!/^[[:space:]]*(#|$)/ { if (NF < 2) { print "skips.txt: " $1 " has no reason" > "/dev/stderr"; exit 1 } print $1 }' "$skips_file" | paste -sd, -)

stacks=("$synth_dir"/stacks/*/)
[ -d "${stacks[0]}" ] || { echo "checkov: no stacks under $synth_dir/stacks" >&2; exit 1; }
status=0
for dir in "${stacks[@]}"; do
  stack=$(basename "$dir")
  echo "checkov: $stack"
  mkdir -p "$scan_dir/$stack"
  node -e 'const fs = require("fs"); const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); delete j.moved; if (j.terraform) delete j.terraform.required_version; fs.writeFileSync(process.argv[2], JSON.stringify(j, null, 2));' \
    "$dir/cdk.tf.json" "$scan_dir/$stack/cdk.tf.json"
  out=$("$venv/bin/checkov" --quiet --compact --skip-download --framework terraform_json \
    -f "$scan_dir/$stack/cdk.tf.json" ${skips:+--skip-check "$skips"} 2>&1) || status=1
  echo "$out"
  # A stack checkov cannot parse is not a stack that passed.
  if grep -qE 'Parsing errors: [1-9]' <<<"$out"; then
    echo "checkov: $stack could not be parsed" >&2
    status=1
  fi
done
[ "$status" = 0 ] && echo "checkov: every stack passed" || echo "checkov: failures above" >&2
exit "$status"
