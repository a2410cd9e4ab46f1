/** Records every epoch's logs, the best epoch and a copy of its weights during one trial execution. */
import tf from '../tf.cjs';
import { FatalError } from './errors.js';
import { isBetter, metricDidYouMean, resolveMetricKey, type Objective } from './objective.js';
import type { FitResult } from './tuner-options.js';

export interface ExecutionResult {
  history: Record<string, number[]>;
  bestMetrics: Record<string, number>;
  bestStep: number | null;
  bestValue: number | null;
}


/** Records every epoch's logs, the best epoch and a copy of its weights; stops training on NaN. */
export class EpochRecorder {
  history: Record<string, number[]> = {};
  epochs = 0;
  bestValue: number | null = null;
  bestStep: number | null = null;
  bestMetrics: Record<string, number> = {};
  bestWeights: tf.Tensor[] | null = null;
  nanEpoch: number | null = null;
  fatal: Error | null = null;
  private key: string | undefined;

  constructor(private readonly model: tf.LayersModel, private readonly objective: Objective) {}

  callback(): tf.Callback {
    return new tf.CustomCallback({ onEpochEnd: async (epoch, logs) => this.onEpochEnd(epoch, logs ?? {}) }) as unknown as tf.Callback;
  }

  private onEpochEnd(epoch: number, logs: tf.Logs): void {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs)) values[k] = typeof v === 'number' ? v : Number((v as tf.Scalar).dataSync?.()[0] ?? v);
    this.key ??= resolveMetricKey(this.objective.name, values);
    if (this.key === undefined) {
      this.fatal = new FatalError(`The objective "${this.objective.name}" is not among the metrics fit logs: ${Object.keys(values).join(', ')}.` +
        `${metricDidYouMean(this.objective.name, Object.keys(values))} ` +
        `Check the objective name, the model's compile metrics, and that validation data is given for val_ metrics.`);
      this.model.stopTraining = true;
      return;
    }
    if (this.key !== this.objective.name) values[this.objective.name] = values[this.key];
    for (const [k, v] of Object.entries(values)) (this.history[k] ??= []).push(v);
    this.epochs++;
    const value = values[this.objective.name];
    if (!Number.isFinite(value) || ('loss' in values && !Number.isFinite(values.loss))) {
      this.nanEpoch = epoch;
      this.model.stopTraining = true;
      return;
    }
    if (isBetter(this.objective, value, this.bestValue)) {
      this.bestValue = value;
      this.bestStep = epoch;
      this.bestMetrics = { ...values };
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = this.model.getWeights().map((w) => tf.clone(w));
    }
  }

  /** Uses what a custom fit returned when no epoch was recorded through our callback. */
  absorb(result: FitResult, initialEpoch: number): void {
    if (this.epochs > 0 || result === undefined || result === null) return;
    if (typeof result === 'number') {
      this.take({ [this.objective.name]: [result] }, initialEpoch);
    } else if (result instanceof tf.History || (typeof result === 'object' && 'history' in result && typeof (result as unknown as tf.History).history === 'object')) {
      const h = (result as unknown as tf.History).history;
      const hist: Record<string, number[]> = {};
      for (const [k, arr] of Object.entries(h)) hist[k] = (arr as Array<number | tf.Tensor>).map((v) => (typeof v === 'number' ? v : (v as tf.Tensor).dataSync()[0]));
      this.take(hist, initialEpoch);
    } else {
      this.take(Object.fromEntries(Object.entries(result as Record<string, number>).map(([k, v]) => [k, [Number(v)]])), initialEpoch);
    }
  }

  private take(hist: Record<string, number[]>, initialEpoch: number): void {
    const key = resolveMetricKey(this.objective.name, hist);
    if (key === undefined) {
      throw new FatalError(`The hypermodel's fit returned no "${this.objective.name}" (got ${Object.keys(hist).join(', ') || 'nothing'}).`);
    }
    if (key !== this.objective.name) hist[this.objective.name] = hist[key];
    this.history = hist;
    const series = hist[this.objective.name];
    this.epochs = series.length;
    series.forEach((v, i) => {
      if (isBetter(this.objective, v, this.bestValue)) {
        this.bestValue = v;
        this.bestStep = initialEpoch + i;
        this.bestMetrics = Object.fromEntries(Object.entries(hist).map(([k, a]) => [k, a[i]]));
      }
    });
    if (series.some((v) => !Number.isFinite(v))) this.nanEpoch = initialEpoch + series.findIndex((v) => !Number.isFinite(v));
  }

  dispose(): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = null;
  }
}

