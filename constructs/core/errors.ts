import { IConstruct } from 'constructs';

/**
 * An error in how a construct is configured, prefixed with the construct's path
 * (`dev-apps/project: ...`) so that the message says where the bad value was passed.
 */
export class ConstructError extends Error {
  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'ConstructError';
  }
}
