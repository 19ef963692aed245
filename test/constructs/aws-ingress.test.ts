import * as fs from 'fs';
import { parse } from 'yaml';
import { AwsIngress, AwsIngressProps } from '../../constructs/platform/aws-ingress';
import { AwsLoadBalancerController } from '../../constructs/platform/aws-load-balancer-controller';
import { DnsValidatedCertificate } from '../../constructs/platform/dns-validated-certificate';
import { synthScope } from '../support/synth';

const base: AwsIngressProps = { clusterName: 'llm', region: 'eu-west-1', vpcId: 'vpc-1', hosts: ['a.example.com', 'b.example.com'], hostedZone: 'example.com' };
const release = (s: ReturnType<typeof synthScope>, chart: string) => s.all('helm_release').find((r) => r.chart === chart);

const list = (value: string | string[]): string[] => [value].flat();

/** Whether `statement` grants `action` only where the cluster `cluster` is named: by its tag value, or by the key of the EKS cluster tag. */
function requiresCluster(statement: any, cluster: string): boolean {
  const equals = Object.entries(statement.Condition?.StringEquals ?? {});
  const nonNull = Object.entries(statement.Condition?.Null ?? {}).filter(([, v]) => v === 'false');
  return (
    equals.some(([k, v]) => /^aws:(Resource|Request)Tag\/elbv2\.k8s\.aws\/cluster$/.test(k) && v === cluster) ||
    nonNull.some(([k]) => k === `aws:ResourceTag/kubernetes.io/cluster/${cluster}`)
  );
}

/** Actions that change a security group's rules or a load balancer, listener, rule or target group. */
const CHANGES_SG_OR_ELB = /^ec2:(Authorize|Revoke)SecurityGroup(Ingress|Egress)$|^ec2:DeleteSecurityGroup$|^elasticloadbalancing:(?!Describe)/;

describe('AwsLoadBalancerController', () => {
  const s = synthScope((scope) => new AwsLoadBalancerController(scope, 'lbc', { clusterName: 'llm', region: 'eu-west-1', vpcId: 'vpc-1' }));

  test('pinned chart; cluster, region and VPC passed explicitly (pods cannot read IMDS); no Service takeover', () => {
    const r = s.only('helm_release');
    expect(r).toMatchObject({
      repository: 'https://aws.github.io/eks-charts',
      chart: 'aws-load-balancer-controller',
      version: '3.5.0',
      namespace: 'kube-system',
      wait: true,
    });
    expect(r.set).toEqual([{ name: 'vpcId', value: 'vpc-1' }]);
    expect(parse(r.values[0])).toEqual({
      clusterName: 'llm',
      region: 'eu-west-1',
      serviceAccount: { create: true, name: 'aws-load-balancer-controller' },
      ingressClass: 'alb',
      createIngressClassResource: true,
      ingressClassConfig: { default: false },
      ingressClassParams: { create: true },
      defaultTargetType: 'ip',
      enableServiceMutatorWebhook: false,
    });
  });

  const published = JSON.parse(fs.readFileSync('constructs/platform/policies/aws-load-balancer-controller-v3.5.0.json', 'utf8'));
  const attached = JSON.parse(s.only('aws_iam_policy').policy);

  test('the IAM policy is derived from the published one, given to the service account through Pod Identity', () => {
    expect(attached).not.toEqual(published);
    expect(JSON.parse(s.only('aws_iam_role').assume_role_policy).Statement[0]).toMatchObject({ Principal: { Service: 'pods.eks.amazonaws.com' } });
    expect(s.only('aws_eks_pod_identity_association')).toMatchObject({
      cluster_name: 'llm',
      namespace: 'kube-system',
      service_account: 'aws-load-balancer-controller',
    });
    expect(s.only('helm_release').depends_on).toEqual([s.address('aws_eks_pod_identity_association', () => true)]);
  });

  test('it only narrows: each statement is a published one with fewer actions and more conditions, and no action is lost', () => {
    const narrows = (st: any, from: any) =>
      JSON.stringify(st.Resource) === JSON.stringify(from.Resource) &&
      list(st.Action).every((a) => list(from.Action).includes(a)) &&
      Object.entries(from.Condition ?? {}).every(([op, keys]) =>
        Object.entries(keys as object).every(([k, v]) => JSON.stringify(st.Condition?.[op]?.[k]) === JSON.stringify(v)),
      );
    for (const st of attached.Statement) expect(published.Statement.filter((from: any) => narrows(st, from))).not.toEqual([]);
    for (const from of published.Statement) {
      const derived = attached.Statement.filter((st: any) => narrows(st, from));
      expect(new Set(derived.flatMap((st: any) => list(st.Action)))).toEqual(new Set(list(from.Action)));
    }
  });

  test('every statement the published policy guards with the cluster tag also requires its value, the cluster name', () => {
    const guarded = attached.Statement.filter((st: any) => Object.keys(st.Condition?.Null ?? {}).some((k) => k.endsWith('/elbv2.k8s.aws/cluster')));
    expect(guarded.length).toBeGreaterThanOrEqual(published.Statement.filter((st: any) => st.Condition?.Null).length);
    for (const st of guarded) {
      for (const [key, exists] of Object.entries(st.Condition.Null)) {
        if (exists === 'false') expect(st.Condition.StringEquals[key]).toBe('llm');
      }
    }
  });

  test('every statement that changes security group rules, load balancers, listeners, rules or target groups names this cluster', () => {
    const changing = attached.Statement.filter((st: any) => list(st.Action).some((a) => CHANGES_SG_OR_ELB.test(a)));
    // The published policy has such statements without any condition; none is left.
    expect(published.Statement.filter((st: any) => !st.Condition && list(st.Action).some((a) => CHANGES_SG_OR_ELB.test(a)))).not.toEqual([]);
    expect(changing.filter((st: any) => !requiresCluster(st, 'llm')).map((st: any) => list(st.Action))).toEqual([]);
    // The cluster tag of listeners and rules is set only where none is, and only to this cluster.
    const listenerTags = attached.Statement.filter((st: any) => list(st.Resource).some((r) => r.includes(':listener')));
    expect(listenerTags.map((st: any) => st.Condition)).toEqual([
      { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true' }, StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'llm' } },
      { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'true' }, StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'llm' } },
    ]);
  });

  test('what stays without a cluster condition, for review when the pin changes', () => {
    const unscoped = attached.Statement.filter((st: any) => list(st.Action).some((a) => !/:(Describe|Get|List)/.test(a)) && !requiresCluster(st, 'llm'));
    expect(unscoped.map((st: any) => list(st.Action).filter((a) => !/:(Describe|Get|List)/.test(a)))).toEqual([
      ['iam:CreateServiceLinkedRole'], // only the ELB service-linked role
      // WAF and Shield: authorized on the web ACL and the protection, which the controller does not tag
      [
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      ['ec2:CreateSecurityGroup'], // a new, empty group: tagged in the same call (the CreateTags statement requires the name)
    ]);
  });

  test('rejects an IngressClass name Kubernetes would refuse', () => {
    expect(() =>
      synthScope((scope) => new AwsLoadBalancerController(scope, 'lbc', { clusterName: 'c', region: 'r', vpcId: 'v', ingressClassName: 'ALB_1' })),
    ).toThrow(/^stack\/lbc: ingressClassName "ALB_1" must be a lower-case DNS name such as alb$/);
  });
});

describe('DnsValidatedCertificate', () => {
  test('one certificate for every name, validated by records in the zone, waited for', () => {
    const s = synthScope((scope) => new DnsValidatedCertificate(scope, 'cert', { domainNames: ['a.example.com', 'b.example.com'], hostedZoneId: 'Z1' }));
    expect(s.only('aws_acm_certificate')).toMatchObject({
      domain_name: 'a.example.com',
      subject_alternative_names: ['b.example.com'],
      validation_method: 'DNS',
      lifecycle: { create_before_destroy: true },
    });
    const record = s.only('aws_route53_record');
    expect(record.for_each).toMatch(/^\$\{\{ for key, val in tolist\(aws_acm_certificate\.\w+\.domain_validation_options\): val\.domain_name => val \}\}$/);
    expect(record).toMatchObject({ zone_id: 'Z1', name: '${each.value.resource_record_name}', type: '${each.value.resource_record_type}' });
    expect(s.only('aws_acm_certificate_validation').validation_record_fqdns).toMatch(/^\$\{\[ for key, val in aws_route53_record\.\w+: val\.fqdn\]\}$/);
  });

  test('a change of names replaces certificate and validation create-before-destroy', () => {
    const s = synthScope((scope) => new DnsValidatedCertificate(scope, 'cert', { domainNames: ['a.example.com'], hostedZoneId: 'Z1' }));
    expect(s.only('aws_acm_certificate').lifecycle).toEqual({ create_before_destroy: true });
    expect(s.only('aws_acm_certificate_validation').lifecycle).toEqual({ create_before_destroy: true });
  });

  test('rejects an empty name list', () => {
    expect(() => synthScope((scope) => new DnsValidatedCertificate(scope, 'cert', { domainNames: [], hostedZoneId: 'Z1' }))).toThrow(
      /^stack\/cert: domainNames must list at least one name$/,
    );
  });
});

describe('AwsIngress', () => {
  test('with a hosted zone: a certificate issued before the controller, ExternalDNS limited to the zone', () => {
    const s = synthScope((scope) => new AwsIngress(scope, 'ingress', base));
    const zone: any = Object.values(s.json.data!.aws_route53_zone)[0];
    expect(zone).toMatchObject({ name: 'example.com', private_zone: false });
    expect(release(s, 'aws-load-balancer-controller').depends_on).toContain(s.address('aws_acm_certificate_validation', () => true));

    const dns = release(s, 'external-dns');
    expect(dns).toMatchObject({ repository: 'https://kubernetes-sigs.github.io/external-dns', version: '1.21.1', namespace: 'kube-system' });
    expect(dns.set).toBeUndefined();
    expect(parse(dns.values[0]).extraArgs).toEqual([expect.stringMatching(/^--zone-id-filter=\$\{data\.aws_route53_zone\.\w+\.zone_id\}$/)]);
    expect(parse(dns.values[0])).toMatchObject({
      provider: { name: 'aws' },
      env: [{ name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' }],
      sources: ['ingress'],
      policy: 'sync',
      txtOwnerId: 'llm',
      domainFilters: ['example.com'],
      triggerLoopOnEvent: true,
    });
    const policy = JSON.parse(s.all('aws_iam_policy').find((p) => p.name === 'llm-external-dns').policy);
    expect(policy.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      Resource: [expect.stringMatching(/^\$\{data\.aws_route53_zone\.\w+\.arn\}$/)],
    });
  });

  test('the Terraform-made certificate is attached to the IngressClass (no discovery by host), once issued', () => {
    const s = synthScope((scope) => new AwsIngress(scope, 'ingress', base));
    const values = parse(release(s, 'aws-load-balancer-controller').values[0]);
    const validation = s.address('aws_acm_certificate_validation', () => true);
    expect(values.ingressClassParams).toEqual({ create: true, spec: { certificateArn: [`\${${validation}.certificate_arn}`] } });
    // On a change of hosts Terraform creates the new certificate and validation (create-before-destroy),
    // updates the release that refers to them (the listener switches), and only then deletes the old ones.
    expect(s.only('aws_acm_certificate_validation').lifecycle).toEqual({ create_before_destroy: true });
  });

  test('a supplied certificate ARN is attached to the IngressClass', () => {
    const arn = 'arn:aws:acm:eu-west-1:111122223333:certificate/x';
    const s = synthScope((scope) => new AwsIngress(scope, 'ingress', { ...base, hostedZone: undefined, certificateArn: arn }));
    expect(parse(release(s, 'aws-load-balancer-controller').values[0]).ingressClassParams).toEqual({ create: true, spec: { certificateArn: [arn] } });
  });

  test('with a certificate ARN and no zone: neither a certificate nor ExternalDNS', () => {
    const s = synthScope(
      (scope) => new AwsIngress(scope, 'ingress', { ...base, hostedZone: undefined, certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/x' }),
    );
    expect(s.all('aws_acm_certificate')).toHaveLength(0);
    expect(s.all('helm_release').map((r) => r.chart)).toEqual(['aws-load-balancer-controller']);
  });

  test('exposes what Ingress owners depend on: the controller and ExternalDNS releases', () => {
    synthScope((scope) => {
      const ingress = new AwsIngress(scope, 'ingress', base);
      expect(ingress.ingressDependencies).toEqual([ingress.controller.release, ingress.externalDns!.release]);
    });
  });

  test.each([
    [{ hosts: [] }, /^stack\/ingress: hosts must list at least one host name$/],
    [{ hostedZone: undefined }, /^stack\/ingress: needs certificateArn or hostedZone: the ALB serves TLS with an ACM certificate$/],
    [{ hostedZone: undefined, certificateArn: 'arn', externalDns: true }, /^stack\/ingress: externalDns needs hostedZone$/],
    [{ hosts: ['a.example.org'] }, /^stack\/ingress: host "a\.example\.org" is not inside hostedZone example\.com$/],
  ])('rejects %j', (props, message) => {
    expect(() => synthScope((scope) => new AwsIngress(scope, 'ingress', { ...base, ...props }))).toThrow(message);
  });
});
