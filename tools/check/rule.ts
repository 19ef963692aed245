import { FACTS_COMMAND, ChartFacts, factsKey, UpstreamFacts } from './facts';
import { chartVersionProblem } from './pin-policy';
import type { EnvironmentPolicy, WrapperChart } from './repository';
import type { StackFile } from './stacks';

/** One problem the check found: printed as `file:path: message`. */
export interface Finding {
  /** File the problem is in, relative to the repository root (e.g. `apps/ollama/values-dev.yaml`). */
  file: string;
  /** Dotted path inside that file (e.g. `ollama.gpu`); empty when the problem concerns the whole file. */
  path: string;
  /** What is wrong, with a suggestion where one exists. */
  message: string;
}

/** Something the check could not verify (e.g. no upstream facts for a chart). Never a silent pass. */
export interface NotChecked {
  /** What was not checked, e.g. `chart ollama 1.77.0 (used by apps/ollama)`. */
  subject: string;
  /** Why, including what to do about it. */
  reason: string;
}

/** Counters for the summary line. */
export interface CheckStats {
  /** Upstream charts whose facts were used (unique `<chart> <version>`). */
  chartsChecked: number;
  /** Upstream charts needed but without facts. */
  chartsNotChecked: number;
  /** Values documents compared (values files, valuesObjects, helm_release values). */
  valuesDocumentsChecked: number;
  /** Argo CD manifests validated against their CRD schema. */
  manifestsValidated: number;
  /** Versions and image tags checked against the pin policy. */
  pinsChecked: number;
}

/** Everything one run of the check produced. */
export interface CheckReport {
  findings: Finding[];
  notChecked: NotChecked[];
  stats: CheckStats;
}

/** Everything the rules look at, already loaded (from disk by repository.ts, or in memory by tests). */
export interface CheckInputs {
  /** Wrapper charts under `apps/`. */
  charts: WrapperChart[];
  /** Synthesized stacks (empty when there are none; `unavailable` then says why). */
  stacks: StackFile[];
  /** Each environment's pre-release policy, or why the environments could not be loaded. */
  environments: EnvironmentPolicy[] | { error: string };
  /** The upstream facts (tools/check/upstream-facts.json). */
  facts: UpstreamFacts;
  /** How to name the facts file in messages. */
  factsFile: string;
  /** Problems found while loading (invalid YAML or JSON, a failed synth). */
  problems: Finding[];
  /** Inputs that could not be loaded at all (no stacks, no wrapper charts). */
  unavailable: NotChecked[];
  /** Where compiled CRD validators are kept between runs; none = compile every run. */
  cacheDir?: string;
}

/** What a rule gets: the inputs, and the ways to report. */
export interface CheckContext {
  readonly inputs: CheckInputs;
  report(finding: Finding): void;
  notChecked(item: NotChecked): void;
  /** Adds to a summary counter. */
  count(counter: keyof CheckStats, by?: number): void;
  /**
   * The facts of an upstream chart, or undefined (inexact version, no facts). Either way the use is
   * recorded: each chart version counts once in the summary, and one without facts is one NOT
   * CHECKED line naming everything that uses it.
   */
  upstreamChart(name: string, version: unknown, usedBy: string): ChartFacts | undefined;
}

/** A check: `check` reports its findings through the context. */
export interface Rule {
  /** Short kebab-case name, e.g. `values-keys`. */
  readonly id: string;
  /** One line: what the rule catches. */
  readonly description: string;
  check(context: CheckContext): void;
}

/** Runs `rules` over `inputs` and returns the findings, the NOT CHECKED items and the counters. */
export function runRules(rules: readonly Rule[], inputs: CheckInputs): CheckReport {
  const report: CheckReport = {
    findings: [],
    notChecked: [],
    stats: { chartsChecked: 0, chartsNotChecked: 0, valuesDocumentsChecked: 0, manifestsValidated: 0, pinsChecked: 0 },
  };
  const uses = new Map<string, { usedBy: string[]; missing?: string }>();
  const context: CheckContext = {
    inputs,
    report: (finding) => report.findings.push(finding),
    notChecked: (item) => report.notChecked.push(item),
    count: (counter, by = 1) => {
      report.stats[counter] += by;
    },
    upstreamChart(name, version, usedBy) {
      const exact = typeof version === 'string' && !chartVersionProblem(version);
      const facts = exact ? inputs.facts.charts[factsKey(name, version)] : undefined;
      const key = `${name} ${typeof version === 'string' ? version : String(version ?? '(none)')}`;
      let use = uses.get(key);
      if (!use) {
        const missing = !exact
          ? 'not an exact version, so there is no single upstream chart to compare with'
          : facts
            ? undefined
            : `no facts for it in ${inputs.factsFile}; run ${FACTS_COMMAND} -- ${name}`;
        use = { usedBy: [], missing };
        uses.set(key, use);
      }
      if (!use.usedBy.includes(usedBy)) use.usedBy.push(usedBy);
      return facts;
    },
  };
  for (const rule of rules) rule.check(context);
  for (const [chart, use] of uses) {
    if (use.missing === undefined) {
      report.stats.chartsChecked++;
      continue;
    }
    report.stats.chartsNotChecked++;
    report.notChecked.push({ subject: `chart ${chart} (used by ${use.usedBy.join(', ')})`, reason: use.missing });
  }
  return report;
}
