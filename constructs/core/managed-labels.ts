/**
 * Labels on every Kubernetes object Terraform creates (namespaces, Secrets, AppProject,
 * Applications). They mark the object as this program's own: the recovery after an interrupted
 * apply imports an object that exists but is missing from state only when it carries them.
 */
export const MANAGED_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'terraform',
  'app.kubernetes.io/part-of': 'llm-platform',
};
