import { crdsFromDocuments } from '../../tools/check/crd-documents';
import { closeStructuralSchema, manifestSchema } from '../../tools/check/crd-schema';
import { ManifestValidator } from '../../tools/check/manifest-validation';

/** A small CRD in the shape Kubernetes uses, with each structural-schema feature the conversion handles. */
const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    versions: [
      { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            description: 'A widget.',
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  replicas: { type: 'integer', format: 'int64' },
                  mode: { type: 'string', enum: ['fast', 'slow'] },
                  config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  parts: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'object', properties: { name: { type: 'string' } } } },
                  syncPolicy: { type: 'object', properties: { automated: { type: 'object', properties: { selfHeal: { type: 'boolean' } } } } },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

const [crd] = crdsFromDocuments([{ kind: 'List', items: [widgetCrd] }, { kind: 'ConfigMap' }], 'widget-crd.yaml');
const validator = new ManifestValidator([crd]);
const location = { file: 'stack.json', prefix: ['kubernetes_manifest', 'w', 'manifest'] };
const widget = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'default', labels: { app: 'w' } },
  spec: { size: 1, ...spec },
  ...extra,
});

describe('structural schema conversion', () => {
  it('closes objects with properties, keeps preserve-unknown-fields and additionalProperties maps open', () => {
    const closed = closeStructuralSchema(crd.versions[1].schema) as { properties: Record<string, Record<string, unknown>> };
    const spec = closed.properties.spec as { additionalProperties: unknown; properties: Record<string, Record<string, unknown>> };
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties.config).toEqual({ type: 'object' });
    expect(spec.properties.labels).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(spec.properties.size).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(spec.properties.replicas).toEqual({ type: 'integer' });
    expect(JSON.stringify(closed)).not.toMatch(/x-kubernetes|description/);
  });

  it('fixes apiVersion and kind, replaces metadata and drops status', () => {
    const schema = manifestSchema(crd.versions[1].schema!, 'example.com/v1', 'Widget') as { properties: Record<string, unknown>; required: string[] };
    expect(schema.properties.apiVersion).toEqual({ const: 'example.com/v1' });
    expect(schema.properties.status).toBeUndefined();
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
  });
});

describe('manifest validation against a CRD', () => {
  it('accepts a valid manifest, int-or-string both ways, and anything under preserve-unknown-fields', () => {
    expect(validator.validate(widget({ size: '10Gi', config: { any: { thing: 1 } }, parts: [{ name: 'a' }] }), location)).toEqual([]);
    expect(validator.validate(widget({ size: 3 }), location)).toEqual([]);
  });

  it('reports unknown fields with the dotted path and a suggestion', () => {
    expect(validator.validate(widget({ syncPolicy: { automated: { selfheal: true } } }), location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.syncPolicy.automated.selfheal', message: 'unknown field (not in Widget CRD schema) → did you mean selfHeal?' },
    ]);
    expect(validator.validate(widget({ parts: [{ name: 'a', nmae: 'b' }] }), location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.parts[0].nmae', message: 'unknown field (not in Widget CRD schema) → did you mean name?' },
    ]);
  });

  it('reports a field moved one level up, with its right place', () => {
    expect(validator.validate(widget({ syncPolicy: { selfHeal: true } }), location)).toEqual([
      {
        file: 'stack.json',
        path: 'kubernetes_manifest.w.manifest.spec.syncPolicy.selfHeal',
        message: 'unknown field (not in Widget CRD schema) → did you mean spec.syncPolicy.automated.selfHeal?',
      },
    ]);
  });

  it('reports type, enum and required problems', () => {
    const manifest = widget({ mode: 'medium', replicas: 'two', size: true });
    expect(validator.validate(manifest, location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.size', message: 'must be an integer or a string, got boolean true' },
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.replicas', message: 'must be integer, got string "two"' },
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.mode', message: 'must be one of "fast", "slow"' },
    ]);
    const { size: _size, ...withoutSize } = widget({}).spec;
    expect(validator.validate({ ...widget({}), spec: withoutSize }, location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.spec.size', message: 'required field missing' },
    ]);
  });

  it('accepts Terraform expressions where a number is expected', () => {
    expect(validator.validate(widget({ replicas: '${var.replicas}' }), location)).toEqual([]);
  });

  it('validates metadata lightly and rejects status', () => {
    const manifest = widget({}, { metadata: { name: 'w', labels: { app: 1 }, finalizers: ['x'], label: {} }, status: { phase: 'Ready' } });
    expect(validator.validate(manifest, location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.status', message: 'status is written by the Argo CD controller; a manifest must not set it' },
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.metadata.label', message: 'unknown field (not in ObjectMeta) → did you mean labels?' },
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.metadata.labels.app', message: 'must be string, got number 1' },
    ]);
    expect(validator.validate({ ...widget({}), metadata: {} }, location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.metadata.name', message: 'required field missing' },
    ]);
  });

  it('rejects a version the CRD does not serve', () => {
    expect(validator.validate({ ...widget({}), apiVersion: 'example.com/v1beta1' }, location)).toEqual([
      { file: 'stack.json', path: 'kubernetes_manifest.w.manifest.apiVersion', message: 'example.com/v1beta1 is not served by the Widget CRD (served: example.com/v1)' },
    ]);
  });
});
