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

export class ConsoleDisplay implements TunerDisplay {
  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  private line(text = ''): void {
    this.write(text + '\n');
  }

  message(text: string): void {
    this.line(text);
  }

  trialBegin({ trial, best }: TrialBeginInfo): void {
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

  trialEnd({ trial, best, objective, elapsedSeconds, totalSeconds }: TrialEndInfo): void {
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
    if (running.length === 0) return;
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

  searchEnd({ trialsRun, totalSeconds, stoppedBy }: SearchEndInfo): void {
    this.line(`Search finished: ${trialsRun} trial(s) run in ${formatDuration(totalSeconds)}` +
      `${stoppedBy === 'maxTime' ? ' (the time budget ended the search)' : ''}.`);
  }
}
