// The router type against the real @trpc/client 11 types, with `tsc --noEmit`: a client file making every call
// of the original module's examples compiles, and a misspelt procedure or a wrong input type does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const OPTIONS = ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
  '--skipLibCheck', '--pretty', 'false'];

function compile(...files) {
  const run = spawnSync(process.execPath, [tsc, ...OPTIONS, ...files], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('a client making every call of the original module compiles against SystemRouter and SuperJsonSystemRouter', () => {
  const { status, output } = compile('typecheck/client.ts');
  assert.equal(status, 0, output);
});

test('a misspelt procedure, a wrong input type and two kinds of recipient do not compile', () => {
  const { status, output } = compile('typecheck/misspelt-procedure.ts', 'typecheck/wrong-input.ts',
    'typecheck/two-recipients.ts');
  assert.notEqual(status, 0, 'tsc accepted code it must refuse');
  assert.match(output, /typecheck\/misspelt-procedure\.ts\(\d+,\d+\): error TS2551: Property 'isEnable' does not exist/);
  assert.match(output, /typecheck\/wrong-input\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  assert.match(output, /typecheck\/two-recipients\.ts\(\d+,\d+\): error TS\d+/);
  // Nothing else failed: each file has exactly its one error.
  assert.equal(output.split('\n').filter((line) => / error TS/.test(line)).length, 3, output);
});
