/**
 * Grid search: every combination of values, in order, the last hyperparameter changing fastest.
 * Conditional hyperparameters are enumerated only where their parent's value makes them active, and
 * hyperparameters discovered during the search join the grid from the next trial on.
 */
import { HyperParameters, type HyperParameterSpec, type HyperValue } from '../hyperparameters.js';
import { Oracle, valuesKey, type OracleOptions, type PopulateResult } from '../oracle.js';
import { gridValues } from '../sampling.js';

export class GridSearchOracle extends Oracle {
  readonly kind = 'GridSearch';

  constructor(opts: OracleOptions = {}) {
    super(opts);
  }

  protected populateSpace(): PopulateResult {
    for (const values of enumerateGrid(this.hyperparameters.space)) {
      if (!this.triedSoFar.has(valuesKey(values))) return { status: 'RUNNING', values };
    }
    return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
  }
}

/** Lazily enumerates every active combination of a space, in declaration order. */
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
    for (const v of gridValues(spec)) {
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
