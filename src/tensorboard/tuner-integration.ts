/**
 * Connects `tuner.search(..., {tensorboard: dir})` to the TensorBoard writer: one TrialLogger per trial
 * execution (scalars + hparams session), and the HPARAMS experiment written when the first trial starts
 * (so a running search shows up at once) and again at the end with every metric the trials logged.
 * Metrics are the per-epoch scalars (loss, val_accuracy, ...) and `score`, each execution's best value of
 * the objective.
 */
import type { TensorBoardIntegration } from '../tuners/tuner-options.js';
import type { SearchStorage } from '../tuners/storage/search-storage.js';
import { TrialLogger, writeHparamsExperiment } from './trial-logger.js';

/** The HPARAMS experiment of a whole search, as its storage holds it: the space and every metric any trial logged. */
export async function writeSearchExperiment(logdir: string, storage: SearchStorage): Promise<void> {
  const search = await storage.loadSearch();
  if (!search) return;
  const names = new Set<string>();
  for (const t of await storage.loadTrials()) for (const k of Object.keys(t.metrics)) names.add(k);
  await writeHparamsExperiment(logdir, search.state.space, [...names]);
}

export const tensorBoardIntegration: TensorBoardIntegration = {
  trialCallbacks(logdir) {
    let experimentWritten = false;
    return async ({ trial, execution, hyperparameters, space }) => {
      if (!experimentWritten) {
        await writeHparamsExperiment(logdir, space, ['loss', 'val_loss', 'accuracy', 'val_accuracy']);
        experimentWritten = true;
      }
      const logger = new TrialLogger(logdir, trial.trialId, execution, hyperparameters);
      return {
        callbacks: [logger.callback()],
        // The execution's score (its best objective value) becomes the `score` metric of the HPARAMS tab.
        onEnd: (status, result) => logger.end(status, result ? { score: result.score, step: result.bestStep ?? undefined } : {}),
      };
    };
  },
  searchEnd: writeSearchExperiment,
  // worker threads import this very object again
  workerModule: { module: import.meta.url, exportName: 'tensorBoardIntegration' },
};
