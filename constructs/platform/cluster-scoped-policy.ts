/**
 * Derives a per-cluster IAM policy from a published controller policy. The published documents
 * guard their mutating statements with "the cluster tag exists" (`Null: { "<tag>": "false" }`),
 * which any cluster's controller satisfies for every other cluster's resources in the same
 * account. The derivation adds, next to each such condition, `StringEquals: { "<tag>": <value> }`
 * for the same key, so the statement holds only for this cluster's resources (`aws:ResourceTag`)
 * or requests (`aws:RequestTag`). It only adds conditions: removing them gives back the published
 * document.
 */

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

/** The condition keys that carry a tag on the resource acted on and on the request. */
export function tagConditionKeys(tagKey: string): readonly string[] {
  return [`aws:ResourceTag/${tagKey}`, `aws:RequestTag/${tagKey}`];
}

/**
 * `policy` with every "tag `tagKey` exists" condition narrowed to "tag `tagKey` equals `value`".
 * @throws Error when `policy` has no such condition (the published format changed: review it)
 */
export function scopeToTagValue(policy: PolicyDocument, tagKey: string, value: string): PolicyDocument {
  let scoped = 0;
  const keys = tagConditionKeys(tagKey);
  const statements = policy.Statement.map((statement) => {
    const exists = keys.filter((key) => statement.Condition?.Null?.[key] === 'false');
    if (exists.length === 0) return statement;
    scoped += 1;
    const equals = { ...(statement.Condition?.StringEquals ?? {}) };
    for (const key of exists) {
      if (key in equals) throw new Error(`statement ${JSON.stringify(statement.Action)} already compares ${key}`);
      equals[key] = value;
    }
    return { ...statement, Condition: { ...statement.Condition, StringEquals: equals } };
  });
  if (scoped === 0) throw new Error(`the policy has no statement that requires the tag ${tagKey}`);
  return { ...policy, Statement: statements };
}
