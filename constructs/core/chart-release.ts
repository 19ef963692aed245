import { Construct } from 'constructs';
import { Release, ReleaseConfig } from '@cdktf/provider-helm/lib/release';
import { terraformLiteral } from './terraform-literal';
import { ChartRef } from '../../contracts/versions';
import { toYaml } from '../../contracts/yaml';

/** What every Helm release of the platform states: its chart pin and values, and the rest as needed. */
export interface ChartReleaseProps extends Omit<ReleaseConfig, 'chart' | 'repository' | 'version' | 'values'> {
  /** The chart: repository (empty for a local path), name and exact version. */
  readonly chart: ChartRef;
  /** Chart values; written as YAML whose text Terraform reads as a literal. */
  readonly values: Record<string, unknown>;
}

/**
 * A Helm release of a pinned chart. Waits for its workloads (600 s) unless told otherwise; the
 * values' text is escaped so that nothing in it is evaluated as a Terraform template (references
 * to other resources stay references).
 */
export function chartRelease(scope: Construct, id: string, props: ChartReleaseProps): Release {
  const { chart, values, ...options } = props;
  return new Release(scope, id, {
    wait: true,
    timeout: 600,
    ...options,
    repository: chart.repository || undefined,
    chart: chart.name,
    version: chart.version,
    values: [terraformLiteral(toYaml(values))],
  });
}
