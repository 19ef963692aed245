import { Fn, Op, Token } from 'cdktf';
import { TerraformData } from '../core/moved';
import { Construct } from 'constructs';
import { DataAwsEc2InstanceType } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type';
import { DataAwsEc2InstanceTypeOfferings } from '@cdktf/provider-aws/lib/data-aws-ec2-instance-type-offerings';
import { DataAwsServicequotasServiceQuota } from '@cdktf/provider-aws/lib/data-aws-servicequotas-service-quota';
import { VcpuQuota } from '../../contracts/eks-types';
import { ConstructError } from '../core/errors';

/** Properties of {@link GpuCapacityPreflight}. */
export interface GpuCapacityPreflightProps {
  /** Name of the GPU NodePool, for the messages. */
  readonly nodePool: string;
  /** Instance types the NodePool may launch. */
  readonly instanceTypes: readonly string[];
  /** The NodePool's limit on GPUs (`nvidia.com/gpu`) of all its nodes together. */
  readonly maxGpus: number;
  /** The vCPU quotas its capacity types draw on (spot and/or on-demand). */
  readonly quotas: readonly VcpuQuota[];
  /** Zones the NodePool launches in; each must offer at least one of the instance types. */
  readonly availabilityZones: readonly string[];
}

/**
 * Plan-time checks of a Karpenter GPU NodePool, on a `terraform_data` resource: for every quota,
 * the vCPUs of the largest fleet the GPU limit allows — per instance type, as many nodes as
 * `floor(maxGpus / its GPUs)` times its vCPUs, the largest of these — must fit; and every zone
 * offers at least one instance type. Karpenter would otherwise report launch failures at run time
 * while Ollama stays Pending.
 */
export class GpuCapacityPreflight extends Construct {
  /** The resource carrying the preconditions. */
  public readonly check: TerraformData;

  constructor(scope: Construct, id: string, props: GpuCapacityPreflightProps) {
    super(scope, id);
    if (props.instanceTypes.length === 0) throw new ConstructError(this, 'instanceTypes must list at least one instance type');
    if (!(Number.isInteger(props.maxGpus) && props.maxGpus >= 1)) throw new ConstructError(this, `maxGpus must be a whole number >= 1 (got ${props.maxGpus})`);
    const types = props.instanceTypes.map((type) => new DataAwsEc2InstanceType(this, type.replace(/\./g, '_'), { instanceType: type }));
    // The most vCPUs the limit admits with one type: as many nodes as fit in the GPU limit.
    const need = Fn.max(types.map((t) => Op.mul(Fn.floor(Op.div(props.maxGpus, Fn.lookup(Fn.element(t.gpus, 0), 'count'))), t.defaultVcpus)));
    const checks: { condition: unknown; errorMessage: string }[] = props.quotas.map((quota) => {
      const value = new DataAwsServicequotasServiceQuota(this, `quota_${quota.code}`, { serviceCode: 'ec2', quotaCode: quota.code }).value;
      return {
        condition: Op.gte(value, need),
        errorMessage: `GPU NodePool "${props.nodePool}" may need up to ${Token.asString(need)} vCPUs (its limit of ${props.maxGpus} GPUs filled with the largest of ${props.instanceTypes.join(', ')}) of the EC2 quota "${quota.name}" (${quota.code}), but this account and region allow ${Token.asString(value)}. Ask for more in the Service Quotas console or with: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${quota.code} --desired-value ${Token.asString(need)}`,
      };
    });
    for (const zone of props.availabilityZones) {
      const offered = new DataAwsEc2InstanceTypeOfferings(this, `offerings_${zone}`, {
        locationType: 'availability-zone',
        filter: [
          { name: 'location', values: [zone] },
          { name: 'instance-type', values: [...props.instanceTypes] },
        ],
      });
      checks.push({
        // Not `Op.gt(…, 0)`: cdktf writes a literal 0 operand as `undefined`.
        condition: Op.gte(Fn.lengthOf(offered.instanceTypes), 1),
        errorMessage: `GPU NodePool "${props.nodePool}": none of ${props.instanceTypes.join(', ')} is offered in ${zone}. Add types offered there (aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=location,Values=${zone}).`,
      });
    }
    this.check = new TerraformData(this, 'check', { input: { nodePool: props.nodePool, maxGpus: props.maxGpus } });
    this.check.lifecycle = { precondition: checks };
  }
}
