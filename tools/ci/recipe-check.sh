#!/usr/bin/env bash
# Follows the README's "Adding an application" recipe literally on a copy of the repository, with
# the fixture app of test/apps (its own chart, another Ingress layout), and runs what a user
# runs: facts for the new chart, the stack snapshots' review, synth, npm test and npm run check.
# Any other file the recipe would have to touch makes one of them fail. Prints the time each step
# took. Usage: bash tools/ci/recipe-check.sh  (RECIPE_KEEP=1 keeps the copy)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/recipe-check.XXXXXX")
[ "${RECIPE_KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1
started=$SECONDS
step() { echo "recipe-check: $1 ($((SECONDS - t)) s)"; }

t=$SECONDS
# The committed and working-tree files, as a clone would have them (no caches, no output).
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$work" -xf -
ln -s "$repo/node_modules" "$work/node_modules"
cd "$work"
step "copy of the repository in $work"

# 1. apps/<name>/: the wrapper chart.
cp -R test/apps/fixture-app apps/vectordb
# 2. One entry in apps/catalog.ts, and its name in the list.
marker='/** Every app the platform deploys. */'
grep -qF "$marker" apps/catalog.ts || { echo "recipe-check: apps/catalog.ts lost the line: $marker" >&2; exit 1; }
node -e '
  const fs = require("fs");
  const [file, entry, marker] = process.argv.slice(1);
  let text = fs.readFileSync(file, "utf8");
  text = text.replace(marker, () => fs.readFileSync(entry, "utf8") + "\n" + marker);
  const list = /(export const CATALOG: readonly AppDefinition\[\] = \[)([^\]]*)\]/;
  if (!list.test(text)) throw new Error("no CATALOG list in " + file);
  fs.writeFileSync(file, text.replace(list, (_, head, names) => `${head}${names.trim()}, VECTORDB]`));
' apps/catalog.ts test/apps/fixture-entry.ts.txt "$marker"
echo "recipe-check: apps/vectordb/ and one catalog entry added"

t=$SECONDS
# 3. The one command for the new chart's facts (offline, from the chart's folder).
npm run -s fetch-upstream -- vectordb --from test/apps/fixture-upstream/vectordb
step "fetch-upstream vectordb"

t=$SECONDS
# 4. The app's generated value files (apps/vectordb/generated/<env>.yaml), committed with it.
npm run -s values
step "values"

t=$SECONDS
npx cdktf synth >/dev/null
step "synth"

t=$SECONDS
# 5. The stacks' snapshots change with the app (a reviewed update, as the README says).
npx jest -u test/stacks 2>&1 | grep -E '^(Tests|Snapshots):|●'
step "snapshots updated"

t=$SECONDS
npm test
step "npm test"

t=$SECONDS
npm run -s check
step "npm run check"
echo "recipe-check: passed in $((SECONDS - started)) s"
