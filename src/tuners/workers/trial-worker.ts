/**
 * A trial worker (one thread): initializes its own tfjs backend, imports the hypermodel module,
 * re-creates the training data, then trains the trials the coordinator sends, exactly as the serial
 * search does (the same TrialRunner, same per-trial seeds), and sends back the results. Checkpoints go straight
 * to the project directory; the coordinator alone writes trial.json and oracle.json.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../runtime/backend.js';
import { HyperParameters } from '../hyperparameters.js';
import { Oracle, type PopulateResult } from '../oracle.js';
import { Trial } from '../trial.js';
import type { HyperModel, HyperModelObject, TrialCallbackFactory, TensorBoardIntegration } from '../tuner-options.js';
import { TrialRunner } from '../trial-runner.js';
import { importExport } from '../hypermodel-module.js';
import { FileStorage } from '../storage/file-storage.js';
import type { TrainData } from '../train-data.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { fromWorkerDataSpec } from './worker-data.js';

/** Holds the objective, seed and search space a trial needs; the coordinator's oracle decides. */
class TrialWorkerOracle extends Oracle {
  readonly kind = 'TrialWorker';
  protected populateSpace(): PopulateResult {
    throw new Error('A trial worker does not create trials.');
  }
}

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (m: FromWorker) => port.postMessage(m);

async function start(): Promise<{ runner: TrialRunner; oracle: TrialWorkerOracle; train: TrainData; validation?: TrainData; factories: TrialCallbackFactory[] }> {
  await initBackend(init.backend);
  // (The data side's worker sources switch augmentation to this thread: see generatorInWorker.)
  const oracle = new TrialWorkerOracle({ objective: init.objective, allowNewEntries: init.allowNewEntries, tuneNewEntries: init.tuneNewEntries, seed: 1 });
  const hypermodel = await importExport(init.hypermodel, 'hypermodel', init.hypermodelOptions);
  if (typeof hypermodel !== 'function' && typeof (hypermodel as HyperModelObject)?.build !== 'function') {
    throw new Error(`The hypermodel export "${init.hypermodel.exportName ?? 'default'}" of "${init.hypermodel.module}" is not a function (hp) => model ` +
      'or an object with build(hp).');
  }
  const storage = new FileStorage(init.directory, init.projectName);
  const runner = new TrialRunner({
    oracle, hypermodel: hypermodel as HyperModel, executionsPerTrial: init.executionsPerTrial, deterministic: init.deterministic,
    artifacts: storage.artifacts, location: storage.location,
  });
  const train = await fromWorkerDataSpec(init.train, 'training data');
  const validation = init.validation ? await fromWorkerDataSpec(init.validation, 'validationData') : undefined;
  const factories: TrialCallbackFactory[] = [({ trial }) => ({
    callbacks: [{ onEpochEnd: async (epoch: number, logs?: Record<string, unknown>) => {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === 'number') values[k] = v;
      send({ type: 'epoch', trialId: trial.trialId, epoch, logs: values });
    } }],
  })];
  if (init.tensorboard !== undefined) {
    const { tensorBoardIntegration } = await import('../../tensorboard/tuner-integration.js') as { tensorBoardIntegration: TensorBoardIntegration };
    factories.push(tensorBoardIntegration.trialCallbacks(init.tensorboard));
  }
  return { runner, oracle, train, validation, factories };
}

const ready = start();
ready.then(() => send({ type: 'ready' }), (err: Error) => send({ type: 'initError', message: err?.stack ?? String(err) }));

port.on('message', async (msg: ToWorker) => {
  if (msg.type !== 'trial') return;
  const { runner, oracle, train, validation, factories } = await ready;
  const trial = Trial.fromRecord(msg.trial);
  try {
    oracle.seed = msg.seed;
    for (const spec of msg.space) oracle.hyperparameters.declare(spec);
    trial.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: msg.trial.hyperparameters.values });
    oracle.trials.clear();
    oracle.trials.set(trial.trialId, trial);
    await runner.run(trial, train, { ...init.fit, validationData: validation }, factories);
    send({ type: 'result', trialId: trial.trialId, record: trial.toRecord(), space: oracle.hyperparameters.space });
  } catch (err) {
    const e = err as Error;
    send({ type: 'error', trialId: trial.trialId, name: e?.name ?? 'Error', message: e?.message ?? String(err) });
  }
});
