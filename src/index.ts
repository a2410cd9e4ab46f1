/**
 * tfjs-tuner: Keras-style image folders and KerasTuner-style search for TensorFlow.js in Node.
 * The package's public API, by name: what is not listed here is internal and may change.
 */

// Runtime: tfjs backends and the kernels this package adds to wasm.
export { initBackend, BACKEND_NAMES, BACKEND_ENV } from './runtime/backend.js';
export type { BackendName, BackendChoice } from './runtime/backend.js';
export { registerWasmTrainingKernels } from './runtime/wasm-training-kernels.js';
export { registerWasmDepthwiseKernels } from './runtime/wasm-depthwise-kernels.js';
export { registerWasmConvFixes } from './runtime/wasm-conv-fixes.js';

// Data: Keras's ImageDataGenerator (flow, flow_from_directory, flow_from_dataframe), image_dataset_from_directory.
export { ImageDataGenerator } from './data/image-data-generator.js';
export type { ImageDataGeneratorOptions, GeneratorFitOptions, FitSource, DataDtype } from './data/image-data-generator.js';
export { DirectoryIterator, assertSameClasses } from './data/directory-iterator.js';
export type { Batch, LabelledBatch, ClassMode, FlowFromDirectoryOptions, SaveFormat } from './data/directory-iterator.js';
export { DataFrameIterator } from './data/dataframe-iterator.js';
export type { DataFrameBatch, FlowFromDataframeOptions } from './data/dataframe-iterator.js';
export type { DataFrameClassMode, DataFrameRecord } from './data/dataframe-index.js';
export { ImageFileIterator } from './data/file-iterator.js';
export type { FileIteratorOptions } from './data/file-iterator.js';
export { ArrayIterator } from './data/array-iterator.js';
export type { ArrayBatch, FlowOptions } from './data/array-iterator.js';
export type { ArrayWithShape, ImageArray, NestedArray, TargetArray } from './data/array-input.js';
export { imageDatasetFromDirectory } from './data/image-dataset.js';
export type { ImageDataset, ImageDatasetOptions, DatasetLabelMode } from './data/image-dataset.js';
export { applyTransform, randomTransform, FILL_MODES } from './data/augment.js';
export type { AugmentConfig, FillMode, ShiftRange, TransformParams } from './data/augment.js';
export { decodeImage, COLOR_MODES, INTERPOLATIONS, DEFAULT_MAX_IMAGE_PIXELS } from './data/decode.js';
export type { ColorMode, DecodedImage, DecodeOptions, Interpolation, ResizeMode } from './data/decode.js';
export { setDecodedCacheBudget, clearDecodedCache, DEFAULT_CACHE_BUDGET_BYTES } from './data/decoded-cache.js';
export { setDecodeConcurrency, decodeConcurrency } from './data/decode-pool.js';
export { setAugmentWorkers } from './data/augment-pool.js';
export { CACHE_MODES } from './data/image-loader.js';
export type { CacheMode, OnError } from './data/image-loader.js';
export { indexDirectory, IMAGE_EXTENSIONS, compareCodePoints } from './data/file-index.js';
export type { FileIndex, IndexedFile, Subset } from './data/file-index.js';
export { DataConfigError, ImageDecodeError } from './data/errors.js';
export type { ImageErrorKind } from './data/errors.js';
// Data that parallel searches (search({workers})) can rebuild in worker threads.
export { flowFromDirectoryForWorkers } from './data/worker-sources/directory-source.js';
export type { DirectorySourceOptions } from './data/worker-sources/directory-source.js';
export { flowFromDataframeForWorkers } from './data/worker-sources/dataframe-source.js';
export type { DataframeSourceOptions } from './data/worker-sources/dataframe-source.js';
export type { WorkerDataSource, WorkerDataModuleSpec } from './contract/worker-data.js';

// Search: the space, the oracles, the tuners, and where a search is kept.
export { HyperParameters, defaultValue } from './tuners/hyperparameters.js';
export type { Sampling, HyperValue, Condition, HyperParameterSpec, HyperParametersConfig, NumberOptions, ConditionOptions } from './tuners/hyperparameters.js';
export { probToValue, valueToProb, gridValues } from './tuners/sampling.js';
export { Rng } from './util/rng.js';
export { toObjective, inferDirection, isBetter, describeObjective } from './tuners/objective.js';
export type { Objective, ObjectiveSpec, Direction } from './tuners/objective.js';
export { Trial, epochsTrained } from './tuners/trial.js';
export type { TrialRecord, TrialStatus } from './tuners/trial.js';
export { Oracle, ConsecutiveFailuresError, NoValidConfigurationError, valuesKey, TUNER_KEYS } from './tuners/oracle.js';
export type { SearchOutcome } from './tuners/search-loop.js';
export type { OracleOptions, OracleState, PopulateResult } from './tuners/oracle.js';
export { RandomSearchOracle } from './tuners/oracles/random-search.js';
export { GridSearchOracle, enumerateGrid, gridSize } from './tuners/oracles/grid-search.js';
export { HyperbandOracle } from './tuners/oracles/hyperband.js';
export type { HyperbandOptions } from './tuners/oracles/hyperband.js';
export { BayesianOptimizationOracle } from './tuners/oracles/bayesian.js';
export type { BayesianOptions } from './tuners/oracles/bayesian.js';
export { ASHAOracle } from './tuners/oracles/asha.js';
export type { ASHAOptions } from './tuners/oracles/asha.js';
export { BOHBOracle } from './tuners/oracles/bohb.js';
export type { BOHBOptions } from './tuners/oracles/bohb.js';
export { GaussianProcess, matern52 } from './tuners/gaussian-process.js';
export { Tuner } from './tuners/tuner.js';
// the built-in tuners with TensorBoard passed in (search({tensorboard: dir}))
export { RandomSearch, GridSearch, Hyperband, BayesianOptimization, ASHA, BOHB } from './package-tuners.js';
export { FatalError, FailedTrialError, InvalidTrialError } from './tuners/errors.js';
export { disposeModel, trialSeedKey } from './tuners/trial-runner.js';
export type {
  HyperModel, HyperModelFn, HyperModelObject, HyperModelSource, FitResult, TunerOptions, SearchOptions,
  TrialCallbackContext, TrialCallbackHooks, ExecutionScore, TrialCallbackFactory,
} from './tuners/tuner-options.js';
export type { HyperModelModule } from './tuners/hypermodel-module.js';
export { EarlyStoppingCallback, resolveEarlyStopping } from './tuners/early-stopping.js';
export type { EarlyStoppingSpec, ResolvedEarlyStopping } from './tuners/early-stopping.js';
export { defaultFit, isTensorData, isDataset, isDatasetSource, startDataEpoch } from './tuners/train-data.js';
export type { FitOptions, FitCallback } from './tuners/train-data.js';
export type { TrainData, TensorData, BatchDataset, DatasetSource } from './contract/train-data.js';
export { FileStorage } from './tuners/storage/file-storage.js';
export type { FileStorageOptions } from './tuners/storage/file-storage.js';
export { PostgresStorage } from './tuners/storage/postgres-storage.js';
export type { PostgresStorageOptions } from './tuners/storage/postgres-storage.js';
export type {
  SearchStorage, SearchTransaction, StoredSearch, StoredOracleState, StoredModel, ArtifactStore, WorkerInfo, WorkerRecord, OpenOptions,
} from './tuners/storage/search-storage.js';
export type { Executor, ExecutorEvent, TrialJob } from './tuners/executors/executor.js';
export { fileSystemSave, fileSystemLoad, loadWeightsInto } from './tuners/fs-io-handler.js';
export { ConsoleDisplay, silentDisplay, formatValue, formatDuration } from './tuners/display.js';
export type { TunerDisplay, SearchBeginInfo, TrialBeginInfo, TrialEndInfo, SearchEndInfo, SearchStoppedBy, RunningTrialInfo, ProgressInfo } from './tuners/display.js';
export { defaultWorkerCount, DEFAULT_WORKER_BYTES } from './tuners/workers/worker-count.js';

// TensorBoard logs (scalars + HPARAMS tab) for tfjs fit and searches, and reading them back.
export { tensorBoardCallback, TensorBoardCallback, type TensorBoardCallbackOptions } from './tensorboard/callback.js';
export { writeHparamsExperiment, TrialLogger, type HparamsExperimentOptions, type TrialEndOptions } from './tensorboard/trial-logger.js';
export { type TrialEndStatus, SCORE_METRIC } from './tensorboard/hparams.js';
export { scalarNameForLog, type ScalarName, type ScalarRun } from './tensorboard/metric-names.js';
export { EventFileWriter, type EventInit } from './tensorboard/event-file-writer.js';
export { RunWriter } from './tensorboard/run-writer.js';
export { readRecords, frameRecord, maskedCrc32c, type RecordProblem, type RecordReadResult } from './tensorboard/record.js';
export {
  decodeEvent, readEventFile, readEventFileSync, readEventRun, readEventRunSync, scalarValueOf, scalarsFromEvents,
  decodeHParamsPluginData, hparamsFromEvents, fromProtoValue,
} from './tensorboard/event-reader.js';
export type {
  TbTensorShape, TbTensor, TbSummaryMetadata, TbSummaryValue, TbEvent, TbProtoValue, TbHParamInfo, TbMetricInfo, TbExperiment,
  TbSessionStartInfo, TbSessionEndInfo, TbHParamsPluginData, EventFileContents, ScalarPoint, HParamsSummaries,
} from './tensorboard/event-reader.js';

// Models: the CNN builder and its search space, the ToonVision reference model.
export {
  InvalidModelError, buildCnn, buildCnnFromConfig, cnnConfigFromHp, cnnConfigToValues, checkCnnFits, countCnnParams, describeCnn, lossFor,
  makeOptimizer, resolveTask, planCnn, DEFAULT_MAX_PARAMS, DEFAULT_MAX_ACTIVATIONS,
} from './models/cnn.js';
export type { CnnBlockConfig, CnnConfig, CnnFit, CnnOptions, CnnPlan, CnnTask, LabelMode } from './models/cnn.js';
export { DEFAULT_CNN_SPACE, OPTIMIZER_NAMES, TOONVISION_RANGES } from './models/cnn-space.js';
export type { BlockSpace, ChoiceSpace, CnnSpace, FixedSpace, NumberSpace, OptimizerName, RangeSpace, ValuesSpace } from './models/cnn-space.js';
export { toonVisionConfig, toonVisionModel, toonVisionSpace } from './models/toonvision.js';
export type { ToonVisionOptions } from './models/toonvision.js';
export { cnnHypermodel, CNN_HYPERMODEL_MODULE } from './models/cnn-hypermodel.js';

// Evaluation and the HTML report.
export {
  classificationReport, formatClassificationReport, formatConfusionMatrix, formatEvaluation, labelsFromProbabilities,
} from './evaluation/metrics.js';
export type {
  AverageMetrics, ClassMetrics, ClassificationReport, EvaluateInput, FormatEvaluationOptions, Misclassified,
} from './evaluation/metrics.js';
export { evaluateModel, crossEntropy } from './evaluation/evaluate-model.js';
export type { LabelledImages, ModelEvaluation } from './evaluation/evaluate-model.js';
export { bestTrial, renderConfusionMatrix, renderReport, resolveObjective } from './report/report-html.js';
export type { ReportInput, ReportObjective, ReportTrial, ReportTrialStatus } from './report/report-html.js';
export { lineChart } from './report/svg-chart.js';
export type { ChartOptions, ChartSeries } from './report/svg-chart.js';
export { escapeHtml, formatNumber } from './report/html.js';

// TensorBoard for searches: the package's tuners are given it; a Tuner of your own takes it in its
// options (new Tuner(oracle, {..., tensorBoardIntegration})).
export { tensorBoardIntegration, writeSearchExperiment } from './tensorboard/tuner-integration.js';
export type { TensorBoardIntegration } from './tuners/tuner-options.js';
