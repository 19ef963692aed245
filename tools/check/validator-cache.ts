import Ajv, { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const AJV_VERSION: string = (require('ajv/package.json') as { version: string }).version;

/**
 * Compiles a JSON schema with ajv, reusing validator code stored under `<cacheDir>/validators` by an earlier
 * run (ajv's standalone code, keyed by the schema and the ajv version). Compiling the Argo CD
 * Application schema takes ~0.5 s; loading the stored code ~20 ms. Without `cacheDir` the schema
 * is compiled every time.
 */
export function compileSchemaCached(schema: object, cacheDir?: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  if (!cacheDir) return ajv.compile(schema);
  const key = crypto.createHash('sha256').update(`${AJV_VERSION}\n${JSON.stringify(schema)}`).digest('hex').slice(0, 32);
  const file = path.join(cacheDir, 'validators', `${key}.js`);
  if (fs.existsSync(file)) {
    try {
      return require(file) as ValidateFunction;
    } catch {
      // A damaged cache entry is rebuilt below.
    }
  }
  const validate = ajv.compile(schema);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, standaloneCode(ajv, validate));
    fs.renameSync(temporary, file);
  } catch {
    // A read-only checkout still works, only slower.
  }
  return validate;
}
