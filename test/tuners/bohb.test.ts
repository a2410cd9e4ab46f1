import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOHBOracle } from '../../src/tuners/oracles/bohb.js';
import { HyperbandOracle } from '../../src/tuners/oracles/hyperband.js';
import { distanceToOptimum, makeBohb, step, syntheticSpace } from './fixtures/bohb-synthetic.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function runAll(oracle: BOHBOracle) {
  const out: Array<{ id: string; values: Record<string, unknown> }> = [];
  for (let s = step(oracle); s; s = step(oracle)) out.push(s);
  return out;
}

test('BOHB keeps Hyperband\'s schedule; its fresh configurations come from the model once a budget has enough results', () => {
  const oracle = makeBohb();
  const trials = runAll(oracle);
  const hb = new HyperbandOracle({ hyperparameters: syntheticSpace(), objective: { name: 'score', direction: 'max' }, maxEpochs: 27, factor: 3, hyperbandIterations: 3, seed: 5 });
  assert.equal(trials.length, hb.schedule().reduce((a, r) => a + r.trials, 0) * 3, 'same number of trials as Hyperband');

  const modelBased = new Set(oracle.modelBasedTrials());
  const fresh = trials.filter((t) => t.values['tuner/round'] === 0);
  assert.ok(modelBased.size > 0);
  for (const id of modelBased) assert.ok(fresh.some((t) => t.id === id), 'only fresh configurations are proposed by the model');
  // dims 3 -> minPointsInModel 4 -> the model needs 6 results on one budget: the first 6 trials are random.
  const firstModel = Math.min(...[...modelBased].map(Number));
  assert.ok(firstModel >= 6, `first model-based trial ${firstModel}`);
  // About 2/3 of the fresh configurations after that are model-based (the random fraction is 1/3).
  const later = fresh.filter((t) => Number(t.id) >= firstModel);
  const share = later.filter((t) => modelBased.has(t.id)).length / later.length;
  assert.ok(share > 0.45 && share < 0.9, `model share ${share}`);
  // The model's proposals are closer to the optimum than the random ones.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const dModel = mean(later.filter((t) => modelBased.has(t.id)).map((t) => distanceToOptimum(t.values as never)));
  const dRandom = mean(fresh.filter((t) => !modelBased.has(t.id)).map((t) => distanceToOptimum(t.values as never)));
  assert.ok(dModel < dRandom * 0.6, `model ${dModel.toFixed(3)} vs random ${dRandom.toFixed(3)}`);
});

test('BOHB resumed from its saved state (in process, at every step) makes the same decisions', () => {
  const straight = runAll(makeBohb());
  let oracle = makeBohb();
  const resumed = [];
  for (;;) {
    const next = makeBohb();
    next.setState(JSON.parse(JSON.stringify(oracle.getState())));
    oracle = next;
    const s = step(oracle);
    if (!s) break;
    resumed.push(s);
  }
  assert.deepEqual(resumed, straight);
});

function child(stateFile: string, killAfter?: number): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/bohb-child.ts'), stateFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      if (killAfter !== undefined && lines.length >= killAfter && !p.killed) p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ lines, killed: signal === 'SIGKILL' || code === null }));
  });
}

test('BOHB killed with SIGKILL mid-search resumes to the same trials', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bohb-'));
  try {
    const straight = await child(path.join(dir, 'a.json'));
    const ends = (lines: string[]) => lines.filter((l) => l.startsWith('END '));
    const first = await child(path.join(dir, 'b.json'), 20);
    assert.ok(first.killed, 'the child was killed mid-search');
    const second = await child(path.join(dir, 'b.json'));
    // Lines printed before the kill plus the resumed run's: every trial once, as in the uninterrupted run
    // (a trial printed but killed before its end was saved runs again, with the same values).
    const seen = new Map<string, string>();
    for (const l of [...ends(first.lines), ...ends(second.lines)]) seen.set(l.split(' ')[1], l);
    assert.deepEqual([...seen.values()], ends(straight.lines));
    assert.equal(second.lines.at(-1), straight.lines.at(-1), 'the same trials came from the model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BOHB options are checked', () => {
  assert.throws(() => new BOHBOracle({ randomFraction: 2 }), /randomFraction must be in \[0, 1\]/);
  assert.throws(() => new BOHBOracle({ minPointsInModel: 0 }), /minPointsInModel must be a positive integer/);
  assert.equal(new BOHBOracle().kind, 'BOHB');
});
