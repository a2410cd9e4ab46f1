import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

test('the committed SIMD kernels binary is a fresh build of wasm/training-kernels.ts', async () => {
  // AssemblyScript builds are deterministic: the check recompiles and compares byte for byte.
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/build-wasm.mjs', '--check']);
  assert.match(stdout, /matches/);
});
