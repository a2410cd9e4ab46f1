/**
 * The hparams plugin's data (tensorboard/plugins/hparams): an `Experiment` describing the search space
 * and metrics in the top-level run, and per session (one trial execution) a `SessionStartInfo` with the
 * trial's values and a `SessionEndInfo` with its status. Each travels as a serialized
 * `HParamsPluginData` in `SummaryMetadata.plugin_data.content`, under the tags below.
 *
 * Domains follow KerasTuner's `convert_hyperparams_to_hparams`: Choice, Boolean and Fixed are discrete;
 * an Int with a step other than 1 and a Float with a step are discrete (their grid of values); other
 * Ints and Floats are intervals.
 */
import { scalarNameForLog } from './metric-names.js';
import {
  DatasetType,
  HParamDataType,
  HParamsPluginDataMessage,
  SessionStatus,
  encodeMessage,
} from './protos.js';
import type { HyperParameterSpec, HyperValue } from './types.js';

export const HPARAMS_PLUGIN_NAME = 'hparams';
export const HPARAMS_PLUGIN_DATA_VERSION = 0;
export const EXPERIMENT_TAG = '_hparams_/experiment';
export const SESSION_START_INFO_TAG = '_hparams_/session_start_info';
export const SESSION_END_INFO_TAG = '_hparams_/session_end_info';

/** The metric name that stands for a trial's score (written by `TrialLogger.end`), not a fit log. */
export const SCORE_METRIC = 'score';
/** A stepped domain with more values than this is described as an interval instead. */
export const MAX_DISCRETE_VALUES = 1000;

export type TrialEndStatus = 'COMPLETED' | 'FAILED' | 'STOPPED';

/**
 * TensorBoard knows success, failure, running and unknown. A STOPPED trial (ended early by the tuner
 * or the user) is neither a success nor a failure: it is shown as Unknown.
 */
export const STATUS_FOR_TRIAL: Readonly<Record<TrialEndStatus, number>> = {
  COMPLETED: SessionStatus.STATUS_SUCCESS,
  FAILED: SessionStatus.STATUS_FAILURE,
  STOPPED: SessionStatus.STATUS_UNKNOWN,
};

/** A `google.protobuf.Value` for one hyperparameter value. */
export function protoValue(value: HyperValue): Record<string, unknown> {
  switch (typeof value) {
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return { numberValue: value };
    case 'string':
      return { stringValue: value };
    default:
      throw new TypeError(`tensorboard: hyperparameter value ${String(value)} is not a string, number or boolean`);
  }
}

function dataTypeOf(values: readonly HyperValue[]): number {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size !== 1) return HParamDataType.DATA_TYPE_UNSET;
  const kind = [...kinds][0];
  if (kind === 'number') return HParamDataType.DATA_TYPE_FLOAT64;
  if (kind === 'boolean') return HParamDataType.DATA_TYPE_BOOL;
  return HParamDataType.DATA_TYPE_STRING;
}

/** Rounds away binary noise of repeated float addition/multiplication (0.1 * 3 -> 0.3). */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** The grid of a stepped numeric hyperparameter, or null when it is too large to list. */
function steppedValues(spec: { min: number; max: number; step: number; sampling: string }): number[] | null {
  const { min, max, step } = spec;
  const values: number[] = [];
  const slack = Math.abs(max) * 1e-9;
  if (spec.sampling === 'linear') {
    if (!(step > 0)) return null;
    for (let i = 0; tidy(min + i * step) <= max + slack; i++) {
      values.push(tidy(min + i * step));
      if (values.length > MAX_DISCRETE_VALUES) return null;
    }
  } else {
    if (!(step > 1) || !(min > 0)) return null;
    for (let v = min; v <= max + slack; v = tidy(v * step)) {
      values.push(tidy(v));
      if (values.length > MAX_DISCRETE_VALUES) return null;
    }
  }
  return values;
}

function discrete(values: readonly HyperValue[]): Record<string, unknown> {
  return { type: dataTypeOf(values), domainDiscrete: { values: values.map(protoValue) } };
}

function interval(min: number, max: number): Record<string, unknown> {
  return { type: HParamDataType.DATA_TYPE_FLOAT64, domainInterval: { minValue: min, maxValue: max } };
}

/** The `HParamInfo` (name, type, domain) TensorBoard shows for one hyperparameter. */
export function hparamInfo(spec: HyperParameterSpec): Record<string, unknown> {
  const base = { name: spec.name };
  switch (spec.type) {
    case 'choice':
      if (dataTypeOf(spec.values) === HParamDataType.DATA_TYPE_UNSET) return base; // mixed types: no domain
      return { ...base, ...discrete(spec.values) };
    case 'boolean':
      return { ...base, ...discrete([false, true]) };
    case 'fixed':
      return { ...base, ...discrete([spec.value]) };
    case 'int': {
      const step = spec.step ?? 1;
      const grid = step !== 1 ? steppedValues({ ...spec, step }) : null;
      return { ...base, ...(grid ? discrete(grid) : interval(spec.min, spec.max)) };
    }
    case 'float': {
      const grid = spec.step !== undefined ? steppedValues({ ...spec, step: spec.step }) : null;
      return { ...base, ...(grid ? discrete(grid) : interval(spec.min, spec.max)) };
    }
  }
}

/**
 * The `MetricInfo` for a fit log name (`loss`, `val_accuracy`...) or `score`: where TensorBoard finds
 * its values relative to each session's run (group = sub-directory, tag = scalar tag).
 */
export function metricInfo(metricName: string): Record<string, unknown> {
  if (metricName === SCORE_METRIC) {
    return { name: { group: '', tag: SCORE_METRIC }, displayName: SCORE_METRIC, datasetType: DatasetType.DATASET_UNKNOWN };
  }
  const { run, tag } = scalarNameForLog(metricName);
  return {
    name: { group: run, tag },
    displayName: `${run === 'validation' ? 'val_' : ''}${tag.slice('epoch_'.length)}`,
    datasetType: run === 'validation' ? DatasetType.DATASET_VALIDATION : DatasetType.DATASET_TRAINING,
  };
}

function pluginData(data: Record<string, unknown>): Uint8Array {
  return encodeMessage(HParamsPluginDataMessage, { version: HPARAMS_PLUGIN_DATA_VERSION, ...data });
}

export interface ExperimentOptions {
  description?: string;
  timeCreatedSecs?: number;
}

/** Serialized `HParamsPluginData{experiment}`. Repeated names (conditional twins) keep their first spec. */
export function experimentContent(
  space: readonly HyperParameterSpec[],
  metricNames: readonly string[],
  opts: ExperimentOptions = {},
): Uint8Array {
  const seen = new Set<string>();
  const hparamInfos = space.filter((s) => !seen.has(s.name) && seen.add(s.name)).map(hparamInfo);
  // `acc` and `accuracy` name the same scalar: keep one MetricInfo per (group, tag).
  const metricInfos = new Map<string, Record<string, unknown>>();
  for (const m of metricNames) {
    const info = metricInfo(m);
    const { group, tag } = info.name as { group: string; tag: string };
    if (!metricInfos.has(`${group}/${tag}`)) metricInfos.set(`${group}/${tag}`, info);
  }
  return pluginData({
    experiment: {
      description: opts.description ?? '',
      timeCreatedSecs: opts.timeCreatedSecs ?? Date.now() / 1000,
      hparamInfos,
      metricInfos: [...metricInfos.values()],
    },
  });
}

/** Serialized `HParamsPluginData{session_start_info}`; sessions sharing `groupName` are averaged together. */
export function sessionStartContent(
  hparams: Readonly<Record<string, HyperValue>>,
  groupName: string,
  startTimeSecs = Date.now() / 1000,
): Uint8Array {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(hparams).sort()) values[name] = protoValue(hparams[name]);
  return pluginData({ sessionStartInfo: { hparams: values, groupName, startTimeSecs } });
}

/** Serialized `HParamsPluginData{session_end_info}`. */
export function sessionEndContent(status: TrialEndStatus, endTimeSecs = Date.now() / 1000): Uint8Array {
  const code = STATUS_FOR_TRIAL[status];
  if (code === undefined) {
    throw new Error(`tensorboard: unknown trial status "${status}"; use COMPLETED, FAILED or STOPPED`);
  }
  return pluginData({ sessionEndInfo: { status: code, endTimeSecs } });
}
