/**
 * How a `model.fit` log key becomes a TensorBoard scalar, the way Keras's TensorBoard callback names
 * them: `loss` -> run `train`, tag `epoch_loss`; `val_loss` -> run `validation`, tag `epoch_loss`.
 * tfjs logs the metric `'accuracy'` as `acc`; it is written as Keras's `epoch_accuracy`.
 */
export type ScalarRun = 'train' | 'validation';

export interface ScalarName {
  /** Sub-directory (TensorBoard run suffix) of the session's log directory. */
  run: ScalarRun;
  tag: string;
}

const KERAS_SPELLING: Record<string, string> = { acc: 'accuracy' };

export function scalarNameForLog(logKey: string): ScalarName {
  const validation = logKey.startsWith('val_');
  const metric = validation ? logKey.slice(4) : logKey;
  return { run: validation ? 'validation' : 'train', tag: `epoch_${KERAS_SPELLING[metric] ?? metric}` };
}
