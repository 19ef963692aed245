/**
 * The exact-set check of the fault-injection test: after a converged deploy, the objects in the
 * cluster labelled as this program's are exactly the synthesized ones, the Argo CD Helm release
 * has one deployed revision and none pending, and each dev stack's state holds exactly its
 * synthesized resources; after a converged destroy, none of these remain.
 *
 *   fault-objects.ts deployed|destroyed <outdir>
 *
 * Prints what differs and exits 1, or prints one summary line.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MANAGED_LABELS } from '../../constructs/core/managed-labels';
import { stackObjects, stackReleases } from '../deploy/stack-objects';
import * as synth from './synth';

const kubectlBin = process.env.E2E_KUBECTL_BIN ?? 'kubectl';
const tfBin = process.env.E2E_TF_BIN ?? 'terraform';
const selector = Object.entries(MANAGED_LABELS)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

function kubectl(...args: string[]): any[] {
  return JSON.parse(execFileSync(kubectlBin, [...args, '-o', 'json'], { encoding: 'utf8' })).items ?? [];
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

const [mode, outdir] = process.argv.slice(2);
if (!outdir || (mode !== 'deployed' && mode !== 'destroyed')) {
  console.error('usage: fault-objects.ts deployed|destroyed <outdir>');
  process.exit(2);
}
const stacks = synth.devStacks(outdir);
const objects = stacks.flatMap((s) => stackObjects(s.json));
const releases = stacks.flatMap((s) => stackReleases(s.json));
const problems: string[] = [];
const compare = (what: string, expected: string[], actual: string[]) => {
  if (JSON.stringify(expected) !== JSON.stringify(actual)) problems.push(`${what}: expected [${expected.join(', ')}], found [${actual.join(', ')}]`);
};
const want = (resource: string) =>
  mode === 'deployed' ? sorted(objects.filter((o) => o.resource === resource).map((o) => `${o.namespace ?? ''}/${o.name}`)) : [];
const kinds = sorted(objects.map((o) => o.resource));

for (const resource of kinds) {
  const live = kubectl('get', resource, ...(resource === 'namespace' ? [] : ['-A']), '-l', selector)
    // Namespaces (and their objects) the namespace controller is still removing count as gone.
    .filter((o) => !(resource === 'namespace' && o.status?.phase === 'Terminating'))
    .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  compare(`${resource} labelled ${selector}`, want(resource), sorted(live));
}
for (const release of releases) {
  const records = kubectl('get', 'secrets', '-n', release.namespace, '-l', `owner=helm,name=${release.name}`).map((s) => s.metadata.labels.status as string);
  const deployed = records.filter((s) => s === 'deployed').length;
  const pending = records.filter((s) => s.startsWith('pending')).length;
  if (mode === 'deployed' && (deployed !== 1 || pending !== 0))
    problems.push(`Helm release ${release.namespace}/${release.name}: records ${records.join(', ')}`);
  if (mode === 'destroyed' && records.length !== 0) problems.push(`Helm release ${release.namespace}/${release.name} left records ${records.join(', ')}`);
}
for (const stack of stacks) {
  const dir = path.join(outdir, 'stacks', stack.name);
  const expected =
    mode === 'deployed' ? sorted(Object.entries<any>(stack.json.resource ?? {}).flatMap(([type, rs]) => Object.keys(rs).map((id) => `${type}.${id}`))) : [];
  const actual = fs.existsSync(path.join(dir, '.terraform'))
    ? execFileSync(tfBin, ['state', 'list'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean)
    : [];
  compare(`${stack.name} state`, expected, sorted(actual));
}
if (problems.length > 0) {
  for (const p of problems) console.error(`e2e:    objects: ${p}`);
  process.exit(1);
}
console.log(`e2e:    objects: exactly the synthesized set (${mode}): ${kinds.join(', ')}, Helm release, state of ${stacks.map((s) => s.name).join(', ')}`);
