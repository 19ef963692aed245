/**
 * Reusable validation rules for environment configuration. Each rule's message states what is
 * allowed; the validator prefixes it with `<env>.<field.path>: ` and the test suite matches it.
 */
import { z } from 'zod';

/** An exact `MAJOR.MINOR.PATCH` version (optional pre-release/build), never a range or `latest`. */
export { EXACT_VERSION } from '../contracts/versions';
/** The value rules app settings in the catalog share with the environment schema. */
export { QUANTITY, exactVersion, modelName, quantity, resourceList, resources } from '../contracts/rules';
import { exactVersion } from '../contracts/rules';

/**
 * https Git URL (`https://host/org/repo.git`) or scp-style SSH (`git@host:org/repo.git`); no part
 * starts with `-`, which git or ssh could read as an option.
 */
export const GIT_URL = /^(?:https:\/\/[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?\/[^\s]+|[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[^\s/-][^\s]*)$/;

/** An RFC 1123 DNS name with at least two labels. */
export const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A commit id: 7-40 hex characters (SHA-1), or 64 (SHA-256). */
const COMMIT_SHA = /^(?:[0-9a-f]{7,40}|[0-9a-f]{64})$/;

/**
 * Why `revision` is not a Git revision Argo CD should track, or undefined: a commit SHA, or a
 * branch/tag name following git's ref-name rules (`git check-ref-format`), never an option
 * (`-…`) or a refspec (`+…`, `a:b`).
 */
export function gitRevisionProblem(revision: string): string | undefined {
  if (revision === '') return 'must not be empty';
  if (revision.length > 255) return 'must be at most 255 characters';
  if (COMMIT_SHA.test(revision)) return undefined;
  if (revision.startsWith('-')) return 'must not start with "-"';
  if (revision.startsWith('+') || revision.includes(':')) return 'must be a branch, tag or commit, not a refspec ("+" or ":")';
  if (/\s/.test(revision)) return 'must not contain whitespace';
  if (revision.includes('..')) return 'must not contain ".."';
  if (/[~^?*[\\]/.test(revision)) return 'must not contain ~ ^ ? * [ or \\';
  if (revision.includes('@{') || revision === '@') return 'must not contain "@{" or be "@"';
  if (revision.startsWith('/') || revision.endsWith('/') || revision.includes('//')) return 'must not start or end with "/" or contain "//"';
  if (revision.endsWith('.')) return 'must not end with "."';
  if (revision.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock')))
    return 'must not have a component starting with "." or ending with ".lock"';
  return undefined;
}

/** Git revision (branch, tag or commit) as Argo CD accepts it. */
export const gitRevision = () =>
  z.string().superRefine((value, ctx) => {
    const message = gitRevisionProblem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/**
 * Characters a shell or an ssh `ProxyCommand` would interpret (command separators, substitution,
 * pipes, redirection, quoting, globbing, history expansion, comments) and that no Git host URL
 * needs. Argo CD and CI hand the URL to git and ssh; none of these may reach them.
 */
export const SHELL_METACHARACTERS = /[;&|$`<>()\\'"!*?[\]{}#^]/g;

/** Why `url` cannot be a Git URL because of shell metacharacters, or undefined. */
export function shellMetacharacterProblem(url: string): string | undefined {
  const found = [...new Set(url.match(SHELL_METACHARACTERS) ?? [])];
  if (found.length === 0) return undefined;
  return `must not contain shell metacharacters (got ${found.map((c) => `"${c}"`).join(', ')}); a URL holds only letters, digits and punctuation such as . _ ~ - / : @ % + =`;
}

/** Git repository URL. */
export const gitUrl = () =>
  z
    .string()
    .max(2048, { error: 'must be at most 2048 characters' })
    .superRefine((url, ctx) => {
      const message = shellMetacharacterProblem(url);
      if (message) ctx.addIssue({ code: 'custom', message });
    })
    .regex(GIT_URL, { error: 'must be an https:// Git URL or an scp-style SSH URL such as git@github.com:org/repo.git' })
    .refine((url) => !/^https:\/\/[^/]*@/.test(url), {
      error: 'must not carry credentials (user:token@); use the repository credentials variables instead',
    });

/** A DNS host name. */
export const dnsName = () => z.string().regex(DNS_NAME, { error: 'must be a lower-case DNS name such as chat.example.com' });

/** An AWS region such as `eu-west-1`. */
export const awsRegion = () => z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, { error: 'must be an AWS region such as eu-west-1' });

/** A Helm chart: repository (empty for a local path), name and exact version. */
export const chartRef = () =>
  z.strictObject({
    repository: z.string().regex(/^(?:$|https:\/\/\S+|oci:\/\/\S+)$/, { error: 'must be an https:// or oci:// URL, or empty for a local chart path' }),
    name: z.string().min(1, { error: 'must not be empty' }),
    version: exactVersion(),
  });

/** Parses `a.b.c.d/n`; undefined when it is not an IPv4 CIDR with zero host bits. */
export function parseIpv4Cidr(value: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o, i) => o > 255 || String(o) !== match[i + 1]) || prefix > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return undefined;
  return { address, prefix };
}

/** An IPv4 CIDR, parsed (octets <= 255, no host bits set), with a prefix in [minPrefix, maxPrefix]. */
export const ipv4Cidr = (minPrefix = 0, maxPrefix = 32) =>
  z
    .string()
    .max(18, { error: 'must be an IPv4 CIDR such as 203.0.113.0/24' })
    .superRefine((value, ctx) => {
      const parsed = parseIpv4Cidr(value);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: 'must be an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, no host bits set)' });
      } else if (parsed.prefix < minPrefix || parsed.prefix > maxPrefix) {
        ctx.addIssue({ code: 'custom', message: `must have a prefix from /${minPrefix} to /${maxPrefix}` });
      }
    });

/**
 * Annotation keys that inject raw configuration into an ingress controller (ingress-nginx's
 * `configuration-snippet`, `server-snippet`, `auth-snippet`, `stream-snippet`,
 * `modsecurity-snippet`; NGINX Inc.'s `server-snippets`, `location-snippets`): whoever writes one
 * runs configuration in the controller, which reads every Secret of the cluster. The annotation
 * class behind the 2025 ingress-nginx critical advisories.
 */
export const SNIPPET_ANNOTATION = /(?:^|\/)[a-z0-9.-]*snippets?$/i;

/** Ingress annotations: any key and value except configuration snippets. */
export const ingressAnnotationRecord = () =>
  z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
    for (const key of Object.keys(annotations)) {
      if (SNIPPET_ANNOTATION.test(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must not be a configuration snippet annotation (got "${key}"): snippets inject raw controller configuration; use the controller's dedicated annotations`,
        });
      }
    }
  });

/** An AWS Backup schedule: `cron(minutes hours day-of-month month day-of-week year)`, in UTC. */
export const awsCron = () =>
  z.string().regex(/^cron\([0-9*?/,LW#A-Z-]+(?: [0-9*?/,LW#A-Z-]+){5}\)$/, {
    error: 'must be an AWS cron expression with six fields such as cron(0 3 * * ? *)',
  });
