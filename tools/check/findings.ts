/** One problem the check found: printed as `file:path: message`. */
export interface Finding {
  /** File the problem is in, relative to the repository root (e.g. `apps/ollama/values-dev.yaml`). */
  file: string;
  /** Dotted path inside that file (e.g. `ollama.gpu`); empty when the problem concerns the whole file. */
  path: string;
  /** What is wrong, with a suggestion where one exists. */
  message: string;
}

/** Something the check could not verify (e.g. no upstream values for a chart). Never a silent pass. */
export interface NotChecked {
  /** What was not checked, e.g. `chart ollama 1.77.0 (apps/ollama)`. */
  subject: string;
  /** Why, including where the check looked. */
  reason: string;
}

/** Counters for the summary line. */
export interface CheckStats {
  /** Upstream charts whose values keys were compared (unique `<chart>-<version>`). */
  chartsChecked: number;
  /** Upstream charts that could not be compared for lack of upstream data. */
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

/** An empty report, to be filled by the individual checks. */
export function emptyReport(): CheckReport {
  return {
    findings: [],
    notChecked: [],
    stats: { chartsChecked: 0, chartsNotChecked: 0, valuesDocumentsChecked: 0, manifestsValidated: 0, pinsChecked: 0 },
  };
}

/** A piece of a report, as one check returns it. */
export interface ReportPart {
  findings?: Finding[];
  notChecked?: NotChecked[];
  stats?: Partial<CheckStats>;
}

/** Adds `part` into `into` (findings, not-checked items and counters). */
export function mergeReport(into: CheckReport, part: ReportPart): void {
  into.findings.push(...(part.findings ?? []));
  into.notChecked.push(...(part.notChecked ?? []));
  for (const [key, value] of Object.entries(part.stats ?? {}) as [keyof CheckStats, number][]) {
    into.stats[key] += value;
  }
}
