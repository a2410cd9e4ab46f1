/**
 * Hyperband (Li et al. 2018) exactly as KerasTuner 1.4 schedules it: brackets from the most aggressive
 * down to plain random search; in each bracket a round of random configurations trained briefly, then
 * the best are promoted to a new trial that trains longer, warm-started from the parent's checkpoint.
 * For maxEpochs=10, factor=3: 30 trials (22 fresh configurations), 120 epochs.
 */
import type { HyperValue } from '../hyperparameters.js';
import { Oracle, ORACLE_OPTION_KEYS, type OracleOptions, type PopulateResult } from '../oracle.js';
import { optionKeys } from '../../util/option-keys.js';

export interface HyperbandOptions extends OracleOptions {
  /** The most epochs one model is trained for (default 100). */
  maxEpochs?: number;
  /** The reduction factor between rounds (default 3, at least 2). */
  factor?: number;
  /** How many times the whole set of brackets runs (default 1). Can be raised on resume. */
  hyperbandIterations?: number;
}

/** The option keys the HyperbandOracle reads. */
export const HYPERBAND_OPTION_KEYS = [...ORACLE_OPTION_KEYS, ...optionKeys<Omit<HyperbandOptions, keyof OracleOptions>>({ maxEpochs: true, factor: true, hyperbandIterations: true })];

interface RoundEntry { pastId: string | null; id: string }
interface Bracket { bracketNum: number; rounds: RoundEntry[][] }
interface HyperbandState { currentBracket: number; currentIteration: number; brackets: Bracket[] }

export class HyperbandOracle extends Oracle {
  readonly kind: string = 'Hyperband';
  override optionKeys(): readonly string[] {
    return HYPERBAND_OPTION_KEYS;
  }
  readonly maxEpochs: number;
  readonly factor: number;
  hyperbandIterations: number;
  /** Whether hyperbandIterations was given (otherwise a time budget makes the iterations open-ended). */
  private readonly iterationsGiven: boolean;
  private iterationsBeforeBudget: number | undefined;
  readonly minEpochs = 1;
  private currentBracket: number;
  private currentIteration = 0;
  private brackets: Bracket[] = [];

  constructor(opts: HyperbandOptions = {}) {
    super(opts);
    this.maxEpochs = opts.maxEpochs ?? 100;
    this.factor = opts.factor ?? 3;
    this.hyperbandIterations = opts.hyperbandIterations ?? 1;
    this.iterationsGiven = opts.hyperbandIterations !== undefined;
    if (!(Number.isInteger(this.maxEpochs) && this.maxEpochs >= 1)) throw new Error(`maxEpochs must be an integer >= 1 (got ${opts.maxEpochs}).`);
    if (!(Number.isInteger(this.factor) && this.factor >= 2)) throw new Error(`factor must be an integer >= 2 (got ${opts.factor}).`);
    if (!(Number.isInteger(this.hyperbandIterations) && this.hyperbandIterations >= 1)) {
      throw new Error(`hyperbandIterations must be an integer >= 1 (got ${opts.hyperbandIterations}).`);
    }
    this.currentBracket = this.numBrackets() - 1;
    this.startNewBracket();
  }

  override settings(): Record<string, unknown> {
    return { ...super.settings(), maxEpochs: this.maxEpochs, factor: this.factor };
  }

  override setOpenEnded(on: boolean): void {
    if (this.iterationsGiven) return;
    if (on && this.iterationsBeforeBudget === undefined) {
      this.iterationsBeforeBudget = this.hyperbandIterations;
      this.hyperbandIterations = Infinity;
    } else if (!on && this.iterationsBeforeBudget !== undefined) {
      this.hyperbandIterations = this.iterationsBeforeBudget;
      this.iterationsBeforeBudget = undefined;
    }
  }

  /** Brackets: how many of 1, f, f^2... are <= maxEpochs (KerasTuner divides while the quotient is >= 1). */
  numBrackets(): number {
    let brackets = 0;
    for (let p = 1; p <= this.maxEpochs; p *= this.factor) brackets++;
    return brackets;
  }

  /**
   * Trials in round r of bracket b: each bracket gets about the same budget. KerasTuner's
   * ceil(s0 / (b + 1) * f^(b - r)) with s0 = ceil(1 + log_f(maxEpochs)), in integers: a floating
   * log_f(9) with base 3 is 2.0000000000000004, which would make s0 4 instead of 3.
   */
  size(bracketNum: number, roundNum: number): number {
    return ceilDiv(this.bracket0EndSize() * this.factor ** (bracketNum - roundNum), bracketNum + 1);
  }

  /** The epoch a model of round r of bracket b trains up to: ceil(maxEpochs / f^(b - r)). */
  epochs(bracketNum: number, roundNum: number): number {
    return ceilDiv(this.maxEpochs, this.factor ** (bracketNum - roundNum));
  }

  /** ceil(1 + log_f(maxEpochs)) = 1 + the smallest k with f^k >= maxEpochs. */
  private bracket0EndSize(): number {
    let k = 0;
    for (let p = 1; p < this.maxEpochs; p *= this.factor) k++;
    return 1 + k;
  }

  /** The whole planned schedule (one iteration): [bracket, round, trials, initialEpoch, epochs]. */
  schedule(): Array<{ bracket: number; round: number; trials: number; initialEpoch: number; epochs: number }> {
    const out = [];
    for (let b = this.numBrackets() - 1; b >= 0; b--) {
      for (let r = 0; r <= b; r++) {
        out.push({ bracket: b, round: r, trials: this.size(b, r), initialEpoch: r === 0 ? 0 : this.epochs(b, r - 1), epochs: this.epochs(b, r) });
      }
    }
    return out;
  }

  protected populateSpace(trialId: string): PopulateResult {
    this.removeCompletedBrackets();
    for (const bracket of this.brackets) {
      const { bracketNum, rounds } = bracket;
      if (rounds[0].length < this.size(bracketNum, 0)) return this.randomTrial(trialId, bracket);
      for (let roundNum = 1; roundNum < rounds.length; roundNum++) {
        const round = rounds[roundNum];
        const past = rounds[roundNum - 1];
        const size = this.size(bracketNum, roundNum);
        const pastSize = this.size(bracketNum, roundNum - 1);
        const selected = new Set(round.map((e) => e.pastId));
        const candidates = past
          .filter((e) => !selected.has(e.id))
          .map((e) => this.trials.get(e.id))
          .filter((t) => t !== undefined && t.status === 'COMPLETED');
        // Promote once the whole previous round has ended, so the best are chosen among all of it: a
        // serial search always sees it so, and a parallel one (whose workers meanwhile start the next
        // bracket, as KerasTuner's do) then makes the same promotions, whatever the finishing order.
        if (round.length < size && candidates.length > 0 && past.length >= pastSize && past.every((e) => this.hasEnded(e.id))) {
          const best = this.getBestOf(candidates as NonNullable<(typeof candidates)[number]>[]);
          const values: Record<string, HyperValue> = { ...best.hyperparameters.values };
          values['tuner/trial_id'] = best.trialId;
          values['tuner/epochs'] = this.epochs(bracketNum, roundNum);
          values['tuner/initial_epoch'] = this.epochs(bracketNum, roundNum - 1);
          values['tuner/bracket'] = bracketNum;
          values['tuner/round'] = roundNum;
          round.push({ pastId: best.trialId, id: trialId });
          return { status: 'RUNNING', values };
        }
      }
    }
    // Nothing in the open brackets can run now.
    if (this.currentBracket === 0 && this.currentIteration + 1 >= this.hyperbandIterations) {
      return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
    }
    this.incrementBracket();
    this.startNewBracket();
    return this.randomTrial(trialId, this.brackets[this.brackets.length - 1]);
  }

  protected override releaseSlot(trialId: string): void {
    for (const b of this.brackets) for (const round of b.rounds) {
      const i = round.findIndex((e) => e.id === trialId);
      if (i >= 0) round.splice(i, 1);
    }
  }

  private hasEnded(trialId: string): boolean {
    const t = this.trials.get(trialId);
    if (!t) return false;
    return t.status === 'COMPLETED' || t.status === 'FAILED' || (t.status === 'INVALID' && !this.retryQueue.includes(trialId));
  }

  private getBestOf<T extends { score: number | null; trialId: string }>(trials: T[]): T {
    const sign = this.objective.direction === 'max' ? -1 : 1;
    return [...trials].sort((a, b) => sign * ((a.score ?? Infinity) - (b.score ?? Infinity)))[0];
  }

  /** The values of a bracket's fresh configuration: random here, model-based in BOHB. */
  protected freshValues(): Record<string, HyperValue> | null {
    return this.randomValues();
  }

  private randomTrial(trialId: string, bracket: Bracket): PopulateResult {
    const values = this.freshValues();
    if (!values) return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
    values['tuner/epochs'] = this.epochs(bracket.bracketNum, 0);
    values['tuner/initial_epoch'] = 0;
    values['tuner/bracket'] = bracket.bracketNum;
    values['tuner/round'] = 0;
    bracket.rounds[0].push({ pastId: null, id: trialId });
    return { status: 'RUNNING', values };
  }

  private startNewBracket(): void {
    this.brackets.push({ bracketNum: this.currentBracket, rounds: Array.from({ length: this.currentBracket + 1 }, () => []) });
  }

  private incrementBracket(): void {
    this.currentBracket -= 1;
    if (this.currentBracket < 0) {
      this.currentBracket = this.numBrackets() - 1;
      this.currentIteration += 1;
    }
  }

  private removeCompletedBrackets(): void {
    this.brackets = this.brackets.filter((b) => {
      const last = b.rounds.length - 1;
      return b.rounds[last].length < this.size(b.bracketNum, last);
    });
  }

  protected override getExtraState(): unknown {
    return { currentBracket: this.currentBracket, currentIteration: this.currentIteration, brackets: JSON.parse(JSON.stringify(this.brackets)) };
  }

  protected override setExtraState(extra: unknown): void {
    const s = extra as HyperbandState;
    this.currentBracket = s.currentBracket;
    this.currentIteration = s.currentIteration;
    this.brackets = JSON.parse(JSON.stringify(s.brackets));
  }
}

/** ceil(a / b) for non-negative integers, exactly (all operands stay far below 2^53). */
function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}
