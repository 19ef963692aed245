/**
 * Jest runs the TypeScript sources through ts-jest in isolated (transpile-only) mode:
 * `tsconfig.json` sets `isolatedModules`, and type checking is `npm run typecheck`'s job.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};
