/**
 * BOHB (Falkner, Klein, Hutter 2018): Hyperband's schedule, but a bracket's fresh configurations come from a
 * density model of the results so far instead of uniform sampling. As in the paper (its Algorithm 2) and,
 * but for the two points below, its reference implementation (hpbandster):
 * - observations are grouped by budget (`tuner/epochs`); the model is fitted on the largest budget that
 *   has at least minPointsInModel + 2 results (minPointsInModel default: dimensions + 1). hpbandster
 *   also wants more than `dimensions` results in g(x), so 2 * dimensions + 2 on one budget, and raises a
 *   smaller minPointsInModel to dimensions + 1; we keep the paper's threshold and honour the option;
 * - only completed trials are observations (hpbandster adds a crashed run to g(x) with an infinite loss);
 * - the best topNPercent (15 %) of them, at least minPointsInModel, fit l(x), the worst fit g(x), each a
 *   product kernel density estimate (Gaussian for numbers, Aitchison-Aitken for unordered choices) with
 *   normal-reference bandwidths, at least minBandwidth;
 * - numSamples (64) candidates are drawn from l(x) with the bandwidths widened by bandwidthFactor (3),
 *   and the one with the largest l(x)/g(x) is proposed;
 * - a randomFraction (1/3) of fresh configurations stays uniformly random, so the search keeps exploring.
 * Configurations live in KerasTuner's [0, 1] encoding (sampling.ts); inactive conditional hyperparameters
 * sit at their default, as in the Bayesian oracle. The model is refitted from the trials at every proposal,
 * and every draw comes from the oracle's saved generator, so a resumed search proposes the same trials.
 */
import type { HyperParameterSpec, HyperValue } from '../hyperparameters.js';
import { valuesKey } from '../oracle.js';
import { HyperbandOracle, HYPERBAND_OPTION_KEYS, type HyperbandOptions } from './hyperband.js';
import { decode, encode } from './bayesian.js';
import { optionKeys } from '../../util/option-keys.js';

export interface BOHBOptions extends HyperbandOptions {
  /** Share of fresh configurations drawn uniformly at random (default 1/3). */
  randomFraction?: number;
  /** Percent of a budget's results that count as good (default 15). */
  topNPercent?: number;
  /** Fewest results in each of l and g (default: tunable dimensions + 1). */
  minPointsInModel?: number;
  /** Candidates drawn from l(x) per proposal (default 64). */
  numSamples?: number;
  /** Widening of the bandwidths when drawing candidates (default 3). */
  bandwidthFactor?: number;
  /** Smallest bandwidth (default 1e-3). */
  minBandwidth?: number;
}

/** The option keys the BOHBOracle reads. */
export const BOHB_OPTION_KEYS = [...HYPERBAND_OPTION_KEYS, ...optionKeys<Omit<BOHBOptions, keyof HyperbandOptions>>({ randomFraction: true, topNPercent: true, minPointsInModel: true, numSamples: true, bandwidthFactor: true, minBandwidth: true })];

interface Dim { categories: number } // 0 = continuous in [0, 1]
interface Kde { points: number[][]; bw: number[] }

export class BOHBOracle extends HyperbandOracle {
  override readonly kind = 'BOHB';
  override optionKeys(): readonly string[] {
    return BOHB_OPTION_KEYS;
  }
  readonly randomFraction: number;
  readonly topNPercent: number;
  readonly minPointsInModel: number | undefined;
  readonly numSamples: number;
  readonly bandwidthFactor: number;
  readonly minBandwidth: number;
  /** Trial ids whose configuration the model proposed (the rest of round 0 is random). */
  private modelBased: string[] = [];
  private proposing: string | null = null;

  constructor(opts: BOHBOptions = {}) {
    super(opts);
    this.randomFraction = opts.randomFraction ?? 1 / 3;
    this.topNPercent = opts.topNPercent ?? 15;
    this.minPointsInModel = opts.minPointsInModel;
    this.numSamples = opts.numSamples ?? 64;
    this.bandwidthFactor = opts.bandwidthFactor ?? 3;
    this.minBandwidth = opts.minBandwidth ?? 1e-3;
    if (!(this.randomFraction >= 0 && this.randomFraction <= 1)) throw new Error(`randomFraction must be in [0, 1] (got ${opts.randomFraction}).`);
    if (!(this.topNPercent > 0 && this.topNPercent < 100)) throw new Error(`topNPercent must be between 0 and 100 (got ${opts.topNPercent}).`);
    if (this.minPointsInModel !== undefined && !(Number.isInteger(this.minPointsInModel) && this.minPointsInModel >= 1)) {
      throw new Error(`minPointsInModel must be a positive integer (got ${opts.minPointsInModel}).`);
    }
    if (!(Number.isInteger(this.numSamples) && this.numSamples >= 1)) throw new Error(`numSamples must be a positive integer (got ${opts.numSamples}).`);
    if (!(this.bandwidthFactor > 0)) throw new Error(`bandwidthFactor must be > 0 (got ${opts.bandwidthFactor}).`);
    if (!(this.minBandwidth > 0)) throw new Error(`minBandwidth must be > 0 (got ${opts.minBandwidth}).`);
  }

  override settings(): Record<string, unknown> {
    return {
      ...super.settings(), randomFraction: this.randomFraction, topNPercent: this.topNPercent,
      minPointsInModel: this.minPointsInModel ?? null, numSamples: this.numSamples, bandwidthFactor: this.bandwidthFactor,
      minBandwidth: this.minBandwidth,
    };
  }

  /** Ids of the trials whose configuration came from the model. */
  modelBasedTrials(): string[] {
    return [...this.modelBased];
  }

  protected override populateSpace(trialId: string) {
    this.proposing = trialId;
    try {
      return super.populateSpace(trialId);
    } finally {
      this.proposing = null;
    }
  }

  protected override freshValues(): Record<string, HyperValue> | null {
    // One draw decides random vs model every time, so the generator advances the same way on resume.
    const explore = this.rng.next() < this.randomFraction;
    if (!explore) {
      const values = this.modelValues();
      if (values) {
        if (this.proposing !== null) this.modelBased.push(this.proposing);
        return values;
      }
    }
    return this.randomValues();
  }

  /** The paper's proposal: argmax l(x)/g(x) over candidates drawn from l; null while no budget has enough results. */
  private modelValues(): Record<string, HyperValue> | null {
    const space = this.hyperparameters.space;
    const specs = space.filter((s) => s.type !== 'fixed');
    if (specs.length === 0) return null;
    const dims: Dim[] = specs.map(dimOf);
    const minPoints = this.minPointsInModel ?? specs.length + 1;
    const sign = this.objective.direction === 'max' ? -1 : 1;
    // Results by budget; a promoted trial is the same configuration observed on a larger budget.
    const byBudget = new Map<number, Array<{ x: number[]; loss: number }>>();
    for (const t of this.trials.values()) {
      if (t.status !== 'COMPLETED' || t.score === null || !Number.isFinite(t.score)) continue;
      const budget = Number(t.hyperparameters.values['tuner/epochs'] ?? 0);
      const list = byBudget.get(budget) ?? [];
      list.push({ x: encodePoint(specs, dims, t.hyperparameters.values), loss: sign * t.score });
      byBudget.set(budget, list);
    }
    const budgets = [...byBudget.keys()].sort((a, b) => b - a);
    const budget = budgets.find((b) => byBudget.get(b)!.length >= minPoints + 2);
    if (budget === undefined) return null;
    const data = byBudget.get(budget)!;
    // Stable sort by loss (ties keep trial order, so the model is the same after a resume).
    const order = data.map((d, i) => ({ d, i })).sort((a, b) => a.d.loss - b.d.loss || a.i - b.i).map((e) => e.d.x);
    const nGood = Math.max(minPoints, Math.floor((this.topNPercent * order.length) / 100));
    const nBad = Math.max(minPoints, Math.floor(((100 - this.topNPercent) * order.length) / 100));
    const good = this.fitKde(dims, order.slice(0, nGood));
    const bad = this.fitKde(dims, order.slice(nGood, nGood + nBad));
    if (good.points.length === 0 || bad.points.length === 0) return null;

    const candidates: Array<{ x: number[]; score: number }> = [];
    for (let s = 0; s < this.numSamples; s++) {
      const centre = good.points[Math.floor(this.rng.next() * good.points.length)];
      const x = centre.map((c, d) => this.sampleAround(dims[d], c, Math.min(good.bw[d] * this.bandwidthFactor, dims[d].categories ? 1 : Infinity)));
      const l = kdeDensity(dims, good, x);
      const g = kdeDensity(dims, bad, x);
      candidates.push({ x, score: l / Math.max(g, 1e-32) });
    }
    candidates.sort((a, b) => b.score - a.score);
    for (const c of candidates) {
      const values = decode(space, toProbs(space, dims, c.x));
      if (!this.triedSoFar.has(valuesKey(values))) return values;
    }
    return null;
  }

  private fitKde(dims: Dim[], points: number[][]): Kde {
    const n = points.length;
    const bw = dims.map((dim, d) => {
      const xs = points.map((p) => p[d]);
      const mean = xs.reduce((a, b) => a + b, 0) / Math.max(n, 1);
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n - 1, 1));
      // statsmodels' normal reference rule, as hpbandster uses it: 1.06 sd n^(-1/(4+d)).
      let h = 1.06 * sd * Math.pow(Math.max(n, 1), -1 / (4 + dims.length));
      h = Math.max(h, this.minBandwidth);
      return dim.categories ? Math.min(h, (dim.categories - 1) / dim.categories) : h;
    });
    return { points, bw };
  }

  /** One coordinate drawn from the kernel centred on `c`: truncated Gaussian, or keep-or-switch category. */
  private sampleAround(dim: Dim, c: number, bw: number): number {
    if (dim.categories) {
      if (this.rng.next() < 1 - bw) return c;
      return Math.floor(this.rng.next() * dim.categories);
    }
    for (let i = 0; i < 100; i++) {
      const v = c + bw * gaussian(() => this.rng.next());
      if (v >= 0 && v <= 1) return v;
    }
    return Math.min(1, Math.max(0, c));
  }

  protected override getExtraState(): unknown {
    return { hyperband: super.getExtraState(), modelBased: [...this.modelBased] };
  }

  protected override setExtraState(extra: unknown): void {
    const s = extra as { hyperband: unknown; modelBased: string[] };
    super.setExtraState(s.hyperband);
    this.modelBased = [...s.modelBased];
  }
}

function dimOf(spec: HyperParameterSpec): Dim {
  if (spec.type === 'boolean') return { categories: 2 };
  if (spec.type === 'choice' && !spec.ordered) return { categories: spec.values.length };
  return { categories: 0 };
}

/** [0,1] encoding for continuous dimensions, the category index for unordered ones. */
function encodePoint(specs: HyperParameterSpec[], dims: Dim[], values: Record<string, HyperValue>): number[] {
  const probs = encode(specs, values);
  return probs.map((p, d) => (dims[d].categories ? Math.min(dims[d].categories - 1, Math.floor(p * dims[d].categories)) : p));
}

/** Back to one [0,1] coordinate per tunable hyperparameter (categories at their bucket's centre). */
function toProbs(space: HyperParameterSpec[], dims: Dim[], x: number[]): number[] {
  void space;
  return x.map((v, d) => (dims[d].categories ? (v + 0.5) / dims[d].categories : v));
}

function kdeDensity(dims: Dim[], kde: Kde, x: number[]): number {
  let sum = 0;
  for (const p of kde.points) {
    let prod = 1;
    for (let d = 0; d < dims.length; d++) {
      const bw = kde.bw[d];
      const k = dims[d].categories;
      if (k) prod *= p[d] === x[d] ? 1 - bw : bw / (k - 1);
      else {
        const z = (x[d] - p[d]) / bw;
        prod *= Math.exp(-0.5 * z * z) / (bw * Math.sqrt(2 * Math.PI));
      }
    }
    sum += prod;
  }
  return sum / kde.points.length;
}

/** A standard normal draw (Box-Muller) from uniform draws. */
function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
