/** Random search: every trial draws each active hyperparameter at random (duplicates are redrawn). */
import { Oracle, type OracleOptions, type PopulateResult } from '../oracle.js';

export class RandomSearchOracle extends Oracle {
  readonly kind = 'RandomSearch';

  constructor(opts: OracleOptions = {}) {
    super({ maxTrials: 10, ...opts });
  }

  protected populateSpace(): PopulateResult {
    const values = this.randomValues();
    if (values) return { status: 'RUNNING', values };
    // The space is exhausted (20 collisions in a row): stop once the running trials are done.
    return { status: this.ongoing.size > 0 ? 'IDLE' : 'STOPPED' };
  }
}
