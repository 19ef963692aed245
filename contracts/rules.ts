/**
 * Value rules the app catalog's settings and the environment schema share. Each rule's message
 * states what is allowed; the validator prefixes it with `<env>.<field.path>: `.
 */
import { z } from 'zod';
import { EXACT_VERSION } from './versions';

/** A Kubernetes quantity such as `30Gi`, `500m` or `2`. */
export const QUANTITY = /^\d+(?:\.\d+)?(?:m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

/** Exact chart/image/add-on version. */
export const exactVersion = () => z.string().regex(EXACT_VERSION, { error: 'must be an exact version such as 1.2.3 (no ranges, no "latest")' });

/** A Kubernetes resource quantity. */
export const quantity = () => z.string().regex(QUANTITY, { error: 'must be a Kubernetes quantity such as 500m or 2Gi' });

/** CPU and memory of one container. */
export const resourceList = () =>
  z.strictObject({
    cpu: quantity().optional(),
    memory: quantity().optional(),
  });

/** Requests and limits of one container. */
export const resources = () =>
  z.strictObject({
    requests: resourceList(),
    limits: resourceList().optional(),
  });

/** An Ollama model with an explicit tag, never `latest`. */
export const modelName = () =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+$/, { error: 'must be an Ollama model with an explicit tag, such as llama3.2:1b' })
    .refine((m) => !m.endsWith(':latest'), { error: 'must not use the "latest" tag' });
