#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this repository with plain `node`, transpile-only:
 *
 *   node tools/run-ts.js main.ts [args...]
 *
 * Each `.ts` file outside node_modules is transpiled with `ts.transpileModule` (no type check:
 * that is `npm run typecheck`'s job) and the JavaScript is cached under
 * `node_modules/.cache/run-ts/`, keyed by file name, content, TypeScript version and tsconfig.
 * TypeScript itself is loaded only on a cache miss, so an unchanged tree starts as fast as
 * precompiled JavaScript.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Module = require('module');

const repoRoot = path.resolve(__dirname, '..');
const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'run-ts');
const tsconfigFile = path.join(repoRoot, 'tsconfig.json');

let typescript;
let compilerOptions;

/** TypeScript and the repository's compiler options, loaded on the first cache miss. */
function compiler() {
  if (!typescript) {
    typescript = require('typescript');
    const { config, error } = typescript.readConfigFile(tsconfigFile, typescript.sys.readFile);
    if (error) throw new Error(typescript.flattenDiagnosticMessageText(error.messageText, '\n'));
    compilerOptions = typescript.convertCompilerOptionsFromJson(config.compilerOptions, repoRoot).options;
    Object.assign(compilerOptions, {
      module: typescript.ModuleKind.CommonJS,
      inlineSourceMap: true,
      inlineSources: true,
      sourceMap: false,
      declaration: false,
      noEmit: false,
    });
    delete compilerOptions.outDir;
    delete compilerOptions.incremental;
    delete compilerOptions.tsBuildInfoFile;
  }
  return typescript;
}

const salt = (() => {
  const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
  return `${tsVersion}\n${fs.readFileSync(tsconfigFile, 'utf8')}\n${fs.readFileSync(__filename, 'utf8')}`;
})();

/** The JavaScript for `filename`, from the cache or freshly transpiled (and then cached). */
function transpile(filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(salt).update('\0').update(filename).update('\0').update(source).digest('hex').slice(0, 40);
  const cacheFile = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cacheFile, 'utf8');
  } catch {
    // Not cached yet.
  }
  const ts = compiler();
  const output = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cacheFile);
  } catch {
    // A read-only checkout still runs, only without the cache.
  }
  return output;
}

Module._extensions['.ts'] = (module, filename) => {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) {
    throw new Error(`run-ts: refusing to load TypeScript from node_modules: ${filename}`);
  }
  module._compile(transpile(filename), filename);
};

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node tools/run-ts.js <file.ts> [args...]');
    process.exit(2);
  }
  const resolved = path.resolve(entry);
  process.argv = [process.argv[0], resolved, ...args];
  Module.runMain(resolved);
}
