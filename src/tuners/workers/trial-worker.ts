/**
 * A trial worker (one thread): initializes its own tfjs backend, imports the hypermodel module,
 * re-creates the training data once the coordinator sends it (it prepares the data while this thread
 * loads tfjs), then trains the trials the coordinator sends, exactly as the serial
 * search does (the same TrialRunner, same per-trial seeds), and sends back the results. Checkpoints go through
 * the storage's artifact store; the coordinator alone writes the search state and trial records.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../runtime/backend.js';
import { jobTrial, runJob, TrialOracle } from '../executors/run-job.js';
import type { HyperModel, HyperModelObject, TrialCallbackFactory, TensorBoardIntegration } from '../tuner-options.js';
import { TrialRunner } from '../trial-runner.js';
import { importExport } from '../hypermodel-module.js';
import { openDescribedStorage } from '../storage/open-storage.js';
import { FencedArtifacts } from '../storage/fenced-artifacts.js';
import type { TrainData } from '../../contract/train-data.js';
import type { FromWorker, ToWorker, WorkerDataMessage, WorkerInit } from './protocol.js';
import { fromWorkerDataSpec } from './worker-data.js';
import { StartupClock } from './startup-clock.js';

const init = workerData as WorkerInit;
const clock = new StartupClock(init.spawnedAt);
clock.mark('modules');
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
let receiveData!: (m: WorkerDataMessage) => void;
const dataMessage = new Promise<WorkerDataMessage>((resolve) => { receiveData = resolve; });

async function start(): Promise<{ runner: (workerId: string | undefined) => TrialRunner; oracle: TrialOracle; train: TrainData; validation?: TrainData; factories: TrialCallbackFactory[] }> {
  await initBackend(init.backend);
  clock.mark('backend');
  // (The data side's worker sources switch augmentation to this thread: see generatorInWorker.)
  const oracle = new TrialOracle({ objective: init.objective, allowNewEntries: init.allowNewEntries, tuneNewEntries: init.tuneNewEntries });
  const hypermodel = await importExport(init.hypermodel, 'hypermodel', init.hypermodelOptions);
  if (typeof hypermodel !== 'function' && typeof (hypermodel as HyperModelObject)?.build !== 'function') {
    throw new Error(`The hypermodel export "${init.hypermodel.exportName ?? 'default'}" of "${init.hypermodel.module}" is not a function (hp) => model ` +
      'or an object with build(hp).');
  }
  // The same storage as the coordinator's (a database: a pool of its own, small: one trial at a time).
  const storage = openDescribedStorage(init.storage, { poolSize: 2 });
  // A runner (stateless) per trial, writing under the worker id the trial was claimed with: a late checkpoint
  // (this thread's trial was handed out again meanwhile) never overwrites the newer attempt's.
  const runner = (workerId: string | undefined) => new TrialRunner({
    oracle, hypermodel: hypermodel as HyperModel, executionsPerTrial: init.executionsPerTrial, deterministic: init.deterministic,
    artifacts: workerId !== undefined ? new FencedArtifacts(storage, workerId) : storage.artifacts, location: storage.location,
  });
  clock.mark('hypermodel');
  const data = await dataMessage;
  clock.mark('waiting for data');
  const train = await fromWorkerDataSpec(data.train, 'training data');
  const validation = data.validation ? await fromWorkerDataSpec(data.validation, 'validationData') : undefined;
  clock.mark('data');
  const factories: TrialCallbackFactory[] = [({ trial }) => ({
    callbacks: [{ onEpochEnd: async (epoch: number, logs?: Record<string, unknown>) => {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === 'number') values[k] = v;
      send({ type: 'epoch', trialId: trial.trialId, epoch, logs: values });
    } }],
  })];
  if (init.tensorboard !== undefined) {
    // the module the coordinator's tuner was given: the search imports no TensorBoard code itself
    const integration = await importExport(init.tensorboard.integration, 'TensorBoard integration') as TensorBoardIntegration;
    factories.push(integration.trialCallbacks(init.tensorboard.logdir));
  }
  return { runner, oracle, train, validation, factories };
}

const ready = start();
ready.then(() => send({ type: 'ready', startup: clock.report() }), (err: Error) => send({ type: 'initError', message: err?.stack ?? String(err) }));

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'data') receiveData(msg);
  if (msg.type !== 'trial') return;
  const { runner, oracle, train, validation, factories } = await ready;
  const job = { trial: msg.trial, space: msg.space, seed: msg.seed };
  try {
    const trial = jobTrial(oracle, job);
    const { record, space } = await runJob(runner(msg.workerId), oracle, trial, train, { ...init.fit, validationData: validation }, factories, msg.deadline);
    send({ type: 'result', trialId: trial.trialId, record, space });
  } catch (err) {
    const e = err as Error;
    send({ type: 'error', trialId: msg.trial.trialId, name: e?.name ?? 'Error', message: e?.message ?? String(err) });
  }
});
