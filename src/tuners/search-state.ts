/**
 * The oracle's state in a SearchStorage: the stored state names its trials by id and each trial's
 * record is kept once, apart. Loading joins them; saving writes the records that changed since they
 * were loaded, then the state.
 */
import type { Oracle, OracleState } from './oracle.js';
import type { HyperParameterSpec } from './hyperparameters.js';
import type { TrialRecord } from './trial.js';
import { SEARCH_FORMAT, type SearchTransaction, type StoredSearch } from './storage/search-storage.js';

/** What a stored search holds besides the oracle's state: the settings and initial space it was made with. */
export interface SearchMeta {
  settings: Record<string, unknown>;
  initialSpace: HyperParameterSpec[];
}

export async function loadOracleState(tx: SearchTransaction, search: StoredSearch): Promise<OracleState> {
  const { trialIds, ...rest } = search.state;
  const trials: TrialRecord[] = [];
  for (const id of trialIds) {
    const r = await tx.loadTrial(id);
    if (!r) throw new Error(`The stored search names trial ${id} but holds no record of it; start afresh with overwrite: true.`);
    trials.push(r);
  }
  return { ...rest, trials };
}

/** The records as loaded (JSON), to save only what a step changed. */
export function recordSnapshot(oracle: Oracle): Map<string, string> {
  return new Map(oracle.getState().trials.map((r) => [r.trialId, JSON.stringify(r)]));
}

export async function saveOracleState(tx: SearchTransaction, meta: SearchMeta, oracle: Oracle, loaded?: Map<string, string>): Promise<void> {
  const { trials, ...rest } = oracle.getState();
  for (const r of trials) if (loaded?.get(r.trialId) !== JSON.stringify(r)) await tx.saveTrial(r);
  await tx.saveSearch({ format: SEARCH_FORMAT, settings: meta.settings, initialSpace: meta.initialSpace, state: { ...rest, trialIds: trials.map((t) => t.trialId) } });
}
