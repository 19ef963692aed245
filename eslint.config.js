// ESLint flat config: the JavaScript and typescript-eslint recommended rules (syntax-only, no
// type information, so `npm test` stays fast; `tsc --noEmit` does the type checking).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/**
 * Layers depend one way: contracts <- constructs <- stacks <- main; environments/ and the app
 * catalog are data that import only contracts/. Each entry: the files it covers and the relative
 * imports (regular expressions) they must not make. Constructs sit one folder down
 * (constructs/<group>/<file>.ts), so `../../x` is the top-level folder x.
 */
const CONSTRUCTS_BAN = [
  { regex: '^(\\.\\./)+(environments|stacks|main)(/|$)', message: 'constructs/ imports only contracts/ and other constructs.' },
  { regex: '^\\.\\./\\.\\./apps(/|$)', message: 'constructs/ imports only contracts/ and other constructs.' },
];
const LAYERS = [
  { files: ['contracts/**/*.ts'], patterns: [{ regex: '^\\.\\./', message: 'contracts/ is a leaf: it imports nothing of the project.' }] },
  { files: ['constructs/**/*.ts'], patterns: CONSTRUCTS_BAN },
  {
    files: ['constructs/core/**/*.ts'],
    patterns: [...CONSTRUCTS_BAN, { regex: '^\\.\\./(?!\\.\\./)', message: 'constructs/core/ imports no sibling folder of constructs/.' }],
  },
  {
    files: ['constructs/platform/**/*.ts'],
    patterns: [...CONSTRUCTS_BAN, { regex: '^\\.\\./apps(/|$)', message: 'constructs/platform/ does not import constructs/apps/.' }],
  },
  {
    files: ['environments/**/*.ts', 'apps/**/*.ts'],
    patterns: [{ regex: '^\\.\\./(?!contracts(/|$))', message: 'environments/ and the app catalog are data: they import only contracts/.' }],
  },
];

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
  {
    // cdktf checks the Terraform binary (a shell per stack, failing synth where there is none) for
    // these; constructs/core/moved.ts writes the same blocks without it.
    files: ['constructs/**/*.ts', 'stacks/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'moveFromId', message: 'Use movedFrom() of constructs/core/moved.ts: synth must not need a Terraform CLI.' },
        { property: 'moveTo', message: 'Use movedFrom() of constructs/core/moved.ts: synth must not need a Terraform CLI.' },
        { property: 'importFrom', message: 'Import blocks make cdktf run the Terraform CLI at synth.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='cdktf'] ImportSpecifier[imported.name='DataResource']",
          message: 'Use TerraformData of constructs/core/moved.ts: synth must not need a Terraform CLI.',
        },
      ],
    },
  },
  ...LAYERS.map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } })),
);
