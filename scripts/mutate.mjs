#!/usr/bin/env node
// Plants a few plausible bugs, one at a time, runs the test files that should catch each, and reports
// caught / missed. Each mutation is found by its text anywhere under src/ (so it survives files moving);
// one that no longer matches exactly once is reported as "not applicable", never silently skipped.
// The source is restored after each run, also on Ctrl-C.
// Usage: node scripts/mutate.mjs [name-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MUTATIONS = [
  {
    name: 'resume drops the restore of the oracle\'s random-generator state',
    find: 'this.rng.setState(state.rngState);',
    replace: '',
    tests: ['tuners/resume'],
  },
  {
    name: 'SIMD filter gradient rounds the same padding the other way (bottom/right for top/left)',
    find: 'info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,',
    replace: 'info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.bottom, info.padInfo.right,',
    tests: ['runtime/wasm-training-kernels'],
  },
  {
    name: 'matrix-product filter gradient rounds the same padding the other way',
    find: 'const { top, left } = info.padInfo;',
    replace: 'const { bottom: top, right: left } = info.padInfo;',
    in: 'src/runtime/filter-gradient-by-matmul.ts',
    tests: ['runtime/filter-gradient-by-matmul'],
  },
  {
    name: 'promotions do not load their parent\'s checkpoint',
    find: 'setStoredWeights(model, parent,',
    replace: 'void (model, parent,',
    tests: ['tuners/asha'],
  },
  {
    name: 'Bayesian optimization may repeat a configuration',
    find: 'if (!this.triedSoFar.has(valuesKey(values))) return { status: \'RUNNING\', values };',
    replace: 'return { status: \'RUNNING\', values };',
    in: 'src/tuners/oracles/bayesian.ts',
    tests: ['tuners/bayesian-no-repeat', 'cli/cli-claims'],
  },
  {
    name: '--augment rotate=N is parsed but dropped',
    find: 'rotate: (v, o) => { o.rotationRange = v ?? 15; },',
    replace: 'rotate: (_v, _o) => {},',
    tests: ['cli/augment-option'],
  },
  {
    name: 'TFJS_TUNER_WASM_KERNELS=baseline is ignored',
    find: "if (process.env.TFJS_TUNER_WASM_KERNELS === 'baseline') return 'baseline';",
    replace: '',
    tests: ['runtime/wasm-kernels-baseline'],
  },
];

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const count = (text, s) => text.split(s).length - 1;
const only = process.argv.slice(2);
const files = sources('src');
let restore = null;
process.on('SIGINT', () => {
  restore?.();
  process.exit(130);
});

const results = [];
for (const m of MUTATIONS) {
  if (only.length && !only.some((s) => m.name.includes(s))) continue;
  // `in`: the file, where the same text also occurs elsewhere (found by name anywhere under src/ if it moved)
  const where = m.in ? files.filter((f) => f === m.in || f.endsWith('/' + m.in.split('/').at(-1))) : files;
  const hits = where.filter((f) => readFileSync(f, 'utf8').includes(m.find));
  const total = hits.reduce((a, f) => a + count(readFileSync(f, 'utf8'), m.find), 0);
  if (total !== 1) {
    results.push({ name: m.name, result: `not applicable (the code to mutate matches ${total} times in ${m.in ?? 'src/'})` });
    continue;
  }
  const [file] = hits;
  const original = readFileSync(file, 'utf8');
  restore = () => writeFileSync(file, original);
  try {
    writeFileSync(file, original.replace(m.find, m.replace));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...m.tests], {
      encoding: 'utf8', env: { ...process.env, TEST_CONCURRENCY: '1' },
    });
    const failing = (r.stdout.match(/^not ok \d+ - .*$/gm) ?? []).map((l) => l.replace(/^not ok \d+ - /, ''));
    const result = r.status !== 0 ? `caught (${failing.length} failing: ${failing[0] ?? 'exit ' + r.status})` : 'MISSED';
    results.push({ name: m.name, file, tests: m.tests.join(' '), result, seconds: Math.round((Date.now() - t0) / 1000) });
  } finally {
    restore();
    restore = null;
  }
  console.log(`${results.at(-1).result.startsWith('caught') ? 'caught' : 'MISSED'}  ${m.name}  [${m.tests.join(' ')}]`);
}
for (const r of results) console.log(`- ${r.name}: ${r.result}${r.seconds !== undefined ? ` (${r.file}; ${r.tests}; ${r.seconds} s)` : ''}`);
const missed = results.filter((r) => r.result === 'MISSED').length;
console.log(JSON.stringify({ mutations: results.length, caught: results.filter((r) => r.result.startsWith('caught')).length, missed }));
process.exit(missed > 0 ? 1 : 0);
