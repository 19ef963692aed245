/**
 * The plan-review comment, built by the default branch's tooling (`.github/workflows/plan-comment.yml`)
 * from what the pull request's run left behind. The plans and the render diff come from code the
 * pull request may change, so they are read as untrusted data: bounded, validated, and shown
 * literally. What the pull request cannot forge (the files it changes, from GitHub's API; the
 * configuration's promotion chain, from the default branch) decides the warnings and the footer.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { ChainLink } from '../promote/chain';
import { code, fenced, readBounded, visible } from './markdown';

/** Marker that identifies the summary comment, so each run updates the same one. */
export const COMMENT_MARKER = '<!-- plan-review-summary -->';

/** Bytes read from the render diff artifact; the rest is in the artifact. */
export const RENDER_DIFF_MAX_BYTES = 1_000_000;
/** Characters of render diff shown, shared by the environments. */
const RENDER_DIFF_SHOWN = 36_000;
/** Plan artifact files read; more are reported and ignored. */
const PLAN_FILES_MAX = 120;
/** Addresses named per table cell. */
const ADDRESSES_SHOWN = 15;
/** Changed files named per area. */
const FILES_SHOWN = 12;

/** Top-level paths whose change alters what Terraform creates (and, through it, the render). */
export const TERRAFORM_INPUTS: readonly string[] = [
  'apps/catalog.ts',
  'environments/',
  'constructs/',
  'stacks/',
  'contracts/',
  'main.ts',
  'cdktf.json',
  'package.json',
  'package-lock.json',
];
/** Paths Argo CD renders from the environment's ref: charts and generated values. */
export const ARGO_CD_INPUTS: readonly string[] = ['apps/'];
/** Paths of the code that produces this comment's evidence (tests, synth, render, plans). */
export const EVIDENCE_PRODUCERS: readonly string[] = ['.github/', 'tools/', 'package.json', 'package-lock.json', 'tsconfig.json', 'jest.config.js'];

const within = (file: string, prefixes: readonly string[]) => prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));

/** Changed files by what they affect (one file may be in several areas). */
export interface ChangeAreas {
  /** Rendered by Argo CD from the ref (`apps/**`). */
  readonly argoCd: readonly string[];
  /** Read by the program: what Terraform creates. */
  readonly terraform: readonly string[];
  /** The tooling that produced the evidence. */
  readonly evidence: readonly string[];
}

/** Sorts `files` (repository paths from GitHub's API) into {@link ChangeAreas}. */
export function changeAreas(files: readonly string[]): ChangeAreas {
  return {
    argoCd: files.filter((f) => within(f, ARGO_CD_INPUTS)),
    terraform: files.filter((f) => within(f, TERRAFORM_INPUTS)),
    evidence: files.filter((f) => within(f, EVIDENCE_PRODUCERS)),
  };
}

const COUNTS = z
  .object({
    add: z.number().int().nonnegative(),
    change: z.number().int().nonnegative(),
    destroy: z.number().int().nonnegative(),
    replace: z.array(z.string()).max(10_000),
    deleted: z.array(z.string()).max(10_000),
  })
  .strict();

/** One stack of the plan artifacts. */
export type StackResult =
  | { readonly stack: string; readonly env: string; readonly status: 'planned'; readonly counts: z.infer<typeof COUNTS> }
  | { readonly stack: string; readonly env: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly stack: string; readonly env: string; readonly status: 'failed'; readonly reason: string };

/** The plan artifacts as data: stacks of known environments only, unreadable files counted. */
export function readPlans(dir: string | undefined, envs: readonly string[]): { stacks: StackResult[]; ignored: number } {
  if (!dir || !fs.existsSync(dir)) return { stacks: [], ignored: 0 };
  const entries = fs.readdirSync(dir).sort();
  let ignored = Math.max(0, entries.length - PLAN_FILES_MAX);
  const names = new Map<string, Set<string>>();
  for (const entry of entries.slice(0, PLAN_FILES_MAX)) {
    const m = /^([a-z0-9][a-z0-9-]{0,62})\.(counts\.json|skipped|txt|log)$/.exec(entry);
    const env = m && envs.find((e) => m[1].startsWith(`${e}-`));
    if (!m || !env) {
      ignored++;
      continue;
    }
    names.set(m[1], (names.get(m[1]) ?? new Set()).add(m[2]));
  }
  const stacks: StackResult[] = [];
  for (const [stack, kinds] of names) {
    const env = envs.find((e) => stack.startsWith(`${e}-`))!;
    if (kinds.has('skipped')) {
      stacks.push({ stack, env, status: 'skipped', reason: readBounded(path.join(dir, `${stack}.skipped`), 500)?.text.trim() ?? '' });
      continue;
    }
    const raw = kinds.has('counts.json') ? readBounded(path.join(dir, `${stack}.counts.json`), 2_000_000) : undefined;
    let parsed: z.infer<typeof COUNTS> | undefined;
    try {
      parsed = raw && !raw.truncated ? COUNTS.parse(JSON.parse(raw.text)) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed) stacks.push({ stack, env, status: 'planned', counts: parsed });
    else
      stacks.push({
        stack,
        env,
        status: 'failed',
        reason: raw ? 'its counts are not valid (see the plan artifact)' : 'plan failed (see the plan log artifact)',
      });
  }
  return { stacks, ignored };
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

/** A job of the pull request's run, as GitHub's API lists it. */
export interface JobResult {
  readonly name: string;
  /** `success`, `failure`, `skipped`, `cancelled`, … (empty while running). */
  readonly conclusion: string;
}

/** What the comment is built from. */
export interface ReviewInput {
  /** The promotion chain of the default branch's configuration. */
  readonly chain: readonly ChainLink[];
  /** Folder of the plan artifacts (`plans-*`, merged), if any were downloaded. */
  readonly plansDir?: string;
  /** The render job's `diff.txt`, if it was downloaded. */
  readonly renderDiffFile?: string;
  /** Files the pull request changes (GitHub's API); undefined when they could not be listed. */
  readonly changedFiles?: readonly string[];
  /** The run's jobs and their conclusions (GitHub's API). */
  readonly jobs: readonly JobResult[];
  /** The pull request head commit the run tested. */
  readonly headSha: string;
  /** The run's page. */
  readonly runUrl: string;
}

/** Terraform status of one environment in the plan artifacts. */
export type PlanStatus = 'changes' | 'no-changes' | 'incomplete' | 'not-planned';

/** {@link PlanStatus} of `env`. */
export function planStatus(stacks: readonly StackResult[], env: string): PlanStatus {
  const own = stacks.filter((s) => s.env === env);
  if (own.length === 0) return 'not-planned';
  if (own.some((s) => s.status === 'planned' && s.counts.add + s.counts.change + s.counts.destroy > 0)) return 'changes';
  return own.every((s) => s.status === 'planned') ? 'no-changes' : 'incomplete';
}

/** What the footer is derived from. */
export interface FooterFacts {
  readonly chain: readonly ChainLink[];
  /** Environments whose rendered Applications change; undefined: no render evidence. */
  readonly renderChanged?: ReadonlySet<string>;
  /** Terraform status per environment. */
  readonly plans: ReadonlyMap<string, PlanStatus>;
  /** Whether the change touches what Terraform creates (true when the changed files are unknown). */
  readonly terraformInputs: boolean;
}

/** The footer: what reaches which environment, and when. */
export function footer(facts: FooterFacts): string[] {
  const lines = ['### What reaches which environment, when', ''];
  for (const link of facts.chain) {
    const env = link.env;
    const parts: string[] = [];
    const rendered = facts.renderChanged?.has(env);
    const plan = facts.plans.get(env) ?? 'not-planned';
    if (link.followsMainline) {
      if (facts.renderChanged === undefined)
        parts.push('render unknown (no render artifact); whatever the charts and values render reaches it when Argo CD syncs `main` after the merge');
      else if (rendered) parts.push('Argo CD applies the render changes above when it syncs `main` after the merge');
      else parts.push('no rendered change');
      if (plan === 'changes' || (plan !== 'no-changes' && facts.terraformInputs))
        parts.push(`Terraform-side changes (a new app's namespace, Secrets and Application; infrastructure) reach it only with \`npm run deploy -- ${env}\``);
      lines.push(`- **${env}** follows \`main\`: ${parts.join('; ')}.`);
      continue;
    }
    const previous = facts.chain.find((l) => l.env === link.previous);
    const after = previous && !previous.followsMainline ? ` (once ${previous.env} runs it)` : '';
    const promote = `\`npm run promote -- ${env}\` moves \`${link.ref}\` to a commit that contains this merge${after}`;
    if (facts.renderChanged === undefined) parts.push(`render unknown (no render artifact); app changes arrive only when ${promote}`);
    else if (rendered) parts.push(`the render changes above arrive only when ${promote}`);
    else parts.push('no rendered change');
    const reviewed = `a reviewed \`npm run plan -- ${env}\` applied with \`npm run deploy -- ${env} --plan <dir>\``;
    if (plan === 'changes') parts.push(`the Terraform changes planned above apply only with ${reviewed}`);
    else if (plan === 'no-changes') parts.push('no Terraform change planned');
    else if (facts.terraformInputs)
      parts.push(`Terraform ${plan === 'incomplete' ? 'not fully planned here' : 'not planned here'}: its changes apply only with ${reviewed}`);
    lines.push(`- **${env}** follows \`${link.ref}\`: ${parts.join('; ')}.`);
  }
  const promoted = facts.chain.filter((l) => !l.followsMainline).map((l) => l.env);
  if (promoted.length) lines.push('', `Merging moves only \`main\`: ${promoted.join(' and ')} change only through the commands above.`);
  return lines;
}

function fileList(files: readonly string[]): string {
  const shown = files.slice(0, FILES_SHOWN).map((f) => code(f, 120));
  return files.length > FILES_SHOWN ? `${shown.join(', ')} and ${files.length - FILES_SHOWN} more` : shown.join(', ');
}

function addressList(addresses: readonly string[]): string {
  const shown = addresses.slice(0, ADDRESSES_SHOWN).map((a) => code(a, 160, true));
  return addresses.length > ADDRESSES_SHOWN ? `${shown.join(', ')} and ${addresses.length - ADDRESSES_SHOWN} more` : shown.join(', ');
}

/** The Markdown of the comment. */
export function reviewComment(input: ReviewInput): string {
  const envs = input.chain.map((l) => l.env);
  const out = [COMMENT_MARKER, '## Plan review', '', `Commit ${code(input.headSha, 64)}; [workflow run](${input.runUrl}).`, ''];
  const areas = input.changedFiles ? changeAreas(input.changedFiles) : undefined;
  const jobFailed = (name: string) => input.jobs.some((j) => j.name.split(' ')[0] === name && j.conclusion !== 'success');

  if (!areas) out.push('⚠️ The changed files could not be listed: the warnings below assume everything changed.', '');
  else if (areas.evidence.length)
    out.push(
      `⚠️ **This pull request changes the code that produced the evidence below**: ${fileList(areas.evidence)}. The plans, render diff and job results come from that code; the footer and these warnings do not. Review those files first.`,
      '',
    );

  out.push('### Jobs', '', '| job | result |', '| --- | --- |');
  for (const job of input.jobs.slice(0, 30)) out.push(`| ${code(job.name, 80, true)} | ${code(job.conclusion || 'unfinished', 20, true)} |`);
  if (input.jobs.length === 0) out.push('| (no jobs listed) | |');

  out.push('', '### Terraform plans', '');
  const { stacks, ignored } = readPlans(input.plansDir, envs);
  out.push('| stack | add | change | destroy | notes |', '| --- | ---: | ---: | ---: | --- |');
  for (const s of stacks) {
    if (s.status === 'skipped') out.push(`| \`${s.stack}\` | – | – | – | **not planned**: ${code(s.reason, 400, true)} |`);
    else if (s.status === 'failed') out.push(`| \`${s.stack}\` | – | – | – | **${s.reason}** |`);
    else {
      const c = s.counts;
      const notes = [
        ...(c.replace.length ? [`⚠️ **replaces** ${addressList(c.replace)}`] : []),
        ...(c.deleted.length ? [`destroys ${addressList(c.deleted)}`] : []),
      ];
      out.push(`| \`${s.stack}\` | ${c.add} | ${c.change} | ${c.destroy} | ${notes.join('; ') || (c.add + c.change + c.destroy === 0 ? 'no changes' : '')} |`);
    }
  }
  if (stacks.length === 0) out.push('| (no plans: see the workflow run) | | | | |');
  const skipped = stacks.filter((s) => s.status === 'skipped');
  if (skipped.length)
    out.push('', `Not planned: ${skipped.map((s) => `\`${s.stack}\``).join(', ')}. These stacks read the cluster's API; see docs/promotion.md#plan-review.`);
  if (ignored) out.push('', `${ignored} unexpected file(s) in the plan artifacts were ignored.`);

  out.push('', '### What Argo CD will render (per environment)', '');
  const diff = input.renderDiffFile ? readBounded(input.renderDiffFile, RENDER_DIFF_MAX_BYTES) : undefined;
  let renderChanged: Set<string> | undefined;
  if (!diff) out.push('⚠️ **No render diff**: the render job left no `diff.txt` (see the run). Nothing is known about the rendered Applications.');
  else {
    if (jobFailed('render')) out.push('⚠️ **The render job did not succeed**: the diff below may be incomplete.', '');
    const byEnv = renderDiffByEnvironment(diff.text);
    const unknown = [...byEnv.keys()].filter((e) => !envs.includes(e));
    renderChanged = new Set([...byEnv.keys()].filter((e) => envs.includes(e)));
    if (renderChanged.size === 0) {
      out.push('No change to any rendered Application.');
      const inputs = areas ? [...areas.argoCd, ...areas.terraform] : undefined;
      if (!inputs || inputs.length)
        out.push(
          '',
          `⚠️ This pull request changes files the render reads${inputs ? ` (${fileList([...new Set(inputs)])})` : ''}, yet the render diff is empty: check that this is expected.`,
        );
    }
    const share = Math.floor(RENDER_DIFF_SHOWN / Math.max(1, renderChanged.size));
    for (const env of renderChanged) {
      const lines = byEnv.get(env)!;
      const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
      const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
      let text = lines.join('\n').replace(/\n+$/, '');
      if (text.length > share) text = `${text.slice(0, share)}\n… (truncated: the full diff is in the rendered artifact)`;
      out.push(`<details><summary><b>${env}</b>: +${added} −${removed} lines</summary>`, '', fenced(text, 'diff'), '', '</details>');
    }
    if (diff.truncated) out.push('', `The render diff is longer than ${RENDER_DIFF_MAX_BYTES} bytes: only its beginning was read.`);
    if (unknown.length)
      out.push(
        '',
        `Ignored: diff sections for environments that are not configured (${unknown
          .slice(0, 5)
          .map((e) => code(e, 40))
          .join(', ')}).`,
      );
  }

  const plans = new Map(envs.map((e) => [e, planStatus(stacks, e)]));
  out.push('', ...footer({ chain: input.chain, renderChanged, plans, terraformInputs: !areas || areas.terraform.length > 0 }));
  out.push('', `Full plans (redacted text) and rendered manifests: [artifacts of the run](${input.runUrl}#artifacts).`);
  return visible(`${out.join('\n')}\n`);
}
