/**
 * A trial worker (one thread): initializes its own tfjs backend, imports the hypermodel module,
 * re-creates the training data, then trains the trials the coordinator sends, exactly as the serial
 * tuner does (same code, same per-trial seeds), and sends back the results. Checkpoints go straight
 * to the project directory; the coordinator alone writes trial.json and oracle.json.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../runtime/backend.js';
import { HyperParameters } from '../hyperparameters.js';
import { Oracle, type PopulateResult } from '../oracle.js';
import { Trial } from '../trial.js';
import { Tuner, type TrialCallbackFactory, type TensorBoardIntegration } from '../tuner.js';
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

async function start(): Promise<{ tuner: Tuner; oracle: TrialWorkerOracle; train: TrainData; validation?: TrainData; factories: TrialCallbackFactory[] }> {
  await initBackend(init.backend);
  // Every trial worker already keeps a core busy: augment in this thread rather than in a nested pool
  // per worker (N workers x cores threads would only fight over the same cores).
  const { setAugmentWorkers } = await import('../../data/augment-pool.js');
  setAugmentWorkers(0);
  const oracle = new TrialWorkerOracle({ objective: init.objective, allowNewEntries: init.allowNewEntries, tuneNewEntries: init.tuneNewEntries, seed: 1 });
  const tuner = new Tuner(oracle, {
    hypermodel: init.hypermodel, hypermodelOptions: init.hypermodelOptions, directory: init.directory, projectName: init.projectName,
    executionsPerTrial: init.executionsPerTrial, deterministic: init.deterministic, verbose: 0,
  });
  await tuner.resolveHypermodel();
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
  return { tuner, oracle, train, validation, factories };
}

const ready = start();
ready.then(() => send({ type: 'ready' }), (err: Error) => send({ type: 'initError', message: err?.stack ?? String(err) }));

port.on('message', async (msg: ToWorker) => {
  if (msg.type !== 'trial') return;
  const { tuner, oracle, train, validation, factories } = await ready;
  const trial = Trial.fromRecord(msg.trial);
  try {
    oracle.seed = msg.seed;
    for (const spec of msg.space) oracle.hyperparameters.declare(spec);
    trial.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: msg.trial.hyperparameters.values });
    oracle.trials.clear();
    oracle.trials.set(trial.trialId, trial);
    await tuner.runTrial(trial, train, { ...init.fit, validationData: validation }, factories);
    send({ type: 'result', trialId: trial.trialId, record: trial.toRecord(), space: oracle.hyperparameters.space });
  } catch (err) {
    const e = err as Error;
    send({ type: 'error', trialId: trial.trialId, name: e?.name ?? 'Error', message: e?.message ?? String(err) });
  }
});
