/**
 * The `tfjs-tuner` command line: tune, worker, evaluate, predict, summary, export. Every command has --help; with --json
 * the last line on stdout is the command's result as one JSON object (on failure `{"error": {...}}`);
 * errors go to stderr with exit code 1, a bad command line included; 130 after Ctrl-C.
 */
import { Command, CommanderError, Option } from 'commander';
import { makeOutput, UsageError } from './output.js';
import { cliMessage } from './hints.js';
import { parseAugment, parseClasses, parseDuration, parseFraction, parseImageSize, parseIntOption, parseNonNegative, parseSpace } from './parse.js';
import { tune, TUNER_KINDS, type TunerKind } from './tune.js';
import { evaluate } from './evaluate.js';
import { worker } from './worker.js';
import { predict } from './predict.js';
import { summary } from './summary.js';
import { exportModel } from './export-model.js';
import { BACKEND_NAMES } from '../runtime/backend.js';
import { defaultWorkerCount } from '../tuners/workers/worker-count.js';
import { COLOR_MODES, type ColorMode } from '../data/decode.js';
import type { EarlyStoppingSpec } from '../tuners/early-stopping.js';

/** --early-stopping and its companions -> search({earlyStopping}); the companions alone are a mistake. */
function earlyStoppingSpec(o: { earlyStopping?: number; earlyStoppingMonitor?: string; earlyStoppingMinDelta?: number }): EarlyStoppingSpec | undefined {
  if (o.earlyStopping === undefined) {
    const stray = o.earlyStoppingMonitor !== undefined ? '--early-stopping-monitor' : o.earlyStoppingMinDelta !== undefined ? '--early-stopping-min-delta' : undefined;
    if (stray) throw new UsageError(`${stray} needs --early-stopping <patience> (e.g. --early-stopping 5).`);
    return undefined;
  }
  const spec: EarlyStoppingSpec = { patience: o.earlyStopping };
  if (o.earlyStoppingMonitor !== undefined) spec.monitor = o.earlyStoppingMonitor;
  if (o.earlyStoppingMinDelta !== undefined) spec.minDelta = o.earlyStoppingMinDelta;
  return spec;
}

/** --on-error, --classes, --max-image-pixels: for every command that reads image folders. */
function imageOptions(cmd: Command, opts: { classes?: boolean } = {}): Command {
  cmd.addOption(new Option('--on-error <policy>', 'an unreadable image: raise stops with its name, skip leaves it out').choices(['raise', 'skip']).default('raise'));
  if (opts.classes !== false) cmd.option('--classes <a,b,c>', 'use only these class folders, in this label order (default: every subfolder)', parseClasses);
  cmd.addOption(new Option('--max-image-pixels <n>', 'refuse larger images (decompression bombs)').argParser(parseIntOption('--max-image-pixels')).default(178_956_970, '178956970, as PIL'));
  return cmd;
}

function program(): Command {
  const backend = () => new Option('--backend <name>', 'tfjs backend (default: auto, or TFJS_TUNER_BACKEND)').choices([...BACKEND_NAMES]);
  const json = () => new Option('--json', 'print the result as one JSON object on the last line of stdout (progress goes to stderr)');
  const root = new Command('tfjs-tuner')
    .description('Tune, evaluate and use image classifiers on folders of images, with TensorFlow.js')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const tuneCmd = root.command('tune')
    .description('search CNN hyperparameters on an image folder (one subfolder per class) and save the best model')
    .requiredOption('--train <dir>', 'training images, one subfolder per class')
    .option('--val <dir>', 'validation images (same class subfolders)')
    .option('--validation-split <fraction>', 'hold out this fraction of --train per class for validation', parseFraction('--validation-split'))
    .option('--test <dir>', 'test images (same class subfolders, or some of them): the best model is scored on them at the end, in the output and the report')
    .addOption(new Option('--tuner <kind>', 'search algorithm').choices([...TUNER_KINDS]).default('hyperband'))
    .option('--max-epochs <n>', 'hyperband/bohb/asha: most epochs one model trains', parseIntOption('--max-epochs'), 10)
    .option('--factor <n>', 'hyperband/bohb/asha: reduction factor between rounds', parseIntOption('--factor', 2), 3)
    .option('--max-trials <n>', 'random/bayesian/grid: number of trials; asha: new configurations', parseIntOption('--max-trials'), 10)
    .option('--epochs <n>', 'random/bayesian/grid: epochs per trial', parseIntOption('--epochs'), 5)
    .option('--objective <name>', 'metric to optimize (direction inferred: val_accuracy max, val_loss min, ...)', 'val_accuracy')
    .option('--early-stopping <patience>', 'stop a trial\'s training after this many epochs without improvement of the objective (Keras EarlyStopping)', parseIntOption('--early-stopping', 0))
    .option('--early-stopping-monitor <metric>', 'with --early-stopping: watch this metric instead of the objective (e.g. val_loss)')
    .option('--early-stopping-min-delta <d>', 'with --early-stopping: smaller improvements do not count (default 0)', parseNonNegative('--early-stopping-min-delta'))
    .addOption(new Option('--image-size <HxW>', 'resize images to HEIGHTxWIDTH').argParser(parseImageSize).default([64, 64], '64x64'))
    .addOption(new Option('--color-mode <mode>', 'channels to decode').choices([...COLOR_MODES]).default('rgb'))
    .option('--batch-size <n>', 'images per batch', parseIntOption('--batch-size'), 32)
    .option('--augment <list>', 'training augmentation, e.g. flip,rotate=15,zoom=0.1,shift=0.1,brightness=0.2 (default: none)', parseAugment)
    .option('--seed <n>', 'seed for a reproducible search', parseIntOption('--seed', 0))
    .option('--directory <dir>', 'where search projects are kept', 'tuner-runs')
    .option('--project-name <name>', 'project folder inside --directory (a search resumes from it)', 'search')
    .option('--overwrite', 'discard an existing project of that name and start afresh', false)
    .option('--space <json|file|toonvision>', 'narrow or fix the built-in CNN\'s search space, e.g. \'{"num_blocks":{"max":2},"optimizer":{"fixed":"adam"}}\', or toonvision: the ToonVision article\'s ranges', parseSpace)
    .option('--hypermodel <file.js>', 'your own hypermodel module instead of the built-in CNN')
    .option('--max-time <duration>', 'time budget, e.g. 90s, 10m, 1.5h: no trial starts after it, running trials stop at their next epoch end (hyperband/bohb then run iterations until it ends)', parseDuration('--max-time'))
    .option('--hyperband-iterations <n>', 'hyperband/bohb: how many times the whole set of brackets runs (default 1; with --max-time: until time is up)', parseIntOption('--hyperband-iterations'))
    .option('--executions-per-trial <n>', 'train each configuration this many times and average (default 1)', parseIntOption('--executions-per-trial'))
    .option('--max-consecutive-failed-trials <n>', 'stop the search after this many failed trials in a row (default 3; 0 never stops)', parseIntOption('--max-consecutive-failed-trials', 0))
    .option('--workers <n>', `trials trained at once, each in its own thread (default here: ${defaultWorkerCount()}, the cores that memory allows; 1 = serial)`, parseIntOption('--workers'))
    .option('--tensorboard <dir>', 'write TensorBoard logs (scalars and HPARAMS) per trial here')
    .option('--storage <url>', 'keep the search in a PostgreSQL database under --project-name instead of --directory (postgresql://USER:PASSWORD@HOST:PORT/DATABASE); the same command on another machine joins it')
    .option('--verbose', 'print KerasTuner\'s table of hyperparameters before each trial (and every epoch of the running trials with --workers) instead of two lines per trial', false)
    .addOption(backend())
    .addOption(json())
    .action(async (o) => {
      const out = makeOutput(Boolean(o.json));
      const result = await tune({
        storage: o.storage,
        train: o.train, val: o.val, test: o.test, validationSplit: o.validationSplit, tuner: o.tuner as TunerKind,
        maxEpochs: o.maxEpochs, factor: o.factor, maxTrials: o.maxTrials, epochs: o.epochs, objective: o.objective,
        imageSize: o.imageSize, colorMode: o.colorMode as ColorMode, batchSize: o.batchSize, augment: o.augment ?? {},
        onError: o.onError, classes: o.classes, maxImagePixels: o.maxImagePixels,
        seed: o.seed, directory: o.directory, projectName: o.projectName, overwrite: o.overwrite,
        backend: o.backend, hypermodel: o.hypermodel, space: o.space, tensorboard: o.tensorboard,
        workers: o.workers ?? defaultWorkerCount(),
        earlyStopping: earlyStoppingSpec(o),
        maxTime: o.maxTime, hyperbandIterations: o.hyperbandIterations, executionsPerTrial: o.executionsPerTrial,
        maxConsecutiveFailedTrials: o.maxConsecutiveFailedTrials, verbose: o.verbose,
      }, out);
      out.result(result);
    });
  imageOptions(tuneCmd);

  root.command('worker')
    .description('join a search kept in PostgreSQL from this machine: its settings come from the database, the data folders from here')
    .requiredOption('--storage <url>', 'the database the search is kept in (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)')
    .requiredOption('--project-name <name>', 'the search to join (as given to tune --storage)')
    .requiredOption('--train <dir>', "this machine's copy of the search's training images")
    .option('--val <dir>', "this machine's copy of the validation images (when the search has --val)")
    .option('--hypermodel <file.js>', "this machine's copy of the search's hypermodel module (when it has one)")
    .option('--workers <n>', `trials trained at once on this machine (default here: ${defaultWorkerCount()})`, parseIntOption('--workers'))
    .option('--tensorboard <dir>', 'write TensorBoard logs of the trials this machine trains here')
    .addOption(backend())
    .addOption(json())
    .action(async (o) => {
      const out = makeOutput(Boolean(o.json));
      out.result(await worker({
        storage: o.storage, projectName: o.projectName, train: o.train, val: o.val, hypermodel: o.hypermodel,
        workers: o.workers ?? defaultWorkerCount(), backend: o.backend, tensorboard: o.tensorboard,
      }, out));
    });

  const evaluateCmd = root.command('evaluate')
    .description('loss, accuracy, per-class precision/recall/F1, confusion matrix and misclassified files on a test folder')
    .option('--model <path>', 'model folder (e.g. tuner-runs/search/best-model), its model.json, or a tune project folder')
    .option('--storage <url>', 'evaluate the best model of a search kept in PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE), with --project-name')
    .option('--project-name <name>', 'with --storage: the search name')
    .requiredOption('--test <dir>', 'test images, one subfolder per class')
    .option('--batch-size <n>', 'images per batch', parseIntOption('--batch-size'), 32)
    .addOption(backend())
    .addOption(json())
    .action(async (o) => {
      const out = makeOutput(Boolean(o.json));
      out.result(await evaluate({
        model: o.model, storage: o.storage, projectName: o.projectName, test: o.test, batchSize: o.batchSize, backend: o.backend, onError: o.onError, classes: o.classes, maxImagePixels: o.maxImagePixels,
      }, out));
    });
  imageOptions(evaluateCmd);

  const predictCmd = root.command('predict')
    .description('class and probability for each image (files, or folders searched recursively)')
    .requiredOption('--model <path>', 'model folder or its model.json')
    .argument('<inputs...>', 'image files or folders')
    .option('--batch-size <n>', 'images per batch', parseIntOption('--batch-size'), 32)
    .addOption(backend())
    .addOption(json())
    .action(async (inputs: string[], o) => {
      const out = makeOutput(Boolean(o.json));
      const result = await predict({ model: o.model, inputs, batchSize: o.batchSize, backend: o.backend, maxImagePixels: o.maxImagePixels }, out);
      out.result(result);
      if (result.some((r) => r.error !== undefined)) process.exitCode = 1;
    });
  imageOptions(predictCmd, { classes: false });

  root.command('summary')
    .description('the results of a search (finished or still running), best trials first')
    .option('--directory <dir>', 'where search projects are kept', 'tuner-runs')
    .option('--project-name <name>', 'project folder inside --directory (or the search name with --storage)', 'search')
    .option('--storage <url>', 'read the search from a PostgreSQL database (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)')
    .option('--num-trials <n>', 'show only the n best trials', parseIntOption('--num-trials'))
    .option('--verbose', 'KerasTuner\'s results summary: a block of hyperparameters per trial instead of one line', false)
    .addOption(json())
    .action(async (o) => {
      const out = makeOutput(Boolean(o.json));
      out.result(await summary({ directory: o.directory, projectName: o.projectName, storage: o.storage, numTrials: o.numTrials, verbose: o.verbose }, out));
    });

  root.command('export')
    .description("write a search's best model (from its folder or its PostgreSQL database) to a folder in the tfjs format")
    .option('--directory <dir>', 'where search projects are kept', 'tuner-runs')
    .option('--project-name <name>', 'project folder inside --directory (or the search name with --storage)', 'search')
    .option('--storage <url>', 'read the search from a PostgreSQL database (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)')
    .requiredOption('--out <dir>', 'the folder to write model.json and weights.bin to')
    .option('--report <file>', "also write the search's HTML report (tune's report.html) to this file")
    .addOption(json())
    .action(async (o) => {
      const out = makeOutput(Boolean(o.json));
      out.result(await exportModel({ directory: o.directory, projectName: o.projectName, storage: o.storage, out: o.out, report: o.report }, out));
    });

  return root;
}

/** Runs the CLI with these arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const cli = program();
  // --json asks for a JSON answer on stdout whatever happens, a bad command line included.
  const json = argv.includes('--json');
  const fail = (message: string, name: string, file?: string) => {
    if (json) process.stdout.write(JSON.stringify({ error: { name, message, ...(file ? { file } : {}), exitCode: 1 } }) + '\n');
    return 1;
  };
  try {
    process.exitCode = undefined;
    await cli.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; bad usage already printed its message.
      if (err.exitCode === 0) return 0;
      return fail(err.message.replace(/^error: /, ''), 'UsageError');
    }
    const message = cliMessage(err instanceof Error ? err.message : String(err));
    const name = err instanceof Error ? err.name : '';
    const known = err instanceof UsageError || ['DataConfigError', 'ImageDecodeError', 'UsageError'].includes(name);
    process.stderr.write(`tfjs-tuner: ${message}\n`);
    if (!known && process.env.TFJS_TUNER_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return fail(message, name || 'Error', (err as { path?: string; file?: string }).file ?? (name === 'ImageDecodeError' ? (err as { path?: string }).path : undefined));
  }
}
