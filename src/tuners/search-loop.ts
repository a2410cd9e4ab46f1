/**
 * The one search loop, for every executor: ask the oracle for a trial in a transaction, hand it to an
 * idle executor slot, record its result in another transaction, until the oracle stops the search.
 * Every oracle step is a storage transaction (read the latest state, decide, save), so several
 * processes sharing one project run one consistent search; a trial whose worker or process died runs
 * again. A serial search (SerialExecutor) goes through exactly the same steps, as the one slot of its
 * process (`<tunerId>/<host>/<pid>/w0`): two serial processes on one project are two workers, not one.
 *
 * Liveness, the same on every storage: each slot is a worker registered with the storage, which
 * heartbeats it; a running trial whose worker the storage no longer hears (heartbeat older than its
 * grace period) or whose process is gone is handed out again by the next claim that sees it (a crash,
 * counted: FAILED after the oracle's maxCrashRetries). A result that arrives for a trial no longer this
 * worker's (it was handed out again meanwhile) is refused: the newer attempt's result counts.
 */
import { hostname } from 'node:os';
import { HyperParameters } from './hyperparameters.js';
import { isProcessAlive, parseWorkerSlotId, workerSlotId } from './project-lock.js';
import type { Trial } from './trial.js';
import { classifyTrialError, FatalError } from './errors.js';
import type { HyperModelSource, SearchOptions, TensorBoardIntegration } from './tuner-options.js';
import type { Oracle } from './oracle.js';
import type { RunningTrialInfo, SearchStoppedBy, TunerDisplay } from './display.js';
import type { Executor, ExecutorEvent, SlotStartup } from './executors/executor.js';
import type { SearchStorage, SearchTransaction, WorkerRecord } from './storage/search-storage.js';
import { loadOracleState, recordSnapshot, saveOracleState, type SearchMeta } from './search-state.js';


/** What the loop needs of the Tuner that runs it (the Tuner is not imported: no import circle). */
export interface SearchHost {
  readonly oracle: Oracle;
  readonly display: TunerDisplay;
  readonly hypermodelSource: HyperModelSource;
  readonly hypermodelOptions: unknown;
  readonly tunerId: string;
  readonly executionsPerTrial: number;
  readonly deterministic: boolean;
  readonly projectDir: string;
  readonly storage: SearchStorage;
  reload(): Promise<void>;
  searchMeta(): SearchMeta;
}

export interface LoopOptions {
  /** One slot in this thread (a SerialExecutor): it trains in this thread and resumes a dead serial run's trial. */
  serial: boolean;
  tensorboard?: TensorBoardIntegration;
  /** When search() was called (Date.now()): the time budget counts from here, worker start-up included. */
  startedAt?: number;
  /** process.cpuUsage() then: the start-up's CPU seconds count from here. */
  startedCpu?: NodeJS.CpuUsage;
  /** When this thread had loaded the project and handed the workers their data (Date.now()). */
  preparedAt?: number;
}

/** Where a parallel search's start-up went, from search() until every worker was ready. */
export interface SearchStartup {
  /** Wall seconds until every slot was ready (until the last one that came up, if the search ended first). */
  seconds: number;
  /** CPU seconds of the whole process (this thread, the workers, the image decoders) in that time. */
  cpuSeconds?: number;
  /** Seconds this thread took to load the project and prepare the workers' data (the workers were starting meanwhile). */
  prepareSeconds?: number;
  /** Each ready worker's phases (thread, tfjs, modules, backend, hypermodel, waiting for data, data), in slot order. */
  workers: SlotStartup[];
}

/** How a search ended. */
export interface SearchOutcome {
  stoppedBy: SearchStoppedBy;
  /** Trials this call ran (ended). */
  trialsRun: number;
  seconds: number;
  /** The time budget of this call in seconds (a resumed search gets it anew). */
  maxTime?: number;
  /** Slot-seconds idle because the oracle had nothing to start (e.g. Hyperband waiting at a round's end). */
  idleSlotSeconds: number;
  /** Seconds from search() until every slot was ready (worker start-up; ~0 serially). */
  readySeconds: number;
  /** The split of a parallel search's start-up (workers > 1). */
  startup?: SearchStartup;
}

export async function searchLoop(tuner: SearchHost, executor: Executor, opts: SearchOptions, loop: LoopOptions): Promise<SearchOutcome> {
  const { oracle, display } = tuner;
  const { serial } = loop;
  const host = hostname();
  // Per process, serially too: two processes with one id would both be handed that id's running trial.
  const workerId = (slot: number) => workerSlotId(tuner.tunerId, slot);

  /**
   * One oracle step, as one storage transaction: on the latest stored state, saved afterwards (also
   * when the step throws: what it changed before is kept, as the error says what happened next).
   */
  const transact = async <T>(fn: (tx: SearchTransaction) => T | Promise<T>): Promise<T> => {
    let failed = false;
    let error: unknown;
    const result = await tuner.storage.transaction(async (tx) => {
      const search = await tx.loadSearch();
      if (search) oracle.setState(await loadOracleState(tx, search));
      const loaded = recordSnapshot(oracle);
      const before = search ? JSON.stringify(oracle.getState()) : undefined;
      let r: T | undefined;
      try {
        r = await fn(tx);
      } catch (err) {
        failed = true;
        error = err;
      }
      // A step that changed nothing (a worker asking while the oracle waits) writes nothing: it would
      // wake every other waiting worker, whose steps would wake this one, and so on.
      if (before === undefined || JSON.stringify(oracle.getState()) !== before) await saveOracleState(tx, tuner.searchMeta(), oracle, loaded);
      return r;
    });
    if (failed) throw error;
    return result as T;
  };

  let readyWorkers = 0;
  let readySeconds = 0;
  let startup: SearchStartup | undefined;
  const workerStartups: SlotStartup[] = [];
  let idleSlotSeconds = 0;
  let idleSince: { at: number; slots: number } | undefined;
  const running = new Map<string, RunningTrialInfo & { started: number }>();
  // A serial search shows its own per-epoch progress (trial callbacks); the running-trials view is for workers.
  const showProgress = () => {
    if (!serial) display.progress?.({ running: [...running.values()], objective: oracle.objective });
  };

  /**
   * Trials whose process ended (on this host) or whose worker went silent (no heartbeat within the
   * storage's grace period, any host) run again; it returns what to tell the user. A serial search continues the running trial of
   * a dead process of its own tunerId instead, as if never interrupted (KerasTuner hands a tuner id its
   * running trial back); its own trial from an earlier search() call of this process it keeps.
   */
  const reclaim = async (tx: SearchTransaction): Promise<string[]> => {
    const me = workerId(0);
    const said: string[] = [];
    let workers: Map<string, WorkerRecord> | undefined;
    for (const [tid, trialId] of [...oracle.ongoing]) {
      if (serial && tid === me) continue; // the oracle hands it back
      const owner = parseWorkerSlotId(tid);
      workers ??= new Map((await tx.workers()).map((w) => [w.workerId, w]));
      const record = workers.get(tid);
      const legacy = owner ? undefined : record;
      if (legacy?.alive && !(legacy.host === host && legacy.pid === process.pid)) {
        // A project written before serial searches had per-process ids: its serial run is still going.
        throw new Error(`A serial search (tuner "${tid}", workers: 1) is running on ${tuner.projectDir}: an older version started it, ` +
          'whose serial searches do not share a project. Wait for it to finish.');
      }
      const thisProcess = owner?.host === host && owner.pid === process.pid;
      // its process ended on this host (or it is a plain tuner id of an older version, whose run ended)
      const gone = owner ? owner.host === host && !isProcessAlive(owner.pid) : true;
      // the storage no longer hears it: no heartbeat within the grace period (a machine down or cut off,
      // a frozen process), or it stopped elsewhere and unregistered with its trial still running
      const silent = !thisProcess && !gone && (record ? !record.alive : owner !== undefined && owner.host !== host);
      const orphan = !serial && thisProcess && !running.has(trialId);
      if (!gone && !silent && !orphan) continue;
      const ours = tid === tuner.tunerId || tid.startsWith(`${tuner.tunerId}/`);
      if (serial && gone && ours && !oracle.ongoing.has(me)) {
        oracle.ongoing.delete(tid);
        oracle.ongoing.set(me, trialId);
      } else if (silent) {
        const t = oracle.requeueCrashedTrial(trialId, `Its worker ${tid} was not heard from within the grace period ` +
          `(${tuner.storage.heartbeatGraceMs / 1000} s without a heartbeat: its machine is down, cut off or frozen); it runs again.`);
        said.push(`Trial ${trialId}: its worker ${tid} sent no heartbeat for over ${tuner.storage.heartbeatGraceMs / 1000} s; ` +
          (t.status === 'FAILED' ? `FAILED after ${t.crashes} lost attempts.` : `handed out again (attempt ${t.crashes + 1}).`));
      } else {
        oracle.requeueCrashedTrial(trialId, `The process training it (${tid}) stopped; it runs again.`);
      }
    }
    return said;
  };

  /** Whether this slot still holds the trial: not, when it was handed out again (its worker went silent). */
  const holds = (slot: number, trialId: string) => oracle.ongoing.get(workerId(slot)) === trialId;
  const refuse = (trialId: string, what: string) => {
    display.message?.(`Trial ${trialId}: this worker's ${what} is refused: the trial was handed out again while it trained ` +
      '(no heartbeat from here within the grace period); the newer attempt counts.');
  };

  const started = loop.startedAt ?? Date.now();
  const deadline = opts.maxTime !== undefined ? started + opts.maxTime * 1000 : undefined;
  let budgetEnded = false;
  const reloaded = oracle.trials.size > 0;
  if (opts.maxTime !== undefined) {
    display.message?.(`Time budget: ${formatSeconds(opts.maxTime)} from the start of this search` +
      `${reloaded ? ' (a resumed search gets the whole budget again)' : ''}; no trial starts after it, running trials stop at their next epoch end.`);
  }
  display.searchBegin?.({
    projectDir: tuner.projectDir, reloaded: oracle.trials.size > 0, objective: oracle.objective,
    finishedTrials: [...oracle.trials.values()].filter((t) => t.status === 'COMPLETED' || t.status === 'FAILED').length,
  });
  let trialsRun = 0;
  let failure: unknown;

  const finish = async (slot: number, trialId: string, end: (trial: Trial) => void | Promise<void>): Promise<void> => {
    const info = running.get(trialId);
    running.delete(trialId);
    let stop: unknown;
    let refused = false;
    const trial = await transact(async () => {
      const t = oracle.getTrial(trialId);
      if (!holds(slot, trialId)) {
        refused = true;
        return t;
      }
      if (info) t.elapsedSeconds = (Date.now() - info.started) / 1000;
      try {
        await end(t);
      } catch (err) {
        stop = err;
      }
      return t;
    });
    if (refused) {
      refuse(trialId, 'result');
      showProgress();
      return;
    }
    trialsRun++;
    display.trialEnd?.({
      trial, trialNumber: info?.trialNumber ?? oracle.startOrder.indexOf(trialId) + 1, best: oracle.getBestTrials(1)[0], objective: oracle.objective,
      elapsedSeconds: trial.elapsedSeconds ?? 0, totalSeconds: (Date.now() - started) / 1000,
    });
    showProgress();
    if (stop) throw stop;
  };

  const handle = async (ev: ExecutorEvent): Promise<void> => {
    switch (ev.type) {
      case 'ready': {
        if (ev.startup) workerStartups[ev.slot] = ev.startup;
        // Kept up to date as slots come up: a short search may end before the last one is ready.
        const cpu = loop.startedCpu ? process.cpuUsage(loop.startedCpu) : undefined;
        startup = {
          seconds: +((Date.now() - started) / 1000).toFixed(3), ...(cpu ? { cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2) } : {}),
          ...(loop.preparedAt !== undefined ? { prepareSeconds: +((loop.preparedAt - started) / 1000).toFixed(3) } : {}),
          workers: workerStartups.filter(Boolean),
        };
        if (++readyWorkers === executor.slots) {
          readySeconds = (Date.now() - started) / 1000;
          display.message?.(`${executor.slots} trial workers ready in ${readySeconds.toFixed(1)} s.`);
        }
        return;
      }
      case 'startError':
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
        return finish(ev.slot, ev.trialId, (t) => {
          oracle.updateSpace(ev.space);
          t.hyperparameters = HyperParameters.fromConfig({ space: oracle.hyperparameters.space, values: ev.record.hyperparameters.values });
          oracle.updateTrial(ev.trialId, { metrics: ev.record.metrics, bestMetrics: ev.record.bestMetrics ?? {}, bestStep: ev.record.bestStep });
          oracle.endTrial(ev.trialId, 'COMPLETED', ev.record.message); // e.g. that the time budget cut it short
        });
      case 'error':
        // In this thread the error itself says it (instanceof); from a worker only its name does.
        if (serial ? ev.error instanceof FatalError : ev.name === 'FatalError') {
          throw serial ? ev.error : new FatalError(ev.message); // its trial is put back below (or resumed, serially)
        }
        return finish(ev.slot, ev.trialId, () => {
          const { status, retry } = classifyTrialError(ev.name);
          oracle.endTrial(ev.trialId, status, ev.message, { retry });
        });
      case 'crash': {
        if (ev.trialId === undefined) return;
        running.delete(ev.trialId);
        let held = true;
        const t = await transact(async () => {
          held = holds(ev.slot, ev.trialId!);
          return held ? oracle.requeueCrashedTrial(ev.trialId!, `Its worker died (${ev.reason}).`) : oracle.getTrial(ev.trialId!);
        });
        if (!held) return;
        display.message?.(`Trial ${ev.trialId}: its worker died (${ev.reason}); ` +
          (t.status === 'FAILED' ? `FAILED after ${t.crashes} crashes.` : 'it will run again.'));
        showProgress();
        return;
      }
    }
  };

  const { storage } = tuner;
  const workerInfo = { host, pid: process.pid, kind: serial ? 'serial' as const : 'thread' as const };
  // One executor event is awaited at a time; a wait that a storage change ended keeps it for the next turn.
  let pending: Promise<ExecutorEvent | undefined> | undefined;
  const nextEvent = () => (pending ??= executor.next());
  try {
    for (let s = 0; s < executor.slots; s++) await storage.registerWorker(workerId(s), workerInfo);
    for (;;) {
      let verdict: 'IDLE' | 'STOPPED' | undefined;
      // read before the claims: a change committed after them ends the wait below at once
      const mark = await storage.changeCount();
      if (deadline !== undefined && Date.now() >= deadline && !budgetEnded) {
        budgetEnded = true;
        if (running.size > 0) display.message?.(`The time budget ended: no new trial starts; the ${running.size} running stop at their next epoch end.`);
      }
      for (const slot of budgetEnded ? [] : executor.idleSlots()) {
        // The deadline can pass while earlier slots are filled: look again right before each decision.
        if (deadline !== undefined && Date.now() >= deadline) break;
        const got = await transact(async (tx) => {
          const said = await reclaim(tx);
          const trial = oracle.createTrial(workerId(slot));
          return { said, trial, space: oracle.hyperparameters.space, seed: oracle.seed, best: oracle.getBestTrials(1)[0] };
        });
        for (const line of got.said) display.message?.(line);
        if (got.trial.status !== 'RUNNING') {
          verdict = got.trial.status === 'IDLE' ? 'IDLE' : 'STOPPED';
          break;
        }
        const trial = got.trial;
        const trialNumber = oracle.startOrder.indexOf(trial.trialId) + 1;
        const epochs = 'tuner/epochs' in trial.values
          ? Number(trial.values['tuner/epochs']) - Number(trial.values['tuner/initial_epoch'] ?? 0) : opts.epochs ?? 1;
        running.set(trial.trialId, { trialId: trial.trialId, trialNumber, worker: slot, epochsDone: 0, epochs: epochs * tuner.executionsPerTrial, started: Date.now() });
        executor.start(slot, { trial: trial.toRecord(), space: got.space, seed: got.seed, workerId: workerId(slot), ...(deadline !== undefined ? { deadline } : {}) });
        display.trialBegin?.({ trial, trialNumber, best: got.best, objective: oracle.objective });
        showProgress();
      }
      if (idleSince) idleSlotSeconds += idleSince.slots * (Date.now() - idleSince.at) / 1000;
      idleSince = verdict === 'IDLE' && running.size < executor.slots ? { at: Date.now(), slots: executor.slots - running.size } : undefined;
      if (running.size === 0 && (verdict === 'STOPPED' || budgetEnded)) break;
      let ev: ExecutorEvent | undefined;
      if (verdict === 'IDLE' && running.size < executor.slots) {
        // A slot is free but the oracle waits on other trials (e.g. a Hyperband round's last ones, maybe
        // another machine's): look again when another process commits a change (NOTIFY), or after the
        // storage's poll interval, or at the deadline; our own trials' events end the wait too.
        const maxMs = deadline !== undefined ? Math.max(1, deadline - Date.now()) : Infinity;
        const changed = storage.waitForChange(mark, maxMs).then(() => undefined);
        if (running.size === 0 && serial) {
          await changed; // a serial executor has no event to wait for while nothing of ours runs
        } else {
          const got = await Promise.race([nextEvent().then((e) => ({ e })), changed]);
          if (got) {
            pending = undefined; // consumed; otherwise it is still awaited next turn
            ev = got.e;
          }
        }
      } else {
        ev = await nextEvent();
        pending = undefined;
      }
      if (ev) await handle(ev);
    }
  } catch (err) {
    failure = err;
  } finally {
    await executor.close();
    if (running.size > 0 && !serial) {
      // Stopped with trials in flight (an error): put them back so a resumed search runs them.
      await transact(async () => {
        for (const [id, r] of running) {
          if (!holds(r.worker, id)) continue; // handed out again meanwhile: the other attempt's
          const t = oracle.requeueCrashedTrial(id, 'The search stopped while it trained; it runs again on resume.', Infinity);
          t.crashes = Math.max(0, t.crashes - 1);
        }
      }).catch(() => undefined);
    }
    // after the requeue: until then, others see these trials' workers alive and leave them alone
    for (let s = 0; s < executor.slots; s++) await storage.unregisterWorker(workerId(s)).catch(() => undefined);
  }
  if (failure) throw failure;
  // Leave this tuner with the final state of the whole search (other processes' trials included).
  await transact(() => undefined);
  const { tensorboard } = loop;
  if (tensorboard?.searchEnd && opts.tensorboard !== undefined) await tensorboard.searchEnd(opts.tensorboard, tuner.storage);
  const stoppedBy: SearchStoppedBy = budgetEnded ? 'maxTime' : 'oracle';
  const seconds = (Date.now() - started) / 1000;
  display.searchEnd?.({ best: oracle.getBestTrials(1)[0], objective: oracle.objective, totalSeconds: seconds, trialsRun, stoppedBy });
  // A search where every trial failed has no result: say so with the first cause instead of returning.
  const all = [...oracle.trials.values()];
  const ended = all.filter((t) => t.status === 'FAILED' || t.status === 'INVALID');
  if (ended.length > 0 && ended.length === all.length) {
    const first = ended[0];
    throw new Error(`No trial completed in ${tuner.projectDir}: all ${all.length} failed. Trial ${first.trialId} ${first.status}: ${first.message ?? 'no message'}. ` +
      'Failed trials are not retried when the search runs again: fix the cause, then start afresh with overwrite: true.');
  }
  return { stoppedBy, trialsRun, seconds, idleSlotSeconds: +idleSlotSeconds.toFixed(2), readySeconds, ...(startup ? { startup } : {}), ...(opts.maxTime !== undefined ? { maxTime: opts.maxTime } : {}) };
}

function formatSeconds(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
