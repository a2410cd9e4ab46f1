import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrialLogger, writeHparamsExperiment } from '../../src/tensorboard/trial-logger.js';
import { fromProtoValue, hparamsFromEvents, readEventRun, scalarsFromEvents, type TbHParamInfo } from '../../src/tensorboard/event-reader.js';
import type { HyperParameterSpec } from '../../src/tensorboard/types.js';
import { field, fields, f64, num, parseWire, str, sub } from './wire.js';
import { readFile } from 'node:fs/promises';
import { splitRecords } from './wire.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-hparams-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const SPACE: HyperParameterSpec[] = [
  { type: 'choice', name: 'activation', values: ['relu', 'tanh', 'elu'], ordered: false, conditions: [] },
  { type: 'choice', name: 'filters', values: [16, 32, 64], ordered: true, conditions: [] },
  { type: 'int', name: 'units', min: 32, max: 128, step: 32, sampling: 'linear', conditions: [] },
  { type: 'int', name: 'blocks', min: 2, max: 32, step: 2, sampling: 'log', conditions: [] },
  { type: 'int', name: 'layers', min: 1, max: 4, sampling: 'linear', conditions: [] },
  { type: 'float', name: 'lr', min: 1e-4, max: 1e-2, sampling: 'log', conditions: [] },
  { type: 'float', name: 'dropout', min: 0, max: 0.5, step: 0.1, sampling: 'linear', conditions: [] },
  { type: 'boolean', name: 'batchnorm', conditions: [] },
  { type: 'fixed', name: 'optimizer', value: 'adam', conditions: [] },
  { type: 'int', name: 'dense_units', min: 8, max: 64, step: 8, sampling: 'linear', conditions: [{ parentName: 'layers', parentValues: [2, 3] }] },
];

type Domain = { discrete: (string | number | boolean | null)[]; type: string } | { interval: [number, number]; type: string };
function domainOf(info: TbHParamInfo): Domain {
  if (info.domain === 'domainDiscrete') return { discrete: info.domainDiscrete!.values.map(fromProtoValue), type: String(info.type) };
  return { interval: [info.domainInterval!.minValue, info.domainInterval!.maxValue], type: String(info.type) };
}

async function hparamsIn(dir: string) {
  return hparamsFromEvents((await readEventRun(dir)).flatMap((f) => f.events));
}

test('the experiment gives each hyperparameter its KerasTuner domain and lists the metrics', async (t) => {
  const dir = await tempDir(t);
  await writeHparamsExperiment(dir, SPACE, ['loss', 'acc', 'val_loss', 'val_accuracy', 'accuracy', 'val_acc']);
  const experiment = (await hparamsIn(dir)).experiment!;
  const domains = Object.fromEntries(experiment.hparamInfos.map((i) => [i.name, domainOf(i)]));
  assert.deepEqual(domains, {
    activation: { discrete: ['relu', 'tanh', 'elu'], type: 'DATA_TYPE_STRING' },
    filters: { discrete: [16, 32, 64], type: 'DATA_TYPE_FLOAT64' },
    units: { discrete: [32, 64, 96, 128], type: 'DATA_TYPE_FLOAT64' },
    blocks: { discrete: [2, 4, 8, 16, 32], type: 'DATA_TYPE_FLOAT64' },
    layers: { interval: [1, 4], type: 'DATA_TYPE_FLOAT64' },
    lr: { interval: [1e-4, 1e-2], type: 'DATA_TYPE_FLOAT64' },
    dropout: { discrete: [0, 0.1, 0.2, 0.3, 0.4, 0.5], type: 'DATA_TYPE_FLOAT64' },
    batchnorm: { discrete: [false, true], type: 'DATA_TYPE_BOOL' },
    optimizer: { discrete: ['adam'], type: 'DATA_TYPE_STRING' },
    dense_units: { discrete: [8, 16, 24, 32, 40, 48, 56, 64], type: 'DATA_TYPE_FLOAT64' },
  });
  assert.deepEqual(
    experiment.metricInfos.map((m) => [m.name!.group, m.name!.tag, m.displayName, m.datasetType]),
    [
      ['train', 'epoch_loss', 'loss', 'DATASET_TRAINING'],
      ['train', 'epoch_accuracy', 'accuracy', 'DATASET_TRAINING'],
      ['validation', 'epoch_loss', 'val_loss', 'DATASET_VALIDATION'],
      ['validation', 'epoch_accuracy', 'val_accuracy', 'DATASET_VALIDATION'],
      ['', 'score', 'score', 'DATASET_UNKNOWN'],
    ],
  );
  assert.ok(Math.abs(experiment.timeCreatedSecs - Date.now() / 1000) < 60);
});

test('hparams plugin data uses upstream field numbers (checked on the raw bytes)', async (t) => {
  const dir = await tempDir(t);
  await writeHparamsExperiment(dir, [SPACE[0], SPACE[5]], ['val_loss'], { score: false });
  const [file] = (await readdir(dir)).filter((n) => n.includes('tfevents'));
  const [, event] = splitRecords(await readFile(join(dir, file))).map((r) => parseWire(r.data));
  const value = sub(field(sub(field(event, 5)), 1));
  assert.equal(str(field(value, 1)), '_hparams_/experiment');
  const pluginData = sub(field(sub(field(value, 9)), 1));
  assert.equal(str(field(pluginData, 1)), 'hparams');
  const content = sub(field(pluginData, 2)); // HParamsPluginData
  assert.equal(fields(content, 1).length, 0, 'version 0 (default, not written)');
  const experiment = sub(field(content, 2)); // HParamsPluginData.experiment = 2
  const [choice, float] = fields(experiment, 4).map(sub); // Experiment.hparam_infos = 4
  assert.equal(str(field(choice, 1)), 'activation'); // HParamInfo.name = 1
  assert.equal(num(field(choice, 4)), 1); // HParamInfo.type = 4, DATA_TYPE_STRING = 1
  const listValue = sub(field(choice, 5)); // domain_discrete = 5 (google.protobuf.ListValue)
  assert.deepEqual(fields(listValue, 1).map((v) => str(field(sub(v), 3))), ['relu', 'tanh', 'elu']); // Value.string_value = 3
  assert.equal(num(field(float, 4)), 3); // DATA_TYPE_FLOAT64 = 3
  const interval = sub(field(float, 6)); // domain_interval = 6
  assert.deepEqual([f64(field(interval, 1)), f64(field(interval, 2))], [1e-4, 1e-2]);
  const [metric] = fields(experiment, 5).map(sub); // Experiment.metric_infos = 5
  const metricName = sub(field(metric, 1));
  assert.deepEqual([str(field(metricName, 1)), str(field(metricName, 2))], ['validation', 'epoch_loss']);
  assert.equal(num(field(metric, 5)), 2); // MetricInfo.dataset_type = 5, DATASET_VALIDATION = 2
  assert.equal(fields(experiment, 5).length, 1, 'score left out on request');
});

test('rewriting the experiment replaces the earlier one (TensorBoard would keep the first)', async (t) => {
  const dir = await tempDir(t);
  await writeHparamsExperiment(dir, SPACE.slice(0, 2), ['loss']);
  await new Promise((r) => setTimeout(r, 5));
  await writeHparamsExperiment(dir, SPACE, ['loss']);
  const files = (await readdir(dir)).filter((n) => n.includes('tfevents'));
  assert.equal(files.length, 1);
  assert.equal((await hparamsIn(dir)).experiment!.hparamInfos.length, SPACE.length);
});

test('TrialLogger writes each execution as a session of its trial: values, curves, score, status', async (t) => {
  const dir = await tempDir(t);
  const trials = [
    { id: '0000', hp: { activation: 'relu', units: 64, lr: 0.001, batchnorm: true }, status: 'COMPLETED' as const },
    { id: '0001', hp: { activation: 'tanh', units: 32, lr: 0.01, batchnorm: false }, status: 'FAILED' as const },
    { id: '0002', hp: { activation: 'elu', units: 96, lr: 0.003, batchnorm: false }, status: 'STOPPED' as const },
  ];
  await writeHparamsExperiment(dir, SPACE, ['loss', 'val_loss']);
  for (const [k, trial] of trials.entries()) {
    for (const execution of [0, 1]) {
      const logger = new TrialLogger(dir, trial.id, execution, trial.hp);
      // The session is visible as soon as the trial starts: values written, no end yet (running).
      const live = await hparamsIn(logger.sessionDir);
      assert.equal(live.sessionStartInfo?.groupName, trial.id);
      assert.equal(live.sessionEndInfo, undefined);
      const cb = logger.callback();
      for (let epoch = 0; epoch < 3; epoch++) {
        await cb.onEpochEnd(epoch, { loss: 1 / (epoch + 1 + k), val_loss: 1.5 / (epoch + 1 + k) });
      }
      await logger.end(trial.status, { score: 1.5 / (3 + k) + execution, step: 2 });
      await logger.end('COMPLETED'); // ignored: an execution ends once
    }
  }
  assert.deepEqual((await readdir(dir)).filter((n) => !n.includes('tfevents')).sort(), ['0000', '0001', '0002']);
  assert.deepEqual((await readdir(join(dir, '0001'))).sort(), ['execution0', 'execution1']);
  assert.deepEqual((await readdir(join(dir, '0001', 'execution1'))).filter((n) => !n.includes('tfevents')).sort(), ['train', 'validation']);

  const expectedStatus = { COMPLETED: 'STATUS_SUCCESS', FAILED: 'STATUS_FAILURE', STOPPED: 'STATUS_UNKNOWN' };
  for (const [k, trial] of trials.entries()) {
    for (const execution of [0, 1]) {
      const session = join(dir, trial.id, `execution${execution}`);
      const info = await hparamsIn(session);
      const values = Object.fromEntries(Object.entries(info.sessionStartInfo!.hparams).map(([n, v]) => [n, fromProtoValue(v)]));
      assert.deepEqual(values, trial.hp);
      assert.equal(info.sessionStartInfo!.groupName, trial.id, 'executions of a trial share its group');
      assert.equal(info.sessionEndInfo!.status, expectedStatus[trial.status]);
      const score = (await readEventRun(session)).flatMap((f) => f.events);
      assert.deepEqual(scalarsFromEvents(score).get('score')!.map((p) => [p.step, p.value]), [[2, Math.fround(1.5 / (3 + k) + execution)]]);
      const val = scalarsFromEvents((await readEventRun(join(session, 'validation'))).flatMap((f) => f.events));
      assert.deepEqual(val.get('epoch_loss')!.map((p) => p.value), [0, 1, 2].map((e) => Math.fround(1.5 / (e + 1 + k))));
    }
  }
});

test('TrialLogger refuses ids that are not a directory name and unknown statuses', async (t) => {
  const dir = await tempDir(t);
  assert.throws(() => new TrialLogger(dir, '../x', 0, {}), /trialId "..\/x" cannot name a directory/);
  assert.throws(() => new TrialLogger(dir, '01', -1, {}), /execution must be an integer >= 0/);
  const logger = new TrialLogger(dir, '01', 0, { a: 1 });
  await assert.rejects(logger.end('DONE' as never), /unknown trial status "DONE"; use COMPLETED, FAILED or STOPPED/);
  assert.throws(() => logger.callback(), /already ended/);
});
