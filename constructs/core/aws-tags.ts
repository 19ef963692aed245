/** Tags on every AWS resource the platform creates (the AWS provider's `default_tags`), plus `extra`. */
export function awsDefaultTags(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'llm-platform', 'managed-by': 'terraform', ...extra };
}
