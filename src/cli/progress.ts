/** A progress bar per epoch while a trial trains (on a terminal only), for `tfjs-tuner tune`. */
import cliProgress from 'cli-progress';
import type { TrialCallbackFactory } from '../tuners/tuner-options.js';

/**
 * Per-trial fit callbacks that draw one bar per epoch: batches done, loss and accuracy so far.
 * Nothing is drawn when stderr is not a terminal (CI logs, pipes), where the per-trial lines suffice.
 */
export function epochProgressBars(batchesPerEpoch: number, stream: NodeJS.WriteStream = process.stderr): TrialCallbackFactory {
  return ({ trial }) => {
    if (!stream.isTTY) return undefined;
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `  trial ${trial.trialId} epoch {epoch} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | {duration}s`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let active = false;
    const stop = () => {
      if (active) bar.stop();
      active = false;
    };
    return {
      callbacks: [
        {
          onEpochBegin: async (epoch: number) => {
            stop();
            bar.start(batchesPerEpoch, 0, { epoch: epoch + 1, loss: '-', acc: '-' });
            active = true;
          },
          onBatchEnd: async (_batch: number, logs?: Record<string, number>) => {
            bar.increment(1, {
              loss: logs?.loss?.toFixed(4) ?? '-',
              acc: (logs?.acc ?? logs?.accuracy)?.toFixed(3) ?? '-',
            });
          },
          onEpochEnd: async () => stop(),
        },
      ],
      onEnd: () => stop(),
    };
  };
}
