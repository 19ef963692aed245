/**
 * Jest runs the TypeScript sources through ts-jest in isolated (transpile-only) mode:
 * `tsconfig.json` sets `isolatedModules`, and type checking is `npm run typecheck`'s job.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  // This checkout's own cache (not the machine-wide one in the temp folder), so that
  // `npm run bench -- --test` empties only what this checkout uses.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
};
