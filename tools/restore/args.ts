/** The command line of `npm run restore`. */

/** Usage, printed with every argument error. */
export const USAGE = `usage: npm run restore -- <env> <app> [--volume <claim>] [<recovery point ARN>] [--resync-members] [--context <kube context>] [--dry-run]

  <env>                an EKS environment with backup (staging, prod)
  <app>                an app of the catalog (librechat, ollama, kube-prometheus-stack, …)
  --volume <claim>     the claim to restore, when the app has several
  --resync-members     the claim is one member's of a StatefulSet whose members copy from each other
                       (MongoDB's replica set): the other members' claims are deleted too (their
                       volumes are kept), so they start empty and copy the restored member's data
  <recovery point ARN> default: the latest completed recovery point of the claim's volume
  --context <ctx>      kube context of the cluster (default: the cluster name)
  --dry-run            print every step and command; change nothing`;

/** Parsed command line. */
export interface RestoreArgs {
  readonly env: string;
  readonly app: string;
  readonly volume?: string;
  readonly recoveryPointArn?: string;
  readonly context?: string;
  readonly dryRun: boolean;
  /**
   * Start the other members of the claim's StatefulSet empty, to copy the restored one.
   * @default false
   */
  readonly resyncMembers?: boolean;
}

/** An AWS Backup recovery point ARN of an EBS volume: an EBS snapshot (`arn:aws:ec2:<region>::snapshot/snap-…`). */
const RECOVERY_POINT = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+::snapshot\/snap-[0-9a-f]{8,17}$/;
/** A PersistentVolumeClaim name: a DNS subdomain. */
const CLAIM = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Parses `<env> <app> [--volume <claim>] [<arn>] [--resync-members] [--context <ctx>] [--dry-run]`.
 * @throws Error naming the argument, the rule and the value, with the usage.
 */
export function parseRestoreArgs(argv: readonly string[]): RestoreArgs {
  const positional: string[] = [];
  let volume: string | undefined;
  let context: string | undefined;
  let dryRun = false;
  let resyncMembers = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg}: needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--resync-members') resyncMembers = true;
    else if (arg === '--volume') {
      volume = value();
      if (!CLAIM.test(volume)) throw new Error(`--volume: must be a claim name (lower-case letters, digits, "-" and "."; got "${volume}")`);
    } else if (arg === '--context') {
      context = value();
      if (!/^[A-Za-z0-9@:._/-]{1,253}$/.test(context)) throw new Error(`--context: must be a kube context name (got "${context}")`);
    } else if (arg.startsWith('-')) throw new Error(`unknown option "${arg}"\n${USAGE}`);
    else positional.push(arg);
  }
  const [env, app, recoveryPointArn, ...extra] = positional;
  if (!env) throw new Error(`missing environment\n${USAGE}`);
  if (!/^[a-z][a-z0-9]{0,30}$/.test(env)) throw new Error(`environment: must be lowercase letters and digits (got "${env}")`);
  if (!app) throw new Error(`missing app\n${USAGE}`);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(app)) throw new Error(`app: must be an app name of lower-case letters, digits and "-" (got "${app}")`);
  if (recoveryPointArn !== undefined && !RECOVERY_POINT.test(recoveryPointArn))
    throw new Error(`recovery point: must be the ARN of an EBS recovery point, arn:aws:ec2:<region>::snapshot/snap-… (got "${recoveryPointArn}")`);
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"\n${USAGE}`);
  return { env, app, volume, recoveryPointArn, context, dryRun, ...(resyncMembers ? { resyncMembers } : {}) };
}
