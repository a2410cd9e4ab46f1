/**
 * Connects `tuner.search(..., {tensorboard: dir})` to the TensorBoard writer: one TrialLogger per trial
 * execution (scalars + hparams session), and the HPARAMS experiment written when the first trial starts
 * (so a running search shows up at once) and again at the end with every metric the trials logged.
 * Metrics are the per-epoch scalars (loss, val_accuracy, ...) and `score`, each execution's best value of
 * the objective.
 */
import type { TensorBoardIntegration } from '../tuners/tuner-options.js';
import { TrialLogger, writeHparamsExperiment } from './trial-logger.js';

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
  async searchEnd(logdir, space, metricNames) {
    await writeHparamsExperiment(logdir, space, metricNames);
  },
};
