/**
 * Parallel tuning speed: the same seeded Hyperband search on the ToonVision fixtures (DirectoryIterator,
 * 64x64, decoded once per search and shared with the workers), serial (1 worker)
 * then with N workers (default 2; BENCH_WORKERS=2,4 for more), wall clock from search() to its end,
 * worker start-up included; each BENCH_REPEAT times (default 2), alternating, fastest run kept. Every
 * search runs in a fresh process, as `tfjs-tuner tune` does: a serial search in a process whose tfjs is
 * already compiled by V8 (an earlier search) would be ~3 % faster than any user's serial run, while the
 * workers always start cold. BENCH_SAME_PROCESS=1 runs them all in this process instead.
 * Checks that every run trains the same set of trials with the same scores. The parallel runs report
 * where their start-up went: this thread's own preparation, then each worker's phases (thread, tfjs,
 * tsx, modules, backend, hypermodel, waiting for data, data) in wall and thread-CPU seconds.
 * BENCH_FROM=dist runs the compiled package (dist/, `npm run build` first), as the CLI does: its
 * workers load no tsx.
 * The LAST line is one JSON object with the figures.
 *   npm run bench:tune      (tsx bench/tune.ts)
 */
import { promises as fs } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import type { Trial } from '../src/tuners/trial.js';

/** The package from its sources (tsx) or compiled (dist/, as the CLI runs it). */
const FROM = process.env.BENCH_FROM ?? 'src';
if (FROM !== 'src' && FROM !== 'dist') throw new Error(`BENCH_FROM must be src or dist (got ${FROM}).`);
const lib: typeof import('../src/index.js') = await import(FROM === 'dist' ? '../dist/src/index.js' : '../src/index.js')
  .catch((err: Error) => { throw new Error(`BENCH_FROM=${FROM}: cannot load the package (${err.message}); for dist run \`npm run build\` first.`); });
const { initBackend, Hyperband, flowFromDirectoryForWorkers, CNN_HYPERMODEL_MODULE } = lib;
if (FROM === 'dist') {
  // A dist older than the sources would measure other code than this checkout's.
  const newest = async (dir: string): Promise<number> => Math.max(0, ...await Promise.all((await fs.readdir(dir, { withFileTypes: true }))
    .map(async (e) => (e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.ts') ? (await fs.stat(join(dir, e.name))).mtimeMs : 0))));
  const src = await newest(new URL('../src', import.meta.url).pathname);
  if ((await fs.stat(new URL('../dist/src/index.js', import.meta.url).pathname)).mtimeMs < src) {
    throw new Error('BENCH_FROM=dist: dist/ is older than src/: run `npm run build` first.');
  }
}

const SIZE = Number(process.env.BENCH_SIZE ?? 64);
const MAX_EPOCHS = Number(process.env.BENCH_MAX_EPOCHS ?? 4);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3);
const WORKERS = (process.env.BENCH_WORKERS ?? '2').split(',').map(Number);
/** Each configuration runs this many times, alternating, and the fastest counts (the machine may be shared). */
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const CLASSES = ['bossbot', 'cashbot', 'lawbot', 'sellbot'];
const FIXTURES = new URL('../fixtures/toonvision/', import.meta.url).pathname;

/** The fixture folder through the data pipeline, decoded once per search and shared with the workers. */
const folder = (subset: string) => flowFromDirectoryForWorkers({
  directory: join(FIXTURES, subset), generator: { rescale: 1 / 255 },
  flow: { targetSize: [SIZE, SIZE], classMode: 'sparse', batchSize: 16, shuffle: subset === 'train', seed: 1, verbose: false },
});

/** What the comparison needs of a trial (a child process sends these as JSON). */
type TrialFigures = Pick<Trial, 'values' | 'score' | 'elapsedSeconds'>;

/** Trials as configuration + schedule position (ids differ between serial and parallel runs). */
function byConfig(trials: Iterable<TrialFigures>): Map<string, TrialFigures> {
  return new Map([...trials].map((t) => {
    const { 'tuner/trial_id': _parent, ...values } = t.values;
    return [JSON.stringify(Object.entries(values).sort()), t];
  }));
}

/**
 * The machine's own ceiling for N threads of tfjs wasm work: the same fixed conv2d + matMul loop in 1
 * thread, then in N at once; ceiling = N x (1-thread time / N-thread time). Cores that share execution
 * units (SMT siblings behind a VM's vCPUs) or memory bandwidth put it below N whatever the tuner does.
 */
async function threadCeiling(n: number): Promise<number> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const tf = require('@tensorflow/tfjs');
      require('@tensorflow/tfjs-backend-wasm');
      await tf.setBackend('wasm'); await tf.ready();
      const x = tf.randomUniform([16, 64, 64, 3]); const f = tf.randomUniform([3, 3, 3, 8]); const m = tf.randomUniform([192, 192]);
      const t0 = Date.now();
      for (let i = 0; i < 60; i++) tf.tidy(() => { tf.conv2d(x, f, 1, 'same').dataSync(); tf.matMul(m, m).dataSync(); });
      parentPort.postMessage(Date.now() - t0);
    })();`;
  const timeThreads = (k: number) => Promise.all(Array.from({ length: k }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.on('message', (ms: number) => { resolve(ms); void w.terminate(); });
    w.on('error', reject);
  })));
  const one = Math.min(...(await timeThreads(1)), ...(await timeThreads(1)));
  const many = Math.min(Math.max(...(await timeThreads(n))), Math.max(...(await timeThreads(n))));
  return (n * one) / many;
}

/** Set in a child process: run one search with this many workers, print its figures, exit. */
const CHILD_WORKERS = process.env.BENCH_TUNE_CHILD;
const RESULT_PREFIX = 'BENCH_TUNE_RESULT ';
const SAME_PROCESS = process.env.BENCH_SAME_PROCESS === '1';

await initBackend();
const backend = tf.getBackend();
const ceilings = new Map<number, number>();
if (CHILD_WORKERS === undefined) {
  for (const n of WORKERS) ceilings.set(n, await threadCeiling(n));
console.log(`thread ceiling (the speed-up N wasm threads get on this machine): ${[...ceilings].map(([n, c]) => `${n}: ${c.toFixed(2)}x`).join(', ')}`);
}
const root = await fs.mkdtemp(join(tmpdir(), 'bench-tune-'));
const train = folder('train');
const val = folder('val');
const hypermodelOptions = {
  inputShape: [SIZE, SIZE, 3], numClasses: 4,
  space: { num_blocks: { min: 1, max: 2 }, filters: { values: [4, 8] }, pool_size: { values: [1, 2] }, dense_units: { fixed: 0 }, dropout: { fixed: 0 } },
};
let runs = 0;
const run = async (workers: number) => {
  const tuner = new Hyperband({
    hypermodel: CNN_HYPERMODEL_MODULE, hypermodelOptions,
    objective: 'val_accuracy', maxEpochs: MAX_EPOCHS, factor: 2, hyperbandIterations: ITERATIONS, seed: 7,
    directory: root, projectName: `workers-${workers}-${runs++}`, verbose: 0,
  });
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0];
  const outcome = await tuner.search(train, { validationData: val, workers });
  const seconds = (Date.now() - t0) / 1000;
  const startup = outcome.startup;
  const startSeconds = outcome.readySeconds;
  console.log(`workers=${workers}: slots ready after ${startSeconds.toFixed(2)} s${startup ? ` (${startup.cpuSeconds} CPU-seconds, all threads)` : ''}; ` +
    `${outcome.idleSlotSeconds.toFixed(1)} slot-seconds idle waiting for the oracle (Hyperband round ends)`);
  if (startup) {
    console.log(`  main thread: project loaded and data prepared after ${startup.prepareSeconds} s (the workers were starting meanwhile)`);
    startup.workers.forEach((w, i) => console.log(`  worker ${i}: ${w.seconds} s, ${w.cpuSeconds ?? '?'} CPU-s: ` +
      w.phases.map((p) => `${p.name} ${p.seconds}${p.cpuSeconds !== undefined ? `/${p.cpuSeconds}` : ''}`).join(', ') + ' (wall/CPU s)'));
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds this process (all its threads) got per wall second: ~workers on an idle machine.
  const cpuShare = (cpu.user + cpu.system) / 1e6 / seconds;
  const trials: TrialFigures[] = [...tuner.oracle.trials.values()].map((t) => ({ values: t.values, score: t.score, elapsedSeconds: t.elapsedSeconds }));
  const epochs = trials.reduce((s, t) => s + Number(t.values['tuner/epochs']) - Number(t.values['tuner/initial_epoch']), 0);
  console.log(`workers=${workers}: ${trials.length} trials, ${epochs} epochs in ${seconds.toFixed(1)} s (CPU share ${cpuShare.toFixed(2)}, ` +
    `load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}); best val_accuracy ${tuner.oracle.getBestTrials(1)[0]?.score}`);
  // Where the slot-seconds went: start-up, training trials (dispatch to recorded end), waiting for the
  // oracle (round ends), and the rest (the coordinator between a result and the next trial, the last trials' tail).
  const training = trials.reduce((a, t) => a + (t.elapsedSeconds ?? 0), 0);
  const total = workers * seconds;
  const slotSeconds = {
    total: +total.toFixed(2), startup: +(workers * startSeconds).toFixed(2), training: +training.toFixed(2), oracleIdle: outcome.idleSlotSeconds,
    other: +(total - workers * startSeconds - training - outcome.idleSlotSeconds).toFixed(2),
  };
  console.log(`workers=${workers}: slot-seconds ${JSON.stringify(slotSeconds)}`);
  return { seconds, startSeconds, startup, trials, slotSeconds, cpuShare: +cpuShare.toFixed(2), loadAverage: +((load0 + loadavg()[0]) / 2).toFixed(2) };
};

type Run = Awaited<ReturnType<typeof run>>;

/** One search in a fresh process (this script, BENCH_TUNE_CHILD=workers): its output passes through. */
function runInChild(workers: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]], {
      env: { ...process.env, BENCH_TUNE_CHILD: String(workers) }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => { out += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n');
      const result = lines.find((l) => l.startsWith(RESULT_PREFIX));
      process.stdout.write(lines.filter((l) => l && !l.startsWith(RESULT_PREFIX)).map((l) => `${l}\n`).join(''));
      if (code !== 0 || !result) reject(new Error(`the search with ${workers} worker(s) in a child process failed (exit code ${code})`));
      else resolve(JSON.parse(result.slice(RESULT_PREFIX.length)) as Run);
    });
  });
}

/** The start-up split for the JSON line: main thread's preparation, then per phase the slowest worker's wall and the workers' summed CPU seconds. */
function startupSplit(startup: Run['startup']) {
  if (!startup) return undefined;
  const phases: Record<string, { seconds: number; cpuSeconds?: number }> = {};
  for (const w of startup.workers) {
    for (const p of w.phases) {
      const a = (phases[p.name] ??= { seconds: 0 });
      a.seconds = Math.max(a.seconds, p.seconds);
      if (p.cpuSeconds !== undefined) a.cpuSeconds = +((a.cpuSeconds ?? 0) + p.cpuSeconds).toFixed(2);
    }
  }
  return { seconds: startup.seconds, cpuSeconds: startup.cpuSeconds, prepareSeconds: startup.prepareSeconds, workerPhases: phases };
}
const fastest = (a: Run | undefined, b: Run) => (a === undefined || b.seconds < a.seconds ? b : a);
const once = (workers: number) => (SAME_PROCESS ? run(workers) : runInChild(workers));
if (CHILD_WORKERS !== undefined) {
  try {
    console.log(RESULT_PREFIX + JSON.stringify(await run(Number(CHILD_WORKERS))));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
} else try {
  let serial: Run | undefined;
  const best = new Map<number, Run>();
  for (let r = 0; r < REPEAT; r++) {
    serial = fastest(serial, await once(1));
    for (const n of WORKERS) best.set(n, fastest(best.get(n), await once(n)));
  }
  if (!serial) throw new Error('BENCH_REPEAT must be >= 1');
  const serialByConfig = byConfig(serial.trials);
  const results: Record<string, unknown>[] = [];
  for (const n of WORKERS) {
    const parallel = best.get(n)!;
    const parallelByConfig = byConfig(parallel.trials);
    const sameTrials = parallelByConfig.size === serialByConfig.size && [...serialByConfig.keys()].every((k) => parallelByConfig.has(k));
    let maxScoreDiff = 0;
    for (const [k, t] of serialByConfig) {
      const p = parallelByConfig.get(k);
      if (p && t.score !== null && p.score !== null) maxScoreDiff = Math.max(maxScoreDiff, Math.abs(p.score - t.score));
    }
    const speedup = serial.seconds / parallel.seconds;
    const ceiling = ceilings.get(n)!;
    // Starting N tfjs workers is a fixed cost (tsx + tfjs + wasm per thread); a long search amortizes it.
    const steady = serial.seconds / (parallel.seconds - parallel.startSeconds);
    console.log(`workers=${n}: speed-up ${speedup.toFixed(2)}x (${steady.toFixed(2)}x after the ${parallel.startSeconds.toFixed(2)} s worker start; machine ceiling ${ceiling.toFixed(2)}x), same trials: ${sameTrials}, largest score difference ${maxScoreDiff}`);
    results.push({ workers: n, seconds: +parallel.seconds.toFixed(2), speedup: +speedup.toFixed(3), workerStartSeconds: +parallel.startSeconds.toFixed(3),
      workerStartCpuSeconds: parallel.startup?.cpuSeconds, startup: startupSplit(parallel.startup), slotSeconds: parallel.slotSeconds, speedupAfterStart: +steady.toFixed(3), threadCeiling: +ceiling.toFixed(3), ofCeiling: +(speedup / ceiling).toFixed(3), cpuShare: parallel.cpuShare, loadAverage: parallel.loadAverage, sameTrials, maxScoreDiff });
  }
  console.log(JSON.stringify({
    bench: 'tune', from: FROM, freshProcess: !SAME_PROCESS, backend, cores: availableParallelism(), cpu: cpus()[0]?.model, imageSize: SIZE, trainImages: train.samples,
    hyperband: { maxEpochs: MAX_EPOCHS, factor: 2, iterations: ITERATIONS }, trials: serial.trials.length, repeat: REPEAT,
    serialSeconds: +serial.seconds.toFixed(2), serialSlotSeconds: serial.slotSeconds, serialCpuShare: serial.cpuShare, serialLoadAverage: serial.loadAverage, parallel: results,
  }));
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
