/**
 * Plan review on pull requests: reads plans and render diffs, writes the one summary comment.
 *
 *   plan-review.ts cluster <stack dir>
 *       prints "<name> <region>" of the EKS cluster the stack's providers reach (nothing for a
 *       stack that reaches no EKS cluster), so CI can probe it before planning
 *   plan-review.ts counts < show.json > counts.json
 *       reduces `terraform show -json <plan>` to addresses and actions (no values: the JSON plan
 *       holds sensitive values in clear, so only this reduction leaves the runner)
 *   plan-review.ts comment --head <sha> --run-url <url> --jobs <file> [--changed <file>]
 *                          [--plans <dir>] [--render-diff <file>]
 *       prints the Markdown comment (see review-comment.ts). Run only by the default branch's
 *       tooling: the plans and the render diff are the pull request's artifacts, read as data;
 *       --changed holds the files GitHub lists for the pull request and --jobs the run's jobs,
 *       one JSON value per line (a string; {"name", "conclusion"})
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { configuredChain } from '../promote/config';
import { ChainLink } from '../promote/chain';
import { readBounded } from './markdown';
import { JobResult, ReviewInput, reviewComment } from './review-comment';

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

const JOB = z.object({ name: z.string().max(500), conclusion: z.string().max(50).nullable() });

/** JSON values, one per line, of a bounded file; lines that are not `schema` are dropped. */
function jsonLines<T>(file: string, schema: z.ZodType<T>, maxBytes: number): T[] {
  const read = readBounded(file, maxBytes);
  if (!read) throw new Error(`${file}: not readable`);
  return read.text.split('\n').flatMap((line) => {
    try {
      return [schema.parse(JSON.parse(line))];
    } catch {
      return [];
    }
  });
}

/** {@link ReviewInput} from the `comment` command's options. */
export function commentInput(argv: readonly string[], chain: readonly ChainLink[]): ReviewInput {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--head', '--run-url', '--jobs', '--changed', '--plans', '--render-diff'].includes(argv[i]) || argv[i + 1] === undefined)
      throw new Error(`comment: unexpected argument ${JSON.stringify(argv[i])}`);
    options.set(argv[i], argv[i + 1]);
  }
  const head = options.get('--head') ?? '';
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(head)) throw new Error(`comment: --head must be a full commit SHA (got ${JSON.stringify(head)})`);
  const runUrl = options.get('--run-url') ?? '';
  if (!/^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/actions\/runs\/[0-9]+$/.test(runUrl))
    throw new Error(`comment: --run-url must be a workflow run's https URL (got ${JSON.stringify(runUrl)})`);
  const jobsFile = options.get('--jobs');
  if (!jobsFile) throw new Error('comment: --jobs is required');
  const jobs: JobResult[] = jsonLines(jobsFile, JOB, 1_000_000).map((j) => ({ name: j.name, conclusion: j.conclusion ?? '' }));
  const changed = options.get('--changed');
  return {
    chain,
    headSha: head,
    runUrl,
    jobs,
    changedFiles: changed ? jsonLines(changed, z.string().max(4096), 10_000_000) : undefined,
    plansDir: options.get('--plans'),
    renderDiffFile: options.get('--render-diff'),
  };
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'cluster' && args.length === 1) {
    const found = stackCluster(JSON.parse(fs.readFileSync(path.join(args[0], 'cdk.tf.json'), 'utf8')));
    if (found) console.log(found);
  } else if (command === 'counts' && args.length === 0) {
    process.stdout.write(`${JSON.stringify(planCounts(JSON.parse(fs.readFileSync(0, 'utf8'))))}\n`);
  } else if (command === 'comment') {
    process.stdout.write(reviewComment(commentInput(args, configuredChain())));
  } else {
    console.error(
      'usage: plan-review.ts cluster <stack dir> | counts < show.json | comment --head <sha> --run-url <url> --jobs <file> [--changed <file>] [--plans <dir>] [--render-diff <file>]',
    );
    process.exitCode = 2;
  }
}
