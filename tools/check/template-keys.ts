/**
 * Values keys a chart's templates read that its `values.yaml` declares only in a comment (so the
 * derived key tree lacks them): one entry per key, with the template line that reads it as the
 * reason. `npm run fetch-upstream` adds them to the chart's facts; an entry whose key the values
 * declare after all, or that names no map of the tree, fails the derivation.
 */
export interface TemplateReadKey {
  /** Dotted values path, e.g. `librechat.imageVolume.storageClassName`. */
  readonly key: string;
  /** The template and line that read it. */
  readonly reason: string;
}

/** Keyed by `<chart>@<version>`. */
export const TEMPLATE_READ_KEYS: Readonly<Record<string, readonly TemplateReadKey[]>> = {
  'librechat@2.0.4': [
    {
      key: 'librechat.imageVolume.storageClassName',
      reason:
        'templates/persistentvolumeclaim.yaml: `{{- if .Values.librechat.imageVolume.storageClassName }} storageClassName: …` (values.yaml: `# storageClassName:`)',
    },
  ],
};
