/**
 * `search(..., {workers: N})`: N trials train at once in worker threads while the oracle, in this
 * thread, hands out trials and collects results. Every oracle step is a transaction on the project
 * directory (lock, reload oracle.json, decide, save), so several processes sharing one project each
 * run their own workers on one consistent search; a trial whose worker or process died runs again.
 */
import { hostname } from 'node:os';
import { HyperParameters } from '../hyperparameters.js';
import { isHyperModelModule } from '../hypermodel-module.js';
import { isOtherLiveProcess, isProcessAlive, parseWorkerSlotId, workerSlotId } from '../project-lock.js';
import { checkTrainData, isTensorData, type TrainData } from '../train-data.js';
import type { Trial } from '../trial.js';
import { classifyTrialError, FatalError } from '../errors.js';
import { getTensorBoardIntegration } from '../tensorboard-hook.js';
import type { HyperModelSource, SearchOptions } from '../tuner-options.js';
import type { Oracle } from '../oracle.js';
import type { ProjectStore } from '../store.js';
import type { TunerDisplay } from '../display.js';
import type { RunningTrialInfo } from '../display.js';
import type { WorkerInit } from './protocol.js';
import { TrialWorkerPool, type PoolEvent } from './worker-pool.js';
import { toWorkerDataSpec } from './worker-data.js';
import { resolveEarlyStopping } from '../early-stopping.js';

/** What the parallel search needs of the Tuner that runs it (the Tuner is not imported: no import circle). */
export interface SearchHost {
  readonly oracle: Oracle;
  readonly store: ProjectStore;
  readonly display: TunerDisplay;
  readonly hypermodelSource: HyperModelSource;
  readonly hypermodelOptions: unknown;
  readonly tunerId: string;
  readonly executionsPerTrial: number;
  readonly deterministic: boolean;
  readonly projectDir: string;
  reload(): Promise<void>;
  saveOracle(): Promise<void>;
}

/** How often a process with nothing to run checks whether other processes' trials unblocked the oracle. */
const POLL_MS = 250;


function checkInputs(tuner: SearchHost, trainData: TrainData, opts: SearchOptions): void {
  if (!isHyperModelModule(tuner.hypermodelSource)) {
    throw new Error(`search({workers: ${opts.workers}}) trains in worker threads, which cannot receive a function: ` +
      'pass the hypermodel as {module: "/abs/path/to/model.js", exportName: "..."} (plus hypermodelOptions if the export is a factory).');
  }
  if (opts.callbacks?.length || opts.trialCallbacks) {
    throw new Error(`search({workers: ${opts.workers}}): callbacks and trialCallbacks cannot be sent to worker threads. ` +
      'For early stopping pass earlyStopping: { patience, monitor, minDelta } instead; for other callbacks give the module hypermodel ' +
      'a fit(hp, model, data, options) that adds them, or use workers: 1.');
  }
  if (opts.earlyStopping !== undefined) resolveEarlyStopping(opts.earlyStopping, tuner.oracle.objective);
  checkTrainData(trainData, 'search() training data');
  if (opts.validationData !== undefined) checkTrainData(opts.validationData, 'validationData');
  if (!isTensorData(trainData) && opts.validationSplit !== undefined) {
    throw new Error('validationSplit works with {xs, ys} tensors only; for a dataset or DirectoryIterator pass validationData.');
  }
  if (opts.workerMemoryMb !== undefined && !(Number.isFinite(opts.workerMemoryMb) && opts.workerMemoryMb >= 16)) {
    throw new Error(`workerMemoryMb must be a number of MiB >= 16 (got ${opts.workerMemoryMb}).`);
  }
  if (opts.epochs !== undefined && !(Number.isInteger(opts.epochs) && opts.epochs >= 1)) {
    throw new Error(`epochs must be a positive integer (got ${opts.epochs}).`);
  }
}

export async function parallelSearch(tuner: SearchHost, trainData: TrainData, opts: SearchOptions): Promise<void> {
  checkInputs(tuner, trainData, opts);
  const tensorboard = opts.tensorboard !== undefined ? getTensorBoardIntegration() : undefined;
  await tuner.reload();
  const { oracle, store, display } = tuner;
  const init: WorkerInit = {
    backend: opts.workerBackend,
    hypermodel: tuner.hypermodelSource as WorkerInit['hypermodel'],
    hypermodelOptions: tuner.hypermodelOptions,
    directory: store.directory,
    projectName: store.projectName,
    executionsPerTrial: tuner.executionsPerTrial,
    deterministic: tuner.deterministic,
    objective: oracle.objective,
    allowNewEntries: oracle.allowNewEntries,
    tuneNewEntries: oracle.tuneNewEntries,
    train: await toWorkerDataSpec(trainData, 'search() training data'),
    validation: opts.validationData !== undefined ? await toWorkerDataSpec(opts.validationData, 'validationData') : undefined,
    fit: { epochs: opts.epochs, batchSize: opts.batchSize, shuffle: opts.shuffle, validationSplit: opts.validationSplit, earlyStopping: opts.earlyStopping },
    tensorboard: opts.tensorboard,
  };
  const host = hostname();
  const slotId = (i: number) => workerSlotId(tuner.tunerId, i);

  /** One oracle step: holding the project lock, on the latest state on disk, saved afterwards. */
  const transact = <T>(fn: () => T | Promise<T>): Promise<T> => store.withLock(async () => {
    const file = await store.loadOracle();
    if (file) oracle.setState(file.state);
    let result: T;
    try {
      result = await fn();
    } finally {
      await tuner.saveOracle();
    }
    return result;
  });

  const poolStarted = Date.now();
  let readyWorkers = 0;
  const pool = new TrialWorkerPool(init, opts.workers!, opts.workerMemoryMb !== undefined ? { maxOldGenerationSizeMb: opts.workerMemoryMb } : undefined);
  const running = new Map<string, RunningTrialInfo & { started: number }>();
  const showProgress = () => display.progress?.({ running: [...running.values()], objective: oracle.objective });

  /** Trials whose process died (on this host), or left by a killed serial run of this tuner, run again. */
  const reclaim = async (): Promise<void> => {
    for (const [tid, trialId] of [...oracle.ongoing]) {
      const owner = parseWorkerSlotId(tid);
      if (!owner && isOtherLiveProcess(await store.loadTunerMarker(tid))) {
        throw new Error(`A serial search (tuner "${tid}", workers: 1) is running on ${tuner.projectDir}: it does not share the project. ` +
          'Wait for it to finish, or run every process sharing a project with workers >= 2.');
      }
      const dead = owner ? owner.host === host && !isProcessAlive(owner.pid) : true;
      const orphan = owner?.pid === process.pid && owner.host === host && !running.has(trialId);
      if (dead || orphan) {
        const t = oracle.requeueCrashedTrial(trialId, `The process training it (${tid}) stopped; it runs again.`);
        await store.saveTrial(t.toRecord());
      }
    }
  };

  const started = Date.now();
  display.searchBegin?.({
    projectDir: tuner.projectDir, reloaded: oracle.trials.size > 0, objective: oracle.objective,
    finishedTrials: [...oracle.trials.values()].filter((t) => t.status === 'COMPLETED' || t.status === 'FAILED').length,
  });
  let trialsRun = 0;
  let failure: unknown;

  const finish = async (trialId: string, end: (trial: Trial) => void | Promise<void>): Promise<void> => {
    const info = running.get(trialId);
    running.delete(trialId);
    let stop: unknown;
    const trial = await transact(async () => {
      const t = oracle.getTrial(trialId);
      if (info) t.elapsedSeconds = (Date.now() - info.started) / 1000;
      try {
        await end(t);
      } catch (err) {
        stop = err;
      }
      await store.saveTrial(t.toRecord());
      return t;
    });
    trialsRun++;
    display.trialEnd?.({
      trial, trialNumber: info?.trialNumber ?? oracle.startOrder.indexOf(trialId) + 1, best: oracle.getBestTrials(1)[0], objective: oracle.objective,
      elapsedSeconds: trial.elapsedSeconds ?? 0, totalSeconds: (Date.now() - started) / 1000,
    });
    showProgress();
    if (stop) throw stop;
  };

  const handle = async (ev: PoolEvent): Promise<void> => {
    switch (ev.type) {
      case 'ready':
        if (++readyWorkers === pool.size) {
          display.message?.(`${pool.size} trial workers ready in ${((Date.now() - poolStarted) / 1000).toFixed(1)} s.`);
        }
        return;
      case 'initError':
        throw new FatalError(`A trial worker could not start: ${ev.message}`);
      case 'epoch': {
        const r = running.get(ev.trialId);
        if (r) {
          r.epochsDone++;
          r.logs = ev.logs;
          showProgress();
        }
        return;
      }
      case 'result':
        pool.release(ev.slot);
        return finish(ev.trialId, (t) => {
          oracle.updateSpace(ev.space);
          t.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: ev.record.hyperparameters.values });
          oracle.updateTrial(ev.trialId, { metrics: ev.record.metrics, bestMetrics: ev.record.bestMetrics ?? {}, bestStep: ev.record.bestStep });
          oracle.endTrial(ev.trialId, 'COMPLETED');
        });
      case 'error':
        if (ev.name === 'FatalError') throw new FatalError(ev.message); // its trial is put back below
        pool.release(ev.slot);
        return finish(ev.trialId, () => {
          const { status, retry } = classifyTrialError(ev.name);
          oracle.endTrial(ev.trialId, status, ev.message, { retry });
        });
      case 'crash': {
        pool.release(ev.slot);
        if (ev.trialId === undefined) return;
        const info = running.get(ev.trialId);
        running.delete(ev.trialId);
        const t = await transact(async () => {
          const trial = oracle.requeueCrashedTrial(ev.trialId!, `Its worker died (${ev.reason}).`);
          await store.saveTrial(trial.toRecord());
          return trial;
        });
        display.message?.(`Trial ${info?.trialNumber ?? ev.trialId}: its worker died (${ev.reason}); ` +
          (t.status === 'FAILED' ? `FAILED after ${t.crashes} crashes.` : 'it will run again.'));
        showProgress();
        return;
      }
    }
  };

  try {
    for (;;) {
      let verdict: 'IDLE' | 'STOPPED' | undefined;
      for (const slot of pool.idleSlots()) {
        const got = await transact(async () => {
          await reclaim();
          const trial = oracle.createTrial(slotId(slot));
          if (trial.status === 'RUNNING') await store.saveTrial(trial.toRecord());
          return { trial, space: oracle.hyperparameters.space, seed: oracle.seed, best: oracle.getBestTrials(1)[0] };
        });
        if (got.trial.status !== 'RUNNING') {
          verdict = got.trial.status === 'IDLE' ? 'IDLE' : 'STOPPED';
          break;
        }
        const trial = got.trial;
        const trialNumber = oracle.startOrder.indexOf(trial.trialId) + 1;
        const epochs = 'tuner/epochs' in trial.values
          ? Number(trial.values['tuner/epochs']) - Number(trial.values['tuner/initial_epoch'] ?? 0) : opts.epochs ?? 1;
        running.set(trial.trialId, { trialId: trial.trialId, trialNumber, worker: slot, epochsDone: 0, epochs: epochs * tuner.executionsPerTrial, started: Date.now() });
        pool.dispatch(slot, { type: 'trial', trial: trial.toRecord(), space: got.space, seed: got.seed });
        display.trialBegin?.({ trial, trialNumber, best: got.best, objective: oracle.objective });
        showProgress();
      }
      if (running.size === 0 && verdict === 'STOPPED') break;
      // Nothing of ours runs and the oracle waits on other processes' trials: look again soon.
      const ev = await pool.next(running.size === 0 && verdict === 'IDLE' ? POLL_MS : undefined);
      if (ev) await handle(ev);
    }
  } catch (err) {
    failure = err;
  } finally {
    await pool.close();
    if (running.size > 0) {
      // Stopped with trials in flight (an error): put them back so a resumed search runs them.
      await transact(async () => {
        for (const id of running.keys()) {
          const t = oracle.requeueCrashedTrial(id, 'The search stopped while it trained; it runs again on resume.', Infinity);
          t.crashes = Math.max(0, t.crashes - 1);
          await store.saveTrial(t.toRecord());
        }
      }).catch(() => undefined);
    }
  }
  if (failure) throw failure;
  // Leave this tuner with the final state of the whole search (other processes' trials included).
  await transact(() => undefined);
  if (tensorboard?.searchEnd && opts.tensorboard !== undefined) {
    const names = new Set<string>();
    for (const t of oracle.trials.values()) for (const k of Object.keys(t.metrics)) names.add(k);
    await tensorboard.searchEnd(opts.tensorboard, oracle.hyperparameters.space, [...names]);
  }
  display.searchEnd?.({ best: oracle.getBestTrials(1)[0], objective: oracle.objective, totalSeconds: (Date.now() - started) / 1000, trialsRun });
}
