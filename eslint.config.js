// ESLint flat config: the JavaScript and typescript-eslint recommended rules (syntax-only, no
// type information, so `npm test` stays fast; `tsc --noEmit` does the type checking).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', 'dist/', '.cache/', '.gen/', 'rendered/', 'coverage/', '.venv-checkov/', '**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', __filename: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and tools read synthesized JSON, whose shape is Terraform's, not ours.
    files: ['test/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The tools load another checkout's main.ts/environments (or a compiled validator) at run
    // time, by path: only require() can.
    files: ['tools/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
