import { CheckReport, Finding } from './findings';

/** One problem as printed: `file:path: message` (`file: message` when the whole file is meant). */
export function formatFinding(finding: Finding): string {
  return finding.path ? `${finding.file}:${finding.path}: ${finding.message}` : `${finding.file}: ${finding.message}`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * The lines the CLI prints: problems (sorted by file, in the order found within a file), NOT
 * CHECKED items, the summary, and a loud warning or failure line when something was not checked.
 */
export function formatReport(report: CheckReport, options: { requireUpstream: boolean; stacks?: string }): string[] {
  const lines = [...report.findings].sort((a, b) => a.file.localeCompare(b.file)).map(formatFinding);
  for (const item of report.notChecked) lines.push(`NOT CHECKED: ${item.subject}: ${item.reason}`);
  const { stats } = report;
  lines.push(
    `check: ${plural(stats.chartsChecked, 'chart')} checked, ${stats.chartsNotChecked} not checked; ` +
      `${plural(stats.valuesDocumentsChecked, 'values document')}; ${plural(stats.manifestsValidated, 'manifest')} validated; ` +
      `${plural(stats.pinsChecked, 'pin')} checked${options.stacks ? `; stacks ${options.stacks}` : ''}; ${plural(report.findings.length, 'problem')}`,
  );
  if (report.notChecked.length > 0) {
    const count = plural(report.notChecked.length, 'item');
    lines.push(
      options.requireUpstream
        ? `FAILED: ${count} NOT CHECKED and upstream data is required (--require-upstream / CHECK_REQUIRE_UPSTREAM=1)`
        : `WARNING: ${count} NOT CHECKED — not a pass for them. Run tools/check/fetch-upstream.sh to fetch upstream data; CI fails on this (CHECK_REQUIRE_UPSTREAM=1).`,
    );
  }
  return lines;
}

/** 1 on any problem, or on anything NOT CHECKED when upstream data is required; else 0. */
export function exitCode(report: CheckReport, requireUpstream: boolean): number {
  if (report.findings.length > 0) return 1;
  return requireUpstream && report.notChecked.length > 0 ? 1 : 0;
}
