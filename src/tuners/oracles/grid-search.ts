/**
 * Grid search as KerasTuner 1.4 walks it: the first trial takes every default; each ended trial
 * yields the next combination after its own values (the last hyperparameter changing fastest, each
 * one's default first, then its other values in order). Trials are kept in grid order, and a
 * combination is handed out only if it comes before the next trial already in that order, so
 * parallel workers never repeat one. Because the next combination starts from the values a trial
 * ended with, hyperparameters first declared during a trial (a conditional block, a value read in
 * `fit`) join the walk at their default, without repeating what was tried.
 */
import { HyperParameters, defaultValue, type HyperParameterSpec, type HyperValue } from '../hyperparameters.js';
import { Oracle, type OracleOptions, type PopulateResult } from '../oracle.js';
import type { Trial } from '../trial.js';
import { gridValues } from '../sampling.js';

interface GridState { ordered: string[]; populateNext: string[] }

export class GridSearchOracle extends Oracle {
  readonly kind = 'GridSearch';
  /** Trial ids in grid order (KerasTuner's linked list). */
  private ordered: string[] = [];
  /** Trials whose successor in the grid is still to be handed out. */
  private populateNext: string[] = [];

  constructor(opts: OracleOptions = {}) {
    super(opts);
  }

  protected populateSpace(trialId: string): PopulateResult {
    if (this.startOrder.length === 0) {
      const hp = HyperParameters.fromConfig({ space: this.hyperparameters.space, values: {} });
      hp.ensureActiveValues();
      this.ordered.push(trialId);
      this.populateNext.push(trialId);
      return { status: 'RUNNING', values: hp.values };
    }
    while (this.populateNext.length > 0) {
      const oldId = this.populateNext.shift()!;
      const next = nextCombination(this.hyperparameters.space, this.getTrial(oldId).values);
      if (next === null) continue;
      const at = this.ordered.indexOf(oldId);
      const following = this.ordered[at + 1];
      // Already handed out (or passed) by the trial that follows in grid order.
      if (following !== undefined && compareValues(this.hyperparameters.space, next, this.getTrial(following).values) >= 0) continue;
      this.ordered.splice(at + 1, 0, trialId);
      return { status: 'RUNNING', values: next };
    }
    return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
  }

  override endTrial(...args: Parameters<Oracle['endTrial']>): Trial {
    const trial = super.endTrial(...args);
    this.populateNext.push(trial.trialId);
    return trial;
  }

  protected override getExtraState(): GridState {
    return { ordered: [...this.ordered], populateNext: [...this.populateNext] };
  }

  protected override setExtraState(extra: unknown): void {
    const s = (extra ?? { ordered: [], populateNext: [] }) as GridState;
    this.ordered = [...s.ordered];
    this.populateNext = [...s.populateNext];
  }
}

/** A hyperparameter's values in grid order: its default first, then the others. */
export function gridOrder(spec: HyperParameterSpec): HyperValue[] {
  const d = defaultValue(spec);
  return [d, ...gridValues(spec).filter((v) => v !== d)];
}

/** KerasTuner's _get_next_combination: the combination after `values`, or null after the last. */
function nextCombination(space: HyperParameterSpec[], values: Record<string, HyperValue>): Record<string, HyperValue> | null {
  const hp = HyperParameters.fromConfig({ space, values });
  for (let i = space.length - 1; i >= 0; i--) {
    const spec = space[i];
    const order = gridOrder(spec);
    if (hp.isActive(spec)) {
      // An active value missing from an older trial's values was its default when it ran.
      const value = hp.has(spec.name) ? hp.get(spec.name) : order[0];
      if (value !== order[order.length - 1]) {
        hp.setValue(spec.name, order[order.indexOf(value) + 1]);
        hp.ensureActiveValues();
        return hp.values;
      }
    }
    hp.setValue(spec.name, order[0]);
  }
  return null;
}

/** KerasTuner's _compare: the first hyperparameter (in space order) whose values differ decides, by grid order. */
function compareValues(space: HyperParameterSpec[], a: Record<string, HyperValue>, b: Record<string, HyperValue>): number {
  for (const spec of space) {
    if (!(spec.name in a) || a[spec.name] === b[spec.name]) continue;
    if (!(spec.name in b)) return 1; // the longer combination is the larger
    const order = gridOrder(spec);
    return order.indexOf(a[spec.name]) < order.indexOf(b[spec.name]) ? -1 : 1;
  }
  return 0;
}

/** Lazily enumerates every active combination of a space in grid order (defaults first). */
export function* enumerateGrid(space: HyperParameterSpec[]): Generator<Record<string, HyperValue>> {
  const hp = HyperParameters.fromConfig({ space, values: {} });
  function* walk(i: number): Generator<Record<string, HyperValue>> {
    if (i === space.length) {
      yield hp.values;
      return;
    }
    const spec = space[i];
    if (!hp.isActive(spec) || hp.has(spec.name)) {
      yield* walk(i + 1);
      return;
    }
    for (const v of gridOrder(spec)) {
      hp.setValue(spec.name, v);
      yield* walk(i + 1);
    }
    hp.deleteValue(spec.name);
  }
  yield* walk(0);
}

/** The number of combinations in a space. */
export function gridSize(space: HyperParameterSpec[]): number {
  let n = 0;
  for (const _ of enumerateGrid(space)) n++;
  return n;
}
