/**
 * Plan review on pull requests: reads plans and render diffs, writes the one summary comment.
 *
 *   plan-review.ts cluster <stack dir>
 *       prints "<name> <region>" of the EKS cluster the stack's providers reach (nothing for a
 *       stack that reaches no EKS cluster), so CI can probe it before planning
 *   plan-review.ts counts < show.json > counts.json
 *       reduces `terraform show -json <plan>` to addresses and actions (no values: the JSON plan
 *       holds sensitive values in clear, so only this reduction leaves the runner)
 *   plan-review.ts summary <plans dir> <render diff file> <run url>
 *       prints the Markdown comment: per stack adds/changes/destroys with replacements called out,
 *       stacks skipped and why, per-environment render diff, links to the artifacts
 */
import * as fs from 'fs';
import * as path from 'path';

/** Marker that identifies the summary comment, so each push updates the same one. */
export const COMMENT_MARKER = '<!-- plan-review-summary -->';

/** A planned stack reduced to what the summary shows. */
export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Resources destroyed and created again (`-/+` or `+/-`). */
  readonly replace: readonly string[];
  /** Resources only destroyed. */
  readonly deleted: readonly string[];
}

interface ResourceChange {
  address: string;
  change: { actions: string[] };
}

/** Counts of `terraform show -json` output, as Terraform's own summary line counts them. */
export function planCounts(plan: { resource_changes?: ResourceChange[] }): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  const replace: string[] = [];
  const deleted: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions;
    if (actions.includes('create')) add++;
    if (actions.includes('update')) change++;
    if (actions.includes('delete')) destroy++;
    if (actions.includes('create') && actions.includes('delete')) replace.push(rc.address);
    else if (actions.length === 1 && actions[0] === 'delete') deleted.push(rc.address);
  }
  return { add, change, destroy, replace, deleted };
}

/** `<name> <region>` of the EKS cluster a synthesized stack looks up, or undefined. */
export function stackCluster(stack: { data?: Record<string, Record<string, { name?: string }>>; provider?: Record<string, { region?: string }[]> }) {
  const cluster = Object.values(stack.data?.aws_eks_cluster ?? {})[0];
  const region = stack.provider?.aws?.[0]?.region;
  return cluster?.name && region ? `${cluster.name} ${region}` : undefined;
}

/** Render diff lines per environment, from `npm run render -- --diff` output. */
export function renderDiffByEnvironment(diff: string): Map<string, string[]> {
  const byEnv = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of diff.split('\n')) {
    const header = /^diff --git \S*?\/([^/\s]+)\/[^/\s]+\.yaml \S*?\/([^/\s]+)\/[^/\s]+\.yaml$/.exec(line);
    if (header) {
      const env = header[2];
      current = byEnv.get(env) ?? [];
      byEnv.set(env, current);
    }
    current?.push(line);
  }
  return byEnv;
}

const FENCE = '````';
const LIMIT_PER_ENV = 12_000;

/** The Markdown of the summary comment. */
export function summary(plansDir: string, renderDiff: string | undefined, runUrl: string): string {
  const out = [COMMENT_MARKER, '## Plan review', ''];
  const files = fs.existsSync(plansDir) ? fs.readdirSync(plansDir).sort() : [];
  const stacks = [...new Set(files.map((f) => f.replace(/\.(counts\.json|skipped|txt|log)$/, '')))].filter((s) => files.some((f) => f.startsWith(`${s}.`)));
  out.push('| stack | add | change | destroy | notes |', '| --- | ---: | ---: | ---: | --- |');
  const skipped: string[] = [];
  for (const stack of stacks) {
    const skipFile = path.join(plansDir, `${stack}.skipped`);
    const countsFile = path.join(plansDir, `${stack}.counts.json`);
    if (fs.existsSync(skipFile)) {
      const reason = fs.readFileSync(skipFile, 'utf8').trim();
      skipped.push(stack);
      out.push(`| \`${stack}\` | – | – | – | **not planned**: ${reason.replace(/\|/g, '\\|')} |`);
    } else if (fs.existsSync(countsFile)) {
      const c = JSON.parse(fs.readFileSync(countsFile, 'utf8')) as PlanCounts;
      const notes = [
        ...(c.replace.length ? [`⚠️ **replaces** ${c.replace.map((a) => `\`${a}\``).join(', ')}`] : []),
        ...(c.deleted.length ? [`destroys ${c.deleted.map((a) => `\`${a}\``).join(', ')}`] : []),
      ];
      out.push(`| \`${stack}\` | ${c.add} | ${c.change} | ${c.destroy} | ${notes.join('; ') || (c.add + c.change + c.destroy === 0 ? 'no changes' : '')} |`);
    } else {
      out.push(`| \`${stack}\` | – | – | – | **plan failed** (see the plan log artifact) |`);
    }
  }
  if (stacks.length === 0) out.push('| (no plans: see the workflow run) | | | | |');
  if (skipped.length)
    out.push('', `Not planned: ${skipped.map((s) => `\`${s}\``).join(', ')}. These stacks read the cluster's API; see docs/promotion.md#plan-review.`);
  out.push('', '### What Argo CD will render (per environment)', '');
  if (renderDiff === undefined) out.push('The render job produced no diff (see the run).');
  else {
    const byEnv = renderDiffByEnvironment(renderDiff);
    if (byEnv.size === 0) out.push('No change to any rendered Application.');
    for (const [env, lines] of byEnv) {
      const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
      const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
      let text = lines.join('\n');
      if (text.length > LIMIT_PER_ENV) text = `${text.slice(0, LIMIT_PER_ENV)}\n… (truncated: the full diff is in the rendered artifact)`;
      out.push(
        `<details><summary><b>${env}</b>: +${added} −${removed} lines</summary>`,
        '',
        `${FENCE}diff`,
        text.replaceAll(FENCE, '```'),
        FENCE,
        '',
        '</details>',
      );
    }
    out.push('', 'dev follows `main`: it gets this change at merge. staging and prod get it when it is promoted (`npm run promote`).');
  }
  out.push('', `Full plans (redacted text) and rendered manifests: [artifacts of this run](${runUrl}#artifacts).`);
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'cluster' && args.length === 1) {
    const found = stackCluster(JSON.parse(fs.readFileSync(path.join(args[0], 'cdk.tf.json'), 'utf8')));
    if (found) console.log(found);
  } else if (command === 'counts' && args.length === 0) {
    process.stdout.write(`${JSON.stringify(planCounts(JSON.parse(fs.readFileSync(0, 'utf8'))))}\n`);
  } else if (command === 'summary' && args.length === 3) {
    const diff = fs.existsSync(args[1]) ? fs.readFileSync(args[1], 'utf8') : undefined;
    process.stdout.write(summary(args[0], diff, args[2]));
  } else {
    console.error('usage: plan-review.ts cluster <stack dir> | counts < show.json | summary <plans dir> <render diff> <run url>');
    process.exitCode = 2;
  }
}
