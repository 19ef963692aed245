import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkCliVersion, cliVersionProblem } from '../../tools/deploy/cli-version';

describe('the Terraform/OpenTofu version check of deploy and destroy', () => {
  test.each([
    ['Terraform v1.11.4\non linux_amd64\n', 'terraform'],
    ['Terraform v1.12.0-beta1\n', 'terraform'],
    ['OpenTofu v1.12.6\non linux_amd64\n', 'tofu'],
    ['OpenTofu v1.11.0\n', 'tofu'],
    ['Terraform v2.0.0\n', 'terraform'],
  ])('accepts %j', (output, binary) => {
    expect(cliVersionProblem(binary, output)).toBeUndefined();
  });

  test.each([
    [
      'Terraform v1.10.5\non linux_amd64\n',
      'terraform',
      'terraform is Terraform v1.10.5; this program needs Terraform >= 1.11 (write-only arguments keep every credential out of plans and state): install Terraform >= 1.11 or OpenTofu >= 1.11 (TERRAFORM_BINARY_NAME=tofu)',
    ],
    [
      'OpenTofu v1.10.6\n',
      'tofu',
      'tofu is OpenTofu v1.10.6; this program needs OpenTofu >= 1.11 (write-only arguments keep every credential out of plans and state): install Terraform >= 1.11 or OpenTofu >= 1.11 (TERRAFORM_BINARY_NAME=tofu)',
    ],
    ['Terraform v0.15.5\n', 'terraform', /^terraform is Terraform v0\.15\.5; this program needs Terraform >= 1\.11/],
    [
      'something else\n',
      'tf',
      'tf version printed no "Terraform vX.Y.Z" or "OpenTofu vX.Y.Z" line (got "something else"): set TERRAFORM_BINARY_NAME to terraform or tofu',
    ],
  ])('rejects %j', (output, binary, message) => {
    if (typeof message === 'string') expect(cliVersionProblem(binary, output)).toBe(message);
    else expect(cliVersionProblem(binary, output)).toMatch(message);
  });

  test('runs the binary: an old one fails with the message, a missing one names the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-version-'));
    const old = path.join(dir, 'terraform');
    fs.writeFileSync(old, '#!/bin/sh\necho "Terraform v1.10.0"\necho "on linux_amd64"\n', { mode: 0o755 });
    expect(() => checkCliVersion(old)).toThrow(/is Terraform v1\.10\.0; this program needs Terraform >= 1\.11/);
    const current = path.join(dir, 'tofu');
    fs.writeFileSync(current, '#!/bin/sh\necho "OpenTofu v1.12.6"\n', { mode: 0o755 });
    expect(() => checkCliVersion(current)).not.toThrow();
    expect(() => checkCliVersion(path.join(dir, 'missing'))).toThrow(/^cannot run ".*missing version" .*install Terraform >= 1\.11 or OpenTofu >= 1\.11/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
