/** Shared by the storage conformance suite and its child processes: a minimal search and trial; waits on children. */
import type { ChildProcess } from 'node:child_process';
import type { SearchStorage, StoredSearch } from '../../src/tuners/storage/search-storage.js';
import type { TrialRecord } from '../../src/tuners/trial.js';

/** A module the suite imports (in the test and in child processes) to open the storage under test. */
export interface StorageFactoryModule {
  /** The storage for `key`: the same key opens the same search, from any process. */
  makeStorage(key: string): Promise<SearchStorage>;
}

export function emptySearch(counter = 0): StoredSearch {
  return {
    format: 'tfjs-tuner/oracle@2',
    settings: { kind: 'Conformance', counter },
    initialSpace: [],
    state: { kind: 'Conformance', seed: 1, rngState: 1, space: [], ongoing: {}, startOrder: [], endOrder: [], retryQueue: [], triedSoFar: [], extra: null, trialIds: [] },
  };
}

export function trialRecord(trialId: string, score: number | null = null): TrialRecord {
  return { trialId, hyperparameters: { space: [], values: { x: trialId } }, metrics: { loss: [1, 0.5] }, score, bestStep: 1, status: 'COMPLETED' };
}

export function counterOf(search: StoredSearch | undefined): number {
  return Number(search?.settings.counter ?? NaN);
}

/** Resolves with the first stdout line of the child matching re (rejects, with its output, if it ends first). */
export function stdoutLine(proc: ChildProcess, ended: Promise<{ stderr: string }>, re: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    proc.stdout!.on('data', (d) => {
      text += d;
      const m = re.exec(text);
      if (m) resolve(m);
    });
    void ended.then((r) => reject(new Error(`the child ended before printing ${re}: ${text}\n${r.stderr}`)));
  });
}
