/**
 * Reads TensorBoard event files: TFRecord records (both masked CRCs checked), decoded `Event`s, and
 * helpers that pull out scalars and hparams. A file whose last record is cut short (a writer still
 * running or killed mid-write) yields all its intact events plus a `problem`, never an exception.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EventMessage, HParamsPluginDataMessage, decodeMessage } from './protos.js';
import { readRecords, type RecordProblem } from './record.js';
import type { HyperValue } from './types.js';
import { EXPERIMENT_TAG, HPARAMS_PLUGIN_NAME, SESSION_END_INFO_TAG, SESSION_START_INFO_TAG } from './hparams.js';

/** Decoded protobuf shapes (protobufjs camelCase names; enums by name; proto3 defaults filled in). */
export interface TbTensorShape { dim: { size: number; name: string }[]; unknownRank: boolean }
export interface TbTensor {
  dtype: string | number;
  tensorShape: TbTensorShape | null;
  versionNumber: number;
  tensorContent: Uint8Array;
  halfVal: number[];
  floatVal: number[];
  doubleVal: number[];
  intVal: number[];
  stringVal: Uint8Array[];
  int64Val: number[];
  boolVal: boolean[];
}
export interface TbSummaryMetadata {
  pluginData: { pluginName: string; content: Uint8Array } | null;
  displayName: string;
  summaryDescription: string;
  dataClass: string | number;
}
export interface TbSummaryValue {
  tag: string;
  nodeName: string;
  metadata: TbSummaryMetadata | null;
  /** Which member of the `value` oneof is set: 'simpleValue', 'tensor', 'histo', 'image', 'audio'... */
  value?: string;
  simpleValue?: number;
  tensor?: TbTensor;
  histo?: Record<string, unknown>;
  image?: Record<string, unknown>;
  audio?: Record<string, unknown>;
}
export interface TbEvent {
  wallTime: number;
  step: number;
  /** Which member of the `what` oneof is set: 'fileVersion', 'summary', 'graphDef'... */
  what?: string;
  fileVersion?: string;
  summary?: { value: TbSummaryValue[] };
  graphDef?: Uint8Array;
  sourceMetadata: { writer: string } | null;
}

/** A google.protobuf.Value as decoded. */
export interface TbProtoValue { kind?: string; numberValue?: number; stringValue?: string; boolValue?: boolean }
export interface TbHParamInfo {
  name: string;
  displayName: string;
  description: string;
  type: string | number;
  domain?: 'domainDiscrete' | 'domainInterval';
  domainDiscrete?: { values: TbProtoValue[] };
  domainInterval?: { minValue: number; maxValue: number };
}
export interface TbMetricInfo {
  name: { group: string; tag: string } | null;
  displayName: string;
  description: string;
  datasetType: string | number;
}
export interface TbExperiment {
  name: string;
  description: string;
  user: string;
  timeCreatedSecs: number;
  hparamInfos: TbHParamInfo[];
  metricInfos: TbMetricInfo[];
}
export interface TbSessionStartInfo {
  hparams: Record<string, TbProtoValue>;
  modelUri: string;
  monitorUrl: string;
  groupName: string;
  startTimeSecs: number;
}
export interface TbSessionEndInfo { status: string | number; endTimeSecs: number }
export interface TbHParamsPluginData {
  version: number;
  data?: 'experiment' | 'sessionStartInfo' | 'sessionEndInfo';
  experiment?: TbExperiment;
  sessionStartInfo?: TbSessionStartInfo;
  sessionEndInfo?: TbSessionEndInfo;
}

export interface EventFileContents {
  path: string;
  events: TbEvent[];
  /** Set when the file ends in a partial record (`truncated`) or a CRC fails (`corrupt`). */
  problem?: RecordProblem;
}

export function decodeEvent(bytes: Uint8Array): TbEvent {
  return decodeMessage<TbEvent>(EventMessage, bytes);
}

function decodeFile(path: string, bytes: Uint8Array): EventFileContents {
  const { records, problem } = readRecords(bytes);
  const events = records.map((r, i) => {
    try {
      return decodeEvent(r);
    } catch (err) {
      throw new Error(`${path}: record ${i} passed its CRC checks but is not an Event: ${(err as Error).message}`);
    }
  });
  return { path, events, ...(problem && { problem: { ...problem, message: `${path}: ${problem.message}` } }) };
}

export async function readEventFile(path: string): Promise<EventFileContents> {
  return decodeFile(path, await readFile(path));
}

export function readEventFileSync(path: string): EventFileContents {
  return decodeFile(path, readFileSync(path));
}

/** The event files of one run (directory, not recursive), oldest name first, as TensorBoard orders them. */
export async function readEventRun(dir: string): Promise<EventFileContents[]> {
  const names = (await readdir(dir)).filter((n) => n.includes('tfevents')).sort();
  return Promise.all(names.map((n) => readEventFile(join(dir, n))));
}

export function readEventRunSync(dir: string): EventFileContents[] {
  const names = readdirSync(dir).filter((n) => n.includes('tfevents')).sort();
  return names.map((n) => readEventFileSync(join(dir, n)));
}

/** A scalar's number: `simple_value`, or a one-element DT_FLOAT/DT_DOUBLE tensor (float_val or tensor_content). */
export function scalarValueOf(value: TbSummaryValue): number | undefined {
  if (value.value === 'simpleValue') return value.simpleValue;
  const t = value.tensor;
  if (value.value !== 'tensor' || !t || (t.tensorShape?.dim.length ?? 0) !== 0) return undefined;
  if (t.dtype === 'DT_FLOAT') {
    if (t.floatVal.length === 1) return t.floatVal[0];
    if (t.tensorContent.length === 4) return Buffer.from(t.tensorContent).readFloatLE(0);
  }
  if (t.dtype === 'DT_DOUBLE') {
    if (t.doubleVal.length === 1) return t.doubleVal[0];
    if (t.tensorContent.length === 8) return Buffer.from(t.tensorContent).readDoubleLE(0);
  }
  return undefined;
}

export interface ScalarPoint { step: number; value: number; wallTime: number }

/** Every scalar series in the events, by tag, in file order. */
export function scalarsFromEvents(events: readonly TbEvent[]): Map<string, ScalarPoint[]> {
  const out = new Map<string, ScalarPoint[]>();
  for (const e of events) {
    for (const v of e.summary?.value ?? []) {
      const plugin = v.metadata?.pluginData?.pluginName;
      if (plugin && plugin !== 'scalars') continue;
      const value = scalarValueOf(v);
      if (value === undefined) continue;
      if (!out.has(v.tag)) out.set(v.tag, []);
      out.get(v.tag)!.push({ step: e.step, value, wallTime: e.wallTime });
    }
  }
  return out;
}

export function decodeHParamsPluginData(content: Uint8Array): TbHParamsPluginData {
  return decodeMessage<TbHParamsPluginData>(HParamsPluginDataMessage, content);
}

export interface HParamsSummaries {
  experiment?: TbExperiment;
  sessionStartInfo?: TbSessionStartInfo;
  sessionEndInfo?: TbSessionEndInfo;
}

/** The hparams plugin data in the events (the first of each kind, as TensorBoard uses). */
export function hparamsFromEvents(events: readonly TbEvent[]): HParamsSummaries {
  const out: HParamsSummaries = {};
  for (const e of events) {
    for (const v of e.summary?.value ?? []) {
      const pd = v.metadata?.pluginData;
      if (pd?.pluginName !== HPARAMS_PLUGIN_NAME) continue;
      const data = decodeHParamsPluginData(pd.content);
      if (v.tag === EXPERIMENT_TAG && data.experiment) out.experiment ??= data.experiment;
      if (v.tag === SESSION_START_INFO_TAG && data.sessionStartInfo) out.sessionStartInfo ??= data.sessionStartInfo;
      if (v.tag === SESSION_END_INFO_TAG && data.sessionEndInfo) out.sessionEndInfo ??= data.sessionEndInfo;
    }
  }
  return out;
}

/** A google.protobuf.Value back to a plain value (null for null/struct/list values). */
export function fromProtoValue(v: TbProtoValue): HyperValue | null {
  switch (v.kind) {
    case 'numberValue':
      return v.numberValue ?? 0;
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    default:
      return null;
  }
}
