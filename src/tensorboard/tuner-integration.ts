/**
 * Connects `tuner.search(..., {tensorboard: dir})` to the TensorBoard writer: one TrialLogger per trial
 * execution (scalars + hparams session), and the HPARAMS experiment written when the first trial starts
 * (so a running search shows up at once) and again at the end with every metric the trials logged.
 * Metrics are the per-epoch scalars (loss, val_accuracy, ...); the tuner's score is their best epoch.
 */
import type { TensorBoardIntegration } from '../tuners/tuner.js';
import { TrialLogger, writeHparamsExperiment } from './trial-logger.js';

export const tensorBoardIntegration: TensorBoardIntegration = {
  trialCallbacks(logdir) {
    let experimentWritten = false;
    return async ({ trial, execution, hyperparameters, space }) => {
      if (!experimentWritten) {
        await writeHparamsExperiment(logdir, space, ['loss', 'val_loss', 'accuracy', 'val_accuracy'], { score: false });
        experimentWritten = true;
      }
      const logger = new TrialLogger(logdir, trial.trialId, execution, hyperparameters);
      return {
        callbacks: [logger.callback()],
        onEnd: (status) => logger.end(status),
      };
    };
  },
  async searchEnd(logdir, space, metricNames) {
    await writeHparamsExperiment(logdir, space, metricNames, { score: false });
  },
};
