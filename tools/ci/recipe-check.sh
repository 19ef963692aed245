#!/usr/bin/env bash
# Follows the README's "Adding an application" recipe literally on a copy of the repository, with
# the fixture app of test/apps: published in dev on its own host, with settings in every
# environment, a Terraform-generated secret, a dependency on Ollama, its own chart (another Ingress
# layout) rendered with helm. It runs what a user runs: facts for the new chart, npm run docs, the
# stack snapshots' review, synth, npm test, npm run check and, with helm (RENDER_HELM or the
# PATH), npm run render for dev. Then it fails if the recipe changed any file beyond the app's
# folder, its catalog entry, its environment settings and what those commands generate. Prints the
# time each step took. Usage: bash tools/ci/recipe-check.sh  (RECIPE_KEEP=1 keeps the copy)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/recipe-check.XXXXXX")
[ "${RECIPE_KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
export CHECKPOINT_DISABLE=1
started=$SECONDS
step() { echo "recipe-check: $1 ($((SECONDS - t)) s)"; }
fail() {
  echo "recipe-check: FAILED: $1" >&2
  exit 1
}

t=$SECONDS
# The committed and working-tree files, as a clone would have them (no caches, no output), as a
# git repository of its own: its status shows every file the recipe changes.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$work/" -xf -
ln -s "$repo/node_modules" "$work/node_modules"
cd "$work"
git init -q && git add -A && git -c user.name=recipe -c user.email=recipe@example.invalid commit -qm "before the recipe"
step "copy of the repository in $work"

# 1. apps/<name>/: the wrapper chart.
cp -R test/apps/fixture-app apps/vectordb
# 2. One entry in apps/catalog.ts, and its name in the list.
marker='/** Every app the platform deploys. */'
grep -qF "$marker" apps/catalog.ts || fail "apps/catalog.ts lost the line: $marker"
node -e '
  const fs = require("fs");
  const [file, entry, marker] = process.argv.slice(1);
  let text = fs.readFileSync(file, "utf8");
  text = text.replace(marker, () => fs.readFileSync(entry, "utf8") + "\n" + marker);
  const list = /(export const CATALOG: readonly AppDefinition\[\] = \[)([^\]]*)\]/;
  if (!list.test(text)) throw new Error("no CATALOG list in " + file);
  fs.writeFileSync(file, text.replace(list, (_, head, names) => `${head}${names.trim()}, VECTORDB]`));
' apps/catalog.ts test/apps/fixture-entry.ts.txt "$marker"
# 3. Its settings in environments/<env>.ts: apps.vectordb everywhere, ingress.hosts.vectordb in dev.
node -e '
  const fs = require("fs");
  const settings = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const [env, { apps, hosts }] of Object.entries(settings)) {
    const file = `environments/${env}.ts`;
    let text = fs.readFileSync(file, "utf8");
    const literal = (object) => Object.entries(object).map(([key, value]) => `${key}: ${JSON.stringify(value)},`).join(" ");
    const at = (pattern, what) => {
      if (!pattern.test(text)) throw new Error(`${file}: no ${what} to add the app to`);
      return pattern;
    };
    text = text.replace(at(/^  apps: \{/m, "apps: {"), (open) => `${open} ${literal(apps)}`);
    if (hosts) text = text.replace(at(/\bhosts: \{/, "ingress.hosts: {"), (open) => `${open} ${literal(hosts)}`);
    fs.writeFileSync(file, text);
  }
' test/apps/fixture-environments.json
npx prettier --log-level warn --write apps/catalog.ts environments/*.ts
echo "recipe-check: apps/vectordb/, one catalog entry and its environment settings added"

t=$SECONDS
# The one command for the new chart's facts (offline, from the chart's folder).
npm run -s fetch-upstream -- vectordb --from test/apps/fixture-upstream/vectordb
step "fetch-upstream vectordb"

t=$SECONDS
# The app's generated value files (apps/vectordb/generated/<env>.yaml), committed with it.
npm run -s values
step "values"

t=$SECONDS
# README's /etc/hosts line, Secrets table and published hosts follow the entry.
npm run -s docs
grep -qF 'argocd.llm.test chat.llm.test vectors.llm.test" | sudo tee -a /etc/hosts' README.md || fail "npm run docs did not add vectors.llm.test to dev's /etc/hosts line"
grep -qF '| `vectordb-auth` (namespace `vectors`) | `API_KEY`, `OLLAMA_URL` | `vectordb_api_key` |' README.md ||
  fail "npm run docs did not add the vectordb-auth row to the Secrets table"
step "npm run docs"

t=$SECONDS
npx cdktf synth >/dev/null
step "synth"

t=$SECONDS
# 4. The stacks' snapshots change with the app (a reviewed update, as the README says).
npx jest -u test/stacks 2>&1 | grep -E '^(Tests|Snapshots):|●'
step "snapshots updated"

t=$SECONDS
npm test
step "npm test"

t=$SECONDS
npm run -s check
step "npm run check"

t=$SECONDS
helm=${RENDER_HELM:-$(command -v helm || true)}
if [ -n "$helm" ] && "$helm" version --short >/dev/null 2>&1; then
  # Offline: the render tests' stand-ins for the shipped charts, the fixture's own chart for it.
  charts=$(mktemp -d "${TMPDIR:-/tmp}/recipe-charts.XXXXXX")
  cp -R test/render/fixtures/charts/. "$charts/"
  cp -R test/apps/fixture-upstream/vectordb "$charts/vectordb"
  RENDER_HELM=$helm npm run -s render -- --env dev --charts-dir "$charts" --out rendered
  rm -rf "$charts"
  # What the promise means on the cluster: the app on its host, reading the Terraform Secret, and
  # Ollama's NetworkPolicy admitting the app's pods.
  node -e '
    const fs = require("fs");
    const { parseAllDocuments } = require("yaml");
    const objects = (app) => parseAllDocuments(fs.readFileSync(`rendered/dev/${app}.yaml`, "utf8")).map((d) => d.toJS()).filter(Boolean);
    const find = (app, kind, name) => objects(app).find((o) => o.kind === kind && o.metadata.name === name) ?? {};
    const problems = [];
    const host = find("vectordb", "Ingress", "vectordb").spec?.rules?.[0]?.host;
    if (host !== "vectors.llm.test") problems.push(`Ingress vectordb: host ${host}, expected vectors.llm.test`);
    const env = find("vectordb", "Deployment", "vectordb").spec?.template?.spec?.containers?.[0]?.env ?? [];
    if (!env.some((e) => e.valueFrom?.secretKeyRef?.name === "vectordb-auth" && e.valueFrom.secretKeyRef.key === "API_KEY"))
      problems.push("Deployment vectordb: no API_KEY from Secret vectordb-auth");
    const from = (find("ollama", "NetworkPolicy", "ollama-api").spec?.ingress ?? []).flatMap((rule) => rule.from ?? []);
    const admitted = from.some((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "vectors" &&
      peer.podSelector?.matchLabels?.["app.kubernetes.io/instance"] === "vectordb");
    if (!admitted) problems.push("NetworkPolicy ollama/ollama-api: does not admit the vectordb pods of namespace vectors");
    if (problems.length > 0) { for (const p of problems) console.error(`recipe-check: rendered/dev: ${p}`); process.exit(1); }
  ' || fail "the render of dev does not show the app as the recipe promises"
  step "npm run render (dev)"
else
  echo "recipe-check: SKIPPED npm run render: no helm (set RENDER_HELM or put helm on the PATH; tools/e2e/argocd/build.sh builds one)"
fi

# Nothing beyond the recipe: the app's folder, its catalog entry, its environment settings, and
# what the recipe's commands generate (facts, every app's generated value files — Ollama's admit
# the new client —, README's derived lines, snapshots, the address inventory npm test -- -u records).
allowed='^(apps/vectordb/|apps/catalog\.ts$|environments/(dev|staging|prod)\.ts$|apps/[a-z0-9-]+/generated/(dev|staging|prod)\.yaml$|tools/check/upstream-facts\.json$|README\.md$|test/stacks/__snapshots__/|test/stacks/address-inventory\.json$)'
extra=$(git status --porcelain --untracked-files=all | cut -c4- | grep -Ev "$allowed" || true)
[ -z "$extra" ] || fail "the recipe changed files beyond the app's folder, its entry and its settings:
$extra"
echo "recipe-check: passed in $((SECONDS - started)) s"
