/**
 * Keys given twice in a rendered manifest: found with the object and the field path, where every
 * YAML parser the render and the cluster use would keep the last value silently.
 */
import { checkDuplicateKeys, duplicateKeys } from '../../tools/render/duplicate-keys';
import { formatFinding } from '../../tools/render/checks';
import { parseManifests } from '../../tools/render/manifests';

/** The argo-cd chart's AWS-mode Ingress with an allowlist condition given for its gRPC backend too. */
const COLLIDING_INGRESS = `---
# Source: argo-cd/templates/argocd-server/aws/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: argocd-server
  annotations:
    alb.ingress.kubernetes.io/conditions.argocd-server-grpc: |
      [{"field":"http-header","httpHeaderConfig":{"httpHeaderName": "Content-Type", "values":["application/grpc"]}}]
    alb.ingress.kubernetes.io/conditions.argocd-server-grpc: "[{\\"field\\":\\"source-ip\\",\\"sourceIpConfig\\":{\\"values\\":[\\"203.0.113.0/24\\"]}}]"
spec:
  rules:
    - host: argocd.example.com
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: other
data:
  a: "1"
  b: "2"
`;

describe('duplicateKeys', () => {
  test('the rendered object keeps only the last value: why the check exists', () => {
    const [ingress] = parseManifests(COLLIDING_INGRESS);
    expect(JSON.parse(ingress.metadata.annotations!['alb.ingress.kubernetes.io/conditions.argocd-server-grpc'])).toEqual([
      { field: 'source-ip', sourceIpConfig: { values: ['203.0.113.0/24'] } },
    ]);
  });

  test('names the object, in the release namespace when it has none, and the path of the repeated key', () => {
    expect(duplicateKeys(COLLIDING_INGRESS, 'argocd')).toEqual([
      { object: 'Ingress argocd/argocd-server', path: 'metadata.annotations["alb.ingress.kubernetes.io/conditions.argocd-server-grpc"]' },
    ]);
  });

  test.each([
    ['a top-level field', 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\nkind: Secret\n', ['Secret default/a: kind']],
    [
      'a key inside a list item',
      'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: x\n      image: y\n',
      ['Pod default/p: spec.containers[0].image'],
    ],
    ['a flow mapping', 'kind: ConfigMap\nmetadata: {name: c, name: d}\n', ['ConfigMap default/d: metadata.name']],
    ['a document without a kind', 'a: 1\na: 2\n', ['document 1: a']],
    [
      'three times',
      'kind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: "1"\n  x: "2"\n  x: "3"\n',
      ['ConfigMap default/c: data.x', 'ConfigMap default/c: data.x'],
    ],
  ])('finds %s', (_name, text, expected) => {
    expect(duplicateKeys(text).map((d) => `${d.object}: ${d.path}`)).toEqual(expected);
  });

  test.each([
    ['the same key in different maps', 'kind: ConfigMap\nmetadata: {name: c, labels: {name: x}}\ndata: {name: y}\n'],
    ['the same object twice in a stream', 'kind: ConfigMap\nmetadata: {name: c}\n---\nkind: ConfigMap\nmetadata: {name: c}\n'],
    ['keys differing only in case', 'kind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1", A: "2"}\n'],
    ['an empty stream', ''],
  ])('passes %s', (_name, text) => {
    expect(duplicateKeys(text)).toEqual([]);
  });

  test('as a render finding of an app', () => {
    const findings = checkDuplicateKeys({ app: 'argocd', namespace: 'argocd', text: COLLIDING_INGRESS });
    expect(findings.map((f) => formatFinding('staging', f))).toEqual([
      'staging/argocd: Ingress argocd/argocd-server: metadata.annotations["alb.ingress.kubernetes.io/conditions.argocd-server-grpc"]: key given twice; YAML and the API server keep the last value and drop the other silently',
    ]);
  });
});
