/**
 * TFJS_TUNER_WASM_KERNELS=baseline: on an engine with relaxed SIMD, the kernels still use the baseline
 * build, so the bits equal those of an engine without relaxed SIMD (the README's bit-identical runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'fixtures', 'kernels-build-child.ts');
function run(relaxed: boolean, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...(relaxed ? ['relaxed'] : [])], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, TFJS_TUNER_WASM_KERNELS: undefined, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { build: string; hash: string };
}

test('TFJS_TUNER_WASM_KERNELS=baseline keeps the baseline kernels, bit for bit, where relaxed SIMD is available', () => {
  const relaxed = run(true, {});
  assert.equal(relaxed.build, 'relaxed', 'relaxed SIMD is used when the engine has it');
  const forced = run(true, { TFJS_TUNER_WASM_KERNELS: 'baseline' });
  assert.equal(forced.build, 'baseline');
  const plain = run(false, {});
  assert.equal(plain.build, 'baseline');
  assert.equal(forced.hash, plain.hash, 'the same bits as an engine without relaxed SIMD');
});
