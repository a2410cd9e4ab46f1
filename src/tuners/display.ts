/**
 * What the tuner shows while it searches, behind a small replaceable interface: the default prints
 * KerasTuner's text; `verbose: 0` uses the silent one; a CLI can pass its own renderer.
 */
import type { HyperValue } from './hyperparameters.js';
import type { Objective } from './objective.js';
import type { Trial } from './trial.js';

export interface SearchBeginInfo {
  projectDir: string;
  /** True when an existing project was reloaded. */
  reloaded: boolean;
  objective: Objective;
  /** Trials already on disk (finished) when the search began. */
  finishedTrials: number;
}

export interface TrialBeginInfo {
  trial: Trial;
  /**
   * 1-based count of trials started in this project. The console names trials by id instead (the
   * trial_<id> folder's name; KerasTuner prints this count, one off from the id).
   */
  trialNumber: number;
  best: Trial | undefined;
  objective: Objective;
}

export interface TrialEndInfo extends TrialBeginInfo {
  elapsedSeconds: number;
  totalSeconds: number;
}

export interface SearchEndInfo {
  best: Trial | undefined;
  objective: Objective;
  totalSeconds: number;
  trialsRun: number;
  /** 'maxTime': the time budget ended the search; 'oracle': the oracle had nothing more to try. */
  stoppedBy?: SearchStoppedBy;
}

export type SearchStoppedBy = 'oracle' | 'maxTime';

/** One trial a parallel search is training now. */
export interface RunningTrialInfo {
  trialId: string;
  trialNumber: number;
  /** The worker (0-based) training it. */
  worker: number;
  /** Epochs finished so far in this attempt (0 before the first ends). */
  epochsDone: number;
  /** Epochs it trains in all (initial epoch excluded). */
  epochs: number | undefined;
  /** The last epoch's logs. */
  logs?: Record<string, number>;
}

export interface ProgressInfo {
  running: RunningTrialInfo[];
  objective: Objective;
}

export interface TunerDisplay {
  searchBegin?(info: SearchBeginInfo): void;
  trialBegin?(info: TrialBeginInfo): void;
  trialEnd?(info: TrialEndInfo): void;
  searchEnd?(info: SearchEndInfo): void;
  /** Free text: summaries, reload notices. */
  message?(text: string): void;
  /** Parallel searches: every running trial, on each start, epoch and end. */
  progress?(info: ProgressInfo): void;
}

export const silentDisplay: TunerDisplay = {};

/** Python's exponent style: 1e-05, 1.5e+20. */
function pythonExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's `format(v, '.5g')` for numbers (as KerasTuner's table shows them); strings and booleans as they are. */
export function formatValue(v: HyperValue | null | undefined): string {
  if (v === null || v === undefined) return '?';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(5)))));
  if (exp < -4 || exp >= 5) return pythonExponent(v.toExponential(4).replace(/\.?0+e/, 'e'));
  const fixed = v.toFixed(Math.max(0, 4 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `00h 00m 05s` */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}h ${pad(m)}m ${pad(s % 60)}s`;
}

export interface ConsoleDisplayOptions {
  /**
   * KerasTuner's per-trial display: a table of every hyperparameter (value and best so far) before each
   * trial, a block after it, and a line per epoch of the running trials of a parallel search (the tuner's
   * `verbose: 2`). Default false: two lines per trial (its hyperparameters; its score and the best so far).
   */
  tables?: boolean;
  /** End with the best trial and its hyperparameters (default true; the CLI prints its own summary). */
  summary?: boolean;
}

/** Hyperband's bookkeeping as words: "epochs 4-9, from trial 0002". */
function scheduleText(values: Record<string, HyperValue>): string {
  if (!('tuner/epochs' in values)) return '';
  const from = Number(values['tuner/initial_epoch'] ?? 0) + 1;
  const to = Number(values['tuner/epochs']);
  const parent = values['tuner/trial_id'];
  return ` (epoch${from === to ? ` ${to}` : `s ${from}-${to}`}${parent !== undefined ? `, continues trial ${parent}` : ''})`;
}

/** The hyperparameters of a trial on one line, Hyperband's tuner/* values left out. */
export function compactValues(values: Record<string, HyperValue>): string {
  return Object.entries(values).filter(([k]) => !k.startsWith('tuner/')).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
}

export class ConsoleDisplay implements TunerDisplay {
  private readonly tables: boolean;
  private readonly summary: boolean;
  private projectDir: string | undefined;

  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t), options: ConsoleDisplayOptions = {}) {
    this.tables = options.tables ?? false;
    this.summary = options.summary ?? true;
  }

  private line(text = ''): void {
    this.write(text + '\n');
  }

  message(text: string): void {
    this.line(text);
  }

  searchBegin({ projectDir }: SearchBeginInfo): void {
    this.projectDir = projectDir;
  }

  trialBegin(info: TrialBeginInfo): void {
    if (this.tables) return this.tableBegin(info);
    const { trial } = info;
    this.line(`Trial ${trial.trialId} started${scheduleText(trial.values)}: ${compactValues(trial.values)}`);
  }

  trialEnd(info: TrialEndInfo): void {
    if (this.tables) return this.tableEnd(info);
    const { trial, best, objective, elapsedSeconds } = info;
    const result = trial.status === 'COMPLETED'
      ? `${objective.name} ${formatValue(trial.score)}`
      : (trial.message ?? '').split('\n')[0];
    const bestText = best ? `best so far ${formatValue(best.score)}${best.trialId === trial.trialId ? ' (this one)' : ` (trial ${best.trialId})`}` : 'no best yet';
    this.line(`Trial ${trial.trialId} ${trial.status} in ${formatSeconds(elapsedSeconds)}: ${result}; ${bestText}`);
  }

  private tableBegin({ trial, best }: TrialBeginInfo): void {
    this.line();
    this.line(`Search: Running Trial #${trial.trialId}`);
    this.line();
    const col = (s: string) => s.padEnd(18);
    this.line(`${col('Value')}|${col('Best Value So Far')}|Hyperparameter`);
    const bestValues = best?.values ?? {};
    for (const [name, value] of Object.entries(trial.values)) {
      this.line(`${col(formatValue(value))}|${col(name in bestValues ? formatValue(bestValues[name]) : '?')}|${name}`);
    }
    this.line();
  }

  private tableEnd({ trial, best, objective, elapsedSeconds, totalSeconds }: TrialEndInfo): void {
    this.line();
    if (trial.status === 'COMPLETED') {
      this.line(`Trial ${trial.trialId} Complete [${formatDuration(elapsedSeconds)}]`);
      this.line(`${objective.name}: ${formatValue(trial.score)}`);
    } else {
      this.line(`Trial ${trial.trialId} ${trial.status} [${formatDuration(elapsedSeconds)}]: ${trial.message ?? ''}`);
    }
    this.line();
    this.line(`Best ${objective.name} So Far: ${formatValue(best?.score)}`);
    this.line(`Total elapsed time: ${formatDuration(totalSeconds)}`);
  }

  private lastProgress = 0;
  private lastRunning = '';

  /** One line per change of the running set, and at most one a second in between (epoch updates). */
  progress({ running, objective }: ProgressInfo): void {
    if (!this.tables || running.length === 0) return;
    const ids = running.map((r) => r.trialId).join(',');
    const now = Date.now();
    if (ids === this.lastRunning && now - this.lastProgress < 1000) return;
    this.lastRunning = ids;
    this.lastProgress = now;
    const parts = running.map((r) => {
      const value = r.logs?.[objective.name];
      const epochs = r.epochs !== undefined ? `${r.epochsDone}/${r.epochs}` : `${r.epochsDone}`;
      return `#${r.trialId} [w${r.worker}] epoch ${epochs}${value !== undefined ? ` ${objective.name} ${formatValue(value)}` : ''}`;
    });
    this.line(`Running ${running.length}: ${parts.join(' | ')}`);
  }

  searchEnd({ trialsRun, totalSeconds, stoppedBy, best, objective }: SearchEndInfo): void {
    this.line(`Search finished: ${trialsRun} trial(s) run in ${formatDuration(totalSeconds)}` +
      `${stoppedBy === 'maxTime' ? ' (the time budget ended the search)' : ''}.`);
    if (!this.summary) return;
    if (!best) {
      this.line('No trial completed yet.');
      return;
    }
    this.line(`Best trial ${best.trialId}: ${objective.name} ${formatValue(best.score)}`);
    for (const [k, v] of Object.entries(best.values)) if (!k.startsWith('tuner/')) this.line(`  ${k}: ${formatValue(v)}`);
    if (this.projectDir) this.line(`Kept in ${this.projectDir}; tuner.getBestModels() loads the best model.`);
  }
}

/** "4.2 s", "3 min 05 s": a trial's duration on its one line. */
function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  return s < 3600 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : formatDuration(s);
}
