/**
 * BOHB against Hyperband and random search on the paper's own multi-fidelity problem, "counting ones"
 * (Falkner, Klein, Hutter 2018, section 5.1 and figure 3), with no training: the oracles alone, so many
 * seeds and long searches take seconds and what is measured is the search algorithm, not a CNN's noise.
 *
 * The problem: N boolean and N continuous hyperparameters in [0, 1]; the true score of a configuration
 * is (number of true booleans + sum of the continuous values) / 2N, best 1 at all-true / all-ones. A
 * trial at budget b epochs observes each continuous value through the mean of b x SAMPLES_PER_EPOCH
 * Bernoulli draws (the paper's budget is the number of samples: 27 per epoch gives its 27 to 729 for
 * 1 to 27 epochs), so small budgets are noisy.
 * The cost of a search is the epochs it trains (a promoted trial continues: tuner/epochs - initial_epoch);
 * a search's quality after some cost is the TRUE score of the trial oracle.getBestTrials(1) names then
 * (what a user would get), as regret 1 - score. Median over seeds.
 * The LAST line is one JSON object: per tuner, the median regret at each fraction of Hyperband's cost,
 * and the cost BOHB and random search needed to reach Hyperband's final median regret.
 *   npm run bench:bohb                   (N = 8, max 27 epochs, factor 3, 6 Hyperband iterations, 25 seeds)
 *   BOHB_DIMS=4 BOHB_SEEDS=50 BOHB_ITERATIONS=4 npm run bench:bohb
 */
import { HyperParameters, type HyperValue } from '../src/tuners/hyperparameters.js';
import { HyperbandOracle } from '../src/tuners/oracles/hyperband.js';
import { BOHBOracle } from '../src/tuners/oracles/bohb.js';
import { RandomSearchOracle } from '../src/tuners/oracles/random-search.js';
import type { Oracle } from '../src/tuners/oracle.js';
import { Rng } from '../src/util/rng.js';
import { median } from './stats.js';

const DIMS = Number(process.env.BOHB_DIMS ?? 8);
const SEEDS = Number(process.env.BOHB_SEEDS ?? 25);
const ITERATIONS = Number(process.env.BOHB_ITERATIONS ?? 6);
const MAX_EPOCHS = Number(process.env.BOHB_MAX_EPOCHS ?? 27);
const FACTOR = Number(process.env.BOHB_FACTOR ?? 3);
const SAMPLES_PER_EPOCH = Number(process.env.BOHB_SAMPLES_PER_EPOCH ?? 27);
for (const [name, v] of Object.entries({ DIMS, SEEDS, ITERATIONS, MAX_EPOCHS, FACTOR, SAMPLES_PER_EPOCH })) {
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`BOHB_${name} must be a positive integer (got ${v}).`);
}

function space(): HyperParameters {
  const hp = new HyperParameters();
  for (let i = 0; i < DIMS; i++) hp.boolean(`b${i}`);
  for (let i = 0; i < DIMS; i++) hp.float(`x${i}`, { min: 0, max: 1 });
  return hp;
}

function trueScore(v: Record<string, HyperValue>): number {
  let s = 0;
  for (let i = 0; i < DIMS; i++) s += (v[`b${i}`] === true ? 1 : 0) + Number(v[`x${i}`]);
  return s / (2 * DIMS);
}

/** The score a trial at `epochs` observes: each continuous value estimated from Bernoulli draws. */
function observedScore(v: Record<string, HyperValue>, epochs: number, rng: Rng): number {
  const samples = epochs * SAMPLES_PER_EPOCH;
  let s = 0;
  for (let i = 0; i < DIMS; i++) {
    const p = Number(v[`x${i}`]);
    let hits = 0;
    for (let k = 0; k < samples; k++) if (rng.next() < p) hits++;
    s += (v[`b${i}`] === true ? 1 : 0) + hits / samples;
  }
  return s / (2 * DIMS);
}

type Curve = Array<{ cost: number; regret: number }>;

/** Runs one search to its end, serially; the curve has one point per ended trial. */
function run(oracle: Oracle, seed: number): Curve {
  const curve: Curve = [];
  const noise = new Rng(Rng.mixSeed(seed, 7919));
  let cost = 0;
  for (;;) {
    const trial = oracle.createTrial('bench');
    if (trial.status !== 'RUNNING') break;
    const v = trial.hyperparameters.values;
    const epochs = Number(v['tuner/epochs'] ?? MAX_EPOCHS);
    cost += epochs - Number(v['tuner/initial_epoch'] ?? 0);
    const score = observedScore(v, epochs, noise);
    oracle.updateTrial(trial.trialId, { metrics: { score: [score] }, bestMetrics: { score }, bestStep: 0 });
    oracle.endTrial(trial.trialId, 'COMPLETED');
    const best = oracle.getBestTrials(1)[0];
    curve.push({ cost, regret: 1 - trueScore(best.hyperparameters.values) });
  }
  return curve;
}

const objective = { name: 'score', direction: 'max' as const };
const hyperbandOptions = (seed: number) => ({ hyperparameters: space(), objective, maxEpochs: MAX_EPOCHS, factor: FACTOR, hyperbandIterations: ITERATIONS, seed });
const regretAt = (curve: Curve, cost: number) => {
  let r = 1;
  for (const p of curve) if (p.cost <= cost) r = p.regret;
  return r;
};

const t0 = performance.now();
const curves: Record<string, Curve[]> = { hyperband: [], bohb: [], random: [] };
let hyperbandCost = 0;
let modelBased = 0;
let bohbTrials = 0;
for (let seed = 1; seed <= SEEDS; seed++) {
  const hb = run(new HyperbandOracle(hyperbandOptions(seed)), seed);
  curves.hyperband.push(hb);
  hyperbandCost = hb[hb.length - 1].cost;
  const bohbOracle = new BOHBOracle(hyperbandOptions(seed));
  curves.bohb.push(run(bohbOracle, seed));
  modelBased += bohbOracle.modelBasedTrials().length;
  bohbTrials += bohbOracle.trials.size;
  // Random search gets Hyperband's cost, every trial at the full budget (what KerasTuner's RandomSearch does).
  const randomTrials = Math.max(1, Math.floor(hyperbandCost / MAX_EPOCHS));
  curves.random.push(run(new RandomSearchOracle({ hyperparameters: space(), objective, maxTrials: randomTrials, seed }), seed));
}

const fractions = [0.1, 0.25, 0.5, 0.75, 1];
const results: Record<string, Record<string, number>> = {};
for (const [name, cs] of Object.entries(curves)) {
  results[name] = Object.fromEntries(fractions.map((f) => [`regret@${f}`, +median(cs.map((c) => regretAt(c, f * hyperbandCost))).toFixed(4)]));
}
// The smallest cost at which a tuner's median regret is at most Hyperband's final median regret.
const target = median(curves.hyperband.map((c) => regretAt(c, hyperbandCost)));
const costToReach = (cs: Curve[]) => {
  const costs = [...new Set(cs.flatMap((c) => c.map((p) => p.cost)))].sort((a, b) => a - b);
  return costs.find((cost) => median(cs.map((c) => regretAt(c, cost))) <= target) ?? null;
};
for (const name of Object.keys(curves)) {
  const c = costToReach(curves[name]);
  results[name].epochsToHyperbandFinal = c ?? -1;
  console.log(`${name.padEnd(9)} median regret ${fractions.map((f) => `@${f * 100}%: ${results[name][`regret@${f}`].toFixed(3)}`).join('  ')}; ` +
    `reaches Hyperband's final ${target.toFixed(3)} after ${c ?? 'never'} of ${hyperbandCost} epochs${c ? ` (${(c / hyperbandCost).toFixed(2)}x)` : ''}`);
}
console.log(JSON.stringify({
  bench: 'bohb', problem: 'counting ones', dims: { booleans: DIMS, continuous: DIMS }, samplesPerEpoch: SAMPLES_PER_EPOCH,
  hyperband: { maxEpochs: MAX_EPOCHS, factor: FACTOR, iterations: ITERATIONS, epochs: hyperbandCost }, seeds: SEEDS,
  bohbModelBasedShare: +(modelBased / bohbTrials).toFixed(3), seconds: +((performance.now() - t0) / 1000).toFixed(1), results,
}));
