/**
 * The environments this program deploys, in the order their stacks are listed.
 */
import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';
import { EnvironmentConfig } from './schema';

/** Every environment, as written in `environments/<env>.ts`. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];

export { ConfigError, loadEnvironments } from './load';
export type { SynthOverrides } from './load';
export * from './schema';
