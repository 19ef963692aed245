/**
 * Jest runs the TypeScript sources through swc (@swc/jest), which strips types file by file:
 * `tsconfig.json` sets `isolatedModules` so that this is safe, and type checking is
 * `npm run typecheck`'s job.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  // This checkout's own cache (not the machine-wide one in the temp folder), so that
  // `npm run bench -- --test` empties only what this checkout uses.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/creation-stacks.ts'],
  // The run's temporary files in one folder, removed at the end.
  globalSetup: '<rootDir>/test/support/tmpdir-setup.js',
  globalTeardown: '<rootDir>/test/support/tmpdir-teardown.js',
  // cdktf loads archiver eagerly and uses it only for assets: loaded on first use instead.
  moduleNameMapper: { '^archiver$': '<rootDir>/test/support/lazy-archiver.js' },
  transform: {
    // The target and module format of tsconfig.json.
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
};
