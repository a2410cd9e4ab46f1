/** `tfjs-tuner tune`: search CNN hyperparameters on an image folder and save the best model. */
import path from 'node:path';
import { initBackend } from '../runtime/backend.js';
import type { ImageDataGeneratorOptions } from '../data/image-data-generator.js';
import { assertSameClasses, type DirectoryIterator } from '../data/directory-iterator.js';
import type { ColorMode } from '../data/decode.js';
import { indexDirectory } from '../data/file-index.js';
import { CNN_HYPERMODEL_MODULE } from '../models/cnn-hypermodel.js';
import type { CnnSpace } from '../models/cnn-space.js';
import { evaluateModel } from '../evaluation/evaluate-model.js';
import { ASHA, BayesianOptimization, BOHB, GridSearch, Hyperband, RandomSearch } from '../tuners/builtin-tuners.js';
import type { Tuner } from '../tuners/tuner.js';
import type { SearchOutcome } from '../tuners/search-loop.js';
import type { HyperModelSource } from '../tuners/tuner-options.js';
import { disposeModel } from '../tuners/trial-runner.js';
import { flowFromDirectoryForWorkers } from '../data/worker-sources/directory-source.js';
import { epochsTrained } from '../tuners/trial.js';
import { ConsoleDisplay, formatValue, type TunerDisplay } from '../tuners/display.js';
import { resolveEarlyStopping, type EarlyStoppingSpec } from '../tuners/early-stopping.js';
import { knownMetricDidYouMean, toObjective } from '../tuners/objective.js';
import { tensorBoardIntegration } from '../tensorboard/tuner-integration.js';
import { foundMessage, UsageError, type Output } from './output.js';
import { cliMessage } from './hints.js';
import { loadHypermodelModule, USER_HYPERMODEL_MODULE } from './hypermodel-module.js';
import { epochProgressBars } from './progress.js';
import { reportEvaluation, writeSearchReport } from './search-report.js';
import { ImageDataGenerator } from '../data/image-data-generator.js';
import type { ReportEvaluation } from '../report/report-html.js';
import { checkImages, checkObjective, checkSpace, checkWritableDirectory } from './preflight.js';
import { checkProjectSettings, writeProjectSettings, type ProjectSettings } from './project-settings.js';
import { checkSearchSettings, claimSearchSettings, hypermodelIdentity, loadSearchSettings, saveSearchSettings, storageFlags, type SearchSettings } from './search-settings.js';
import { dataFingerprint } from './data-fingerprint.js';
import { saveBestModel } from './best-model.js';
import { isPostgresUrl, openStorage } from '../tuners/storage/open-storage.js';
import type { SearchStorage } from '../tuners/storage/search-storage.js';
import { capWorkers } from './workers.js';
import { decodeOptionsOf } from '../data/file-iterator.js';

export const TUNER_KINDS = ['hyperband', 'bohb', 'asha', 'random', 'bayesian', 'grid'] as const;
export type TunerKind = (typeof TUNER_KINDS)[number];

export interface TuneOptions {
  train: string;
  val?: string;
  /** A test folder: the best model is scored on it at the end, in the output and the report. */
  test?: string;
  validationSplit?: number;
  tuner: TunerKind;
  maxEpochs: number;
  factor: number;
  maxTrials: number;
  epochs: number;
  objective: string;
  imageSize: [number, number];
  colorMode: ColorMode;
  batchSize: number;
  augment: ImageDataGeneratorOptions;
  seed?: number;
  directory: string;
  projectName: string;
  overwrite: boolean;
  backend?: string;
  /** Trials trained at once, each in its own worker thread (1: serially in this thread). */
  workers: number;
  hypermodel?: string;
  /** Overrides of the built-in CNN's search space. */
  space?: CnnSpace;
  tensorboard?: string;
  /** Keras EarlyStopping for every trial (--early-stopping PATIENCE, --early-stopping-monitor, --early-stopping-min-delta). */
  earlyStopping?: EarlyStoppingSpec;
  /** Time budget in seconds (--max-time 10m). */
  maxTime?: number;
  /** Hyperband/BOHB iterations (default 1; with --max-time: until time is up). */
  hyperbandIterations?: number;
  executionsPerTrial?: number;
  maxConsecutiveFailedTrials?: number;
  /** --on-error: stop on an unreadable image (raise, default) or leave it out (skip). */
  onError?: 'raise' | 'skip';
  /** --classes: the class folders to use, in label order (default: every subfolder). */
  classes?: string[];
  /** --max-image-pixels: refuse larger images (decompression bombs). */
  maxImagePixels?: number;
  /** --storage postgresql://...: keep the search in this database under projectName (several machines join it). */
  storage?: string;
  /** `tfjs-tuner worker`: join the stored search only (it must exist; never overwritten). */
  join?: boolean;
  /** --verbose: KerasTuner's per-trial hyperparameter tables instead of two lines per trial. */
  verbose?: boolean;
}

export interface TuneResult {
  bestTrialId: string;
  bestScore: number | null;
  bestHyperparameters: Record<string, unknown>;
  objective: { name: string; direction: string };
  trials: number;
  epochsTrained: number;
  /** The best model's folder (null with --storage: it is kept in the database, see `export`). */
  modelPath: string | null;
  /** The HTML report (null with --storage: it is kept in the database). */
  reportPath: string | null;
  /** Where the search is kept: the project folder, or the database and search name (no password). */
  storage: string;
  backend: string;
  /** 'maxTime' when the time budget ended the search, 'oracle' when the tuner had nothing more to try. */
  stoppedBy: 'oracle' | 'maxTime';
  /** Seconds this run searched. */
  searchSeconds: number;
  /** The best model on --test. */
  test?: { folder: string; accuracy: number; loss: number; images: number };
}

function makeTuner(o: TuneOptions, hypermodel: HyperModelSource, hypermodelOptions: unknown, display: TunerDisplay, storage?: SearchStorage): Tuner {
  const common = {
    hypermodel, hypermodelOptions, objective: o.objective, directory: o.directory, projectName: o.projectName,
    overwrite: o.overwrite, seed: o.seed, display, tensorBoardIntegration, ...(storage ? { storage } : {}),
    ...(o.executionsPerTrial !== undefined ? { executionsPerTrial: o.executionsPerTrial } : {}),
    ...(o.maxConsecutiveFailedTrials !== undefined ? { maxConsecutiveFailedTrials: o.maxConsecutiveFailedTrials } : {}),
  };
  const iterations = o.hyperbandIterations !== undefined ? { hyperbandIterations: o.hyperbandIterations } : {};
  switch (o.tuner) {
    case 'hyperband': return new Hyperband({ ...common, maxEpochs: o.maxEpochs, factor: o.factor, ...iterations });
    case 'bohb': return new BOHB({ ...common, maxEpochs: o.maxEpochs, factor: o.factor, ...iterations });
    case 'asha': return new ASHA({ ...common, maxEpochs: o.maxEpochs, factor: o.factor, maxTrials: o.maxTrials });
    case 'random': return new RandomSearch({ ...common, maxTrials: o.maxTrials });
    case 'bayesian': return new BayesianOptimization({ ...common, maxTrials: o.maxTrials });
    case 'grid': return new GridSearch({ ...common, maxTrials: o.maxTrials });
  }
}

/** The --test folder as the best model will read it; a class the training folder lacks is refused now. */
function testIterator(dir: string, trainClasses: readonly string[], flow: { targetSize: [number, number]; colorMode: ColorMode; batchSize: number; onError: 'raise' | 'skip'; maxImagePixels?: number; classes?: string[] }): DirectoryIterator {
  const classes = flow.classes ?? indexDirectory(dir).classNames;
  const unknown = classes.filter((c) => !trainClasses.includes(c));
  if (unknown.length) {
    throw new UsageError(`--test ${dir} has class folder(s) that --train does not: ${unknown.join(', ')} (the training classes: ${trainClasses.join(', ')}). ` +
      'Remove them, or give --classes to use the same classes everywhere.');
  }
  return new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(dir, {
    targetSize: flow.targetSize, colorMode: flow.colorMode, classMode: 'sparse', batchSize: flow.batchSize, shuffle: false, verbose: false,
    classes, onError: flow.onError, maxImagePixels: flow.maxImagePixels,
  });
}

export async function tune(o: TuneOptions, out: Output): Promise<TuneResult> {
  if (o.storage !== undefined && !isPostgresUrl(o.storage)) {
    throw new UsageError(`--storage ${o.storage}: give a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL, or leave it out to keep the search in --directory.`);
  }
  // A search in a database needs no folder; the storage is opened here so that its settings are checked first.
  const storage = o.storage !== undefined ? openStorage(o.storage, o.directory, o.projectName) : undefined;
  try {
    return await tuneIn(o, out, storage);
  } finally {
    await storage?.close();
  }
}

async function tuneIn(o: TuneOptions, out: Output, storage: SearchStorage | undefined): Promise<TuneResult> {
  if (o.val && o.validationSplit) throw new UsageError('Give either --val DIR or --validation-split F, not both.');
  checkObjective(o.objective, !o.hypermodel);
  if (!storage) checkWritableDirectory(o.directory, o.projectName);
  const backend = await initBackend(o.backend);
  out.info(`Backend: ${backend.reason}`);
  if (o.earlyStopping) {
    try {
      resolveEarlyStopping(o.earlyStopping, toObjective(o.objective));
    } catch (err) {
      const monitor = o.earlyStopping.monitor;
      if (monitor !== undefined && /cannot tell/.test((err as Error).message)) {
        throw new UsageError(`--early-stopping-monitor ${monitor}: cannot tell whether it should go down or up.${knownMetricDidYouMean(monitor)} Monitor a loss (min) or an accuracy (max), e.g. val_loss.`);
      }
      throw new UsageError((err as Error).message);
    }
  }

  // Labels: 0/1 for two classes (one sigmoid unit), class indices otherwise.
  const classNames = indexDirectory(o.train, { classes: o.classes }).classNames;
  if (classNames.length < 2) {
    throw new UsageError(`--train ${o.train} has ${classNames.length} class folder${classNames.length === 1 ? ` (${classNames[0]})` : 's'}: ` +
      'classification needs at least two, one subfolder of images per class (e.g. train/cats/, train/dogs/).');
  }
  const labelMode = classNames.length === 2 ? 'binary' as const : 'sparse' as const;
  const projectDir = storage ? storage.location : path.join(o.directory, o.projectName);
  const settings: ProjectSettings = {
    imageSize: o.imageSize, colorMode: o.colorMode, classes: classNames, hypermodel: o.hypermodel ? path.resolve(o.hypermodel) : null,
  };
  const flags = storage ? storageFlags(o.storage!, o.projectName) : `--directory ${o.directory} --project-name ${o.projectName}`;
  let shared: { saved: SearchSettings | undefined; now: SearchSettings } | undefined;
  if (storage) {
    // Every machine of a shared search runs it with the settings it was started with, on the same data:
    // checked first, so that a machine's other copy of the data is named as such.
    const now = searchSettings(o, settings);
    const saved = await loadSearchSettings(storage);
    if (o.join && (!saved || !(await storage.exists()))) throw noSearchError(o.storage!, o.projectName);
    if (saved && !o.overwrite) checkSearchSettings(flags, saved, now, { train: o.train, val: o.val });
    shared = { saved, now };
  }
  const onError = o.onError ?? 'raise';
  const flow = {
    targetSize: o.imageSize, colorMode: o.colorMode, classMode: labelMode, batchSize: o.batchSize,
    seed: o.seed, verbose: false, classes: o.classes, onError, maxImagePixels: o.maxImagePixels,
  } as const;
  const rescale = 1 / 255;
  const split = o.validationSplit;
  // Iterators that worker threads can rebuild; the folder is decoded once and shared with them.
  const train = flowFromDirectoryForWorkers({
    directory: o.train, generator: { rescale, validationSplit: split, ...o.augment }, flow: { ...flow, subset: split ? 'training' : undefined },
  });
  let val: DirectoryIterator | undefined;
  if (o.val) {
    val = flowFromDirectoryForWorkers({ directory: o.val, generator: { rescale }, flow: { ...flow, shuffle: false } });
    assertSameClasses(train, val, o.val);
  } else if (split) {
    // Same split as the training subset, without augmentation.
    val = flowFromDirectoryForWorkers({ directory: o.train, generator: { rescale, validationSplit: split }, flow: { ...flow, shuffle: false, subset: 'validation' } });
  }
  for (const [what, it] of [['--train', train], [o.val ? '--val' : '--validation-split', val]] as const) if (it) out.info(`${what}: ${foundMessage(it)}`);
  // --test is read now, so that a wrong folder fails before the search, not after it.
  const test = o.test ? testIterator(o.test, train.classNames, flow) : undefined;
  if (test) out.info(`--test: ${foundMessage(test)}`);
  if (!val && o.objective.startsWith('val_')) {
    throw new UsageError(`--objective ${o.objective} needs validation data: give --val DIR or --validation-split 0.2 (or use --objective loss).`);
  }
  const monitor = o.earlyStopping?.monitor;
  if (!val && monitor?.startsWith('val_')) {
    throw new UsageError(`--early-stopping-monitor ${monitor} needs validation data: give --val DIR or --validation-split 0.2 (or monitor loss).`);
  }

  const shape = { inputShape: train.imageShape, numClasses: train.numClasses, classNames: train.classNames, labelMode };
  if (o.hypermodel && o.space) throw new UsageError('--space narrows the built-in CNN; with --hypermodel, declare the space in your module.');
  const cnnOptions = { inputShape: train.imageShape, numClasses: train.numClasses, labelMode, space: o.space };
  if (!o.hypermodel) checkSpace(cnnOptions);
  // Modules, not functions, so that worker threads can load them too.
  const [hypermodel, hypermodelOptions] = o.hypermodel
    ? [USER_HYPERMODEL_MODULE, { file: path.resolve(o.hypermodel), shape }]
    : [CNN_HYPERMODEL_MODULE, cnnOptions];
  if (o.hypermodel) await loadHypermodelModule(path.resolve(o.hypermodel), shape); // a bad module fails here, once, clearly

  // A folder project's settings are read through its storage, like everything else of the search.
  if (!storage && !o.overwrite) await checkProjectSettings(openStorage(undefined, o.directory, o.projectName).artifacts, projectDir, settings);

  // Every image decodes (or is left out under --on-error skip) before the first trial.
  const decode = decodeOptionsOf(flow);
  const { unreadable } = await checkImages([...new Set([...train.filepaths, ...(val?.filepaths ?? []), ...(test?.filepaths ?? [])])], decode, onError);
  if (unreadable.length) out.info(`Leaving out ${unreadable.length} unreadable image(s) (--on-error skip): ${unreadable.slice(0, 3).map((e) => e.path).join(', ')}${unreadable.length > 3 ? ', ...' : ''}`);

  const workers = capWorkers(o.workers, out);
  const write = (t: string) => out.info(t.replace(/\n$/, ''));
  const tuner = makeTuner(o, hypermodel, hypermodelOptions, new ConsoleDisplay(write, { tables: o.verbose ?? false, summary: false }), storage);
  if (o.hyperbandIterations !== undefined && o.tuner !== 'hyperband' && o.tuner !== 'bohb') {
    throw new UsageError(`--hyperband-iterations is for --tuner hyperband or bohb, not ${o.tuner}.`);
  }
  if (shared) {
    // The search starts (or is joined) here; its settings are stored at once, so that workers can join it now.
    await tuner.reload();
    if (o.overwrite) await saveSearchSettings(tuner.storage, shared.now);
    else if (!shared.saved) await claimSearchSettings(tuner.storage, shared.now, flags, { train: o.train, val: o.val });
  }
  // Kept only beside a search that exists (a project folder holding nothing else is not a project).
  const saveFolderSettings = async () => {
    if (await tuner.storage.exists().catch(() => false)) await writeProjectSettings(tuner.storage.artifacts, settings);
  };
  // Ctrl-C: every finished trial is already saved; say where and how to go on.
  const onSigint = () => {
    const done = [...tuner.oracle.trials.values()].filter((t) => t.status === 'COMPLETED').length;
    if (!storage) {
      const saved = saveFolderSettings();
      process.stderr.write(`\nInterrupted. ${done} completed trial(s) are saved in ${projectDir}; the trials that were running start again ` +
        'when you run the same command again (it resumes the search; add --overwrite to start afresh instead).\n');
      setTimeout(() => process.exit(130), 3000);
      void saved.finally(() => process.exit(130));
      return;
    }
    process.stderr.write(`\nInterrupted. ${done} completed trial(s) are saved in ${projectDir}; the trials this machine was training are ` +
      'handed out again: to the other machines of the search, or here when you run the same command again.\n');
    // Unregistering this process's workers tells the other machines at once that its trials are free.
    setTimeout(() => process.exit(130), 3000);
    void storage.close().catch(() => undefined).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let outcome: SearchOutcome;
  try {
    outcome = await tuner.search(train, {
      ...(o.maxTime !== undefined ? { maxTime: o.maxTime } : {}),
      validationData: val, epochs: o.epochs, tensorboard: o.tensorboard, workers, workerBackend: backend.name, earlyStopping: o.earlyStopping,
      trialCallbacks: workers > 1 ? undefined : epochProgressBars(train.length),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (!storage) await saveFolderSettings();
  }

  const records0 = [...tuner.oracle.trials.values()];
  if (!records0.some((t) => t.status === 'COMPLETED')) {
    const first = records0.find((t) => t.message);
    const cause = first ? ` Trial ${first.trialId} ${first.status}: ${cliMessage(first.message ?? '')}` : '';
    throw new Error(`No trial completed in ${projectDir} (${records0.length} ended ${[...new Set(records0.map((t) => t.status))].join('/') || 'nothing'}).${cause} ` +
      'A rerun does not retry failed trials: fix the cause, then run the same command with --overwrite to start afresh.');
  }
  const best = tuner.getBestTrials(1)[0];
  if (!best) throw new Error(`No trial of ${projectDir} has a score for ${o.objective}: see tfjs-tuner summary ${flags}.`);
  const [model] = await tuner.getBestModels(1);
  let modelPath: string | null;
  let reportPath: string | null;
  let testResult: TuneResult['test'];
  try {
    modelPath = await saveBestModel(tuner.storage, model, {
      classNames: train.classNames, imageSize: o.imageSize, colorMode: o.colorMode, rescale,
      task: labelMode === 'binary' ? 'binary' : 'multiclass', interpolation: 'nearest',
      hyperparameters: best.values, objective: tuner.oracle.objective, score: best.score, trialId: best.trialId,
    });
    const evaluations: ReportEvaluation[] = [];
    if (val) evaluations.push(reportEvaluation('validation', o.val ?? `${o.train}, --validation-split ${split}`, await evaluateModel(model, val, train.classNames)));
    if (test && o.test) {
      const e = await evaluateModel(model, test, train.classNames);
      evaluations.push(reportEvaluation('test', o.test, e));
      testResult = { folder: o.test, accuracy: e.report.accuracy, loss: e.loss, images: e.report.total };
    }
    reportPath = await writeSearchReport(tuner, evaluations,
      outcome.stoppedBy === 'maxTime' ? `the time budget (--max-time ${o.maxTime} s) ended the search` : undefined);
    if (storage) reportPath = null; // kept in the database
  } finally {
    disposeModel(model);
  }

  const records = [...tuner.oracle.trials.values()];
  const ended = records.filter((t) => t.status === 'COMPLETED' || t.status === 'FAILED' || t.status === 'INVALID');
  const epochs = records.reduce((sum, t) => sum + epochsTrained(t.metrics), 0);
  const result: TuneResult = {
    bestTrialId: best.trialId, bestScore: best.score, bestHyperparameters: best.values,
    objective: tuner.oracle.objective, trials: ended.length, epochsTrained: epochs, modelPath, reportPath, storage: tuner.storage.location, backend: backend.name,
    stoppedBy: outcome.stoppedBy, searchSeconds: +outcome.seconds.toFixed(1), ...(testResult ? { test: testResult } : {}),
  };
  if (outcome.stoppedBy === 'maxTime') out.info(`The time budget (${o.maxTime} s) ended the search after ${outcome.seconds.toFixed(0)} s.`);
  // The summary comes last, so that it is what a user sees when the search ends.
  out.info('');
  out.info(`Best trial ${best.trialId}: ${tuner.oracle.objective.name} ${formatValue(best.score)} (${tuner.oracle.objective.name.startsWith('val_') ? 'validation set' : 'training set'})`);
  if (testResult) {
    out.info(`Test set (${testResult.folder}, ${testResult.images} images): accuracy ${formatValue(testResult.accuracy)}, loss ${formatValue(testResult.loss)} ` +
      `(per class: tfjs-tuner evaluate ${modelPath !== null ? `--model ${modelPath}` : flags} --test ${testResult.folder})`);
  }
  out.info('Best hyperparameters:');
  for (const [k, v] of Object.entries(best.values)) if (!k.startsWith('tuner/')) out.info(`  ${k}: ${formatValue(v)}`);
  if (modelPath !== null) out.info(`Best model saved to ${modelPath}`);
  else out.info(`Best model kept in ${tuner.storage.location}; write it to a folder with: tfjs-tuner export ${flags} --out best-model`);
  if (reportPath !== null) out.info(`Report: ${reportPath}`);
  return result;
}

/** What a stored search is started with (see search-settings.ts). */
function searchSettings(o: TuneOptions, project: ProjectSettings): SearchSettings {
  return {
    ...project, tuner: o.tuner, maxEpochs: o.maxEpochs, factor: o.factor, maxTrials: o.maxTrials, epochs: o.epochs, objective: o.objective,
    batchSize: o.batchSize, augment: o.augment, seed: o.seed ?? null, space: o.space ?? null, classFilter: o.classes ?? null,
    validationSplit: o.validationSplit ?? null, earlyStopping: o.earlyStopping ?? null, hyperbandIterations: o.hyperbandIterations ?? null,
    executionsPerTrial: o.executionsPerTrial ?? null, maxConsecutiveFailedTrials: o.maxConsecutiveFailedTrials ?? null,
    onError: o.onError ?? 'raise', maxImagePixels: o.maxImagePixels ?? null, maxTime: o.maxTime ?? null,
    hypermodelModule: hypermodelIdentity(o.hypermodel),
    data: { train: dataFingerprint(o.train, o.classes), val: o.val ? dataFingerprint(o.val, o.classes) : null },
  };
}

/** `worker` (or a join) on a search that is not there: say so, and how to start it. */
export function noSearchError(url: string, projectName: string): UsageError {
  const flags = storageFlags(url, projectName);
  return new UsageError(`There is no search "${projectName}" in ${flags.replace(/^--storage /, '').replace(/ --project-name .*$/, '')} to join. ` +
    `Start it on one machine with: tfjs-tuner tune ${flags} --train DIR --val DIR [...], then run the worker again ` +
    '(check the name with tfjs-tuner summary).');
}
