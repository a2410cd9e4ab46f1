/** `tfjs-tuner summary`: the results of a search from its project folder, finished or still running. */
import { promises as fs } from 'node:fs';
import { isPostgresUrl, openStorage } from '../tuners/storage/open-storage.js';
import type { StoredSearch } from '../tuners/storage/search-storage.js';
import { describeObjective, type Objective } from '../tuners/objective.js';
import { epochsTrained, type TrialRecord } from '../tuners/trial.js';
import type { Output } from './output.js';
import { compactValues, formatValue } from '../tuners/display.js';
import { UsageError } from './output.js';

export interface SummaryOptions {
  directory: string;
  projectName: string;
  /** A postgresql:// URL: read the search named projectName from that database instead of the folder. */
  storage?: string;
  /** Trials to show (default: all). */
  numTrials?: number;
  /** KerasTuner's results_summary layout (a block per trial) instead of one line per trial. */
  verbose?: boolean;
}

export interface SummaryTrial {
  trialId: string;
  status: TrialRecord['status'];
  score: number | null;
  bestStep: number | null;
  hyperparameters: TrialRecord['hyperparameters']['values'];
  epochs: number;
  message?: string;
}

export interface SummaryResult {
  projectDir: string;
  objective: Objective;
  trials: SummaryTrial[];
}

/** Completed trials best first, then the others (running, failed) in trial order. */
export function sortTrials(records: TrialRecord[], objective: Objective): TrialRecord[] {
  const sign = objective.direction === 'min' ? 1 : -1;
  const scored = records.filter((r) => r.status === 'COMPLETED' && typeof r.score === 'number' && !Number.isNaN(r.score));
  const rest = records.filter((r) => !scored.includes(r));
  return [...scored.sort((a, b) => sign * ((a.score as number) - (b.score as number))), ...rest];
}

export async function summary(o: SummaryOptions, out: Output): Promise<SummaryResult> {
  // Read through the search's storage (a project folder here), never the files themselves.
  if (o.storage !== undefined && !isPostgresUrl(o.storage)) throw new UsageError(`--storage ${o.storage}: give a postgresql://USER:PASSWORD@HOST:PORT/DATABASE URL, or leave it out to read --directory.`);
  const storage = openStorage(o.storage, o.directory, o.projectName);
  const store = { projectDir: storage.location };
  try {
    if (o.storage === undefined && !(await fs.stat(store.projectDir).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`No search project at ${store.projectDir}: check --directory and --project-name (as given to tfjs-tuner tune).`);
    }
    const search = await storage.loadSearch();
    if (!search) {
      throw new UsageError(o.storage === undefined
        ? `${store.projectDir} holds no oracle.json: it is not a tfjs-tuner project (or the search never started).`
        : `${store.projectDir} holds no search: check --project-name (as given to tfjs-tuner tune --storage).`);
    }
    return report(o, out, search, await storage.loadTrials(), store.projectDir);
  } finally {
    await storage.close();
  }
}

function report(o: SummaryOptions, out: Output, search: StoredSearch, all: TrialRecord[], where: string): SummaryResult {
  const store = { projectDir: where };
  const objective = search.settings.objective as Objective;
  const records = sortTrials(all, objective);
  const shown = o.numTrials === undefined ? records : records.slice(0, o.numTrials);
  const trials: SummaryTrial[] = shown.map((r) => ({
    trialId: r.trialId, status: r.status, score: r.score, bestStep: r.bestStep, hyperparameters: r.hyperparameters.values,
    epochs: epochsTrained(r.metrics),
    ...(r.message ? { message: r.message } : {}),
  }));
  const completed = records.filter((r) => r.status === 'COMPLETED').length;
  out.info('Results summary');
  out.info(`Results in ${store.projectDir}`);
  out.info(`Showing ${shown.length} of ${records.length} trials (${completed} completed)`);
  out.info(describeObjective(objective));
  if (o.verbose) {
    for (const t of trials) {
      out.info('');
      out.info(`Trial ${t.trialId} summary${t.status === 'COMPLETED' ? '' : ` (${t.status})`}`);
      out.info('Hyperparameters:');
      for (const [k, v] of Object.entries(t.hyperparameters)) out.info(`${k}: ${v}`);
      out.info(`Score: ${t.score}`);
      if (t.message) out.info(t.message);
    }
  } else {
    // One line per trial, best first (KerasTuner's block per trial is --verbose).
    const rows = trials.map((t, i) => [t.status === 'COMPLETED' ? String(i + 1) : '', t.trialId, t.status, formatValue(t.score), String(t.epochs),
      compactValues(t.hyperparameters) + (t.message ? `  (${t.message.split('\n')[0].slice(0, 100)})` : '')]);
    const head = ['#', 'trial', 'status', objective.name, 'epochs', 'hyperparameters'];
    const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
    const line = (cells: string[]) => cells.map((c, j) => (j === cells.length - 1 ? c : c.padEnd(widths[j]))).join('  ').trimEnd();
    out.info('');
    out.info(line(head));
    for (const r of rows) out.info(line(r));
  }
  return { projectDir: store.projectDir, objective, trials };
}
