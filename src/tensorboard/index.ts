/** TensorBoard logs (scalars + HPARAMS tab) for tfjs `fit` and tfjs-tuner searches, on every backend. */
export { tensorBoardCallback, TensorBoardCallback, type TensorBoardCallbackOptions } from './callback.js';
export {
  writeHparamsExperiment,
  TrialLogger,
  type HparamsExperimentOptions,
  type TrialEndOptions,
} from './trial-logger.js';
export { type TrialEndStatus, SCORE_METRIC } from './hparams.js';
export { scalarNameForLog, type ScalarName, type ScalarRun } from './metric-names.js';
export { EventFileWriter, type EventInit } from './event-file-writer.js';
export { RunWriter } from './run-writer.js';
export { readRecords, frameRecord, maskedCrc32c, type RecordProblem, type RecordReadResult } from './record.js';
export * from './event-reader.js';
