import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { EventFileWriter } from '../../src/tensorboard/event-file-writer.js';
import { RunWriter } from '../../src/tensorboard/run-writer.js';
import { readEventFile } from '../../src/tensorboard/event-reader.js';
import { f64, field, fields, num, packedF32, parseWire, referenceCrc32c, referenceMask, splitRecords, str, sub } from './wire.js';

// Upstream field numbers (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto,
// tensor_shape.proto, types.proto), written here independently of src/tensorboard/protos.ts.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5, sourceMetadata: 10 };
const SUMMARY_VALUE = { tag: 1, simpleValue: 2, tensor: 8, metadata: 9 };
const METADATA = { pluginData: 1, dataClass: 4 };
const PLUGIN_DATA = { pluginName: 1, content: 2 };
const TENSOR = { dtype: 1, tensorShape: 2, floatVal: 5 };
const DT_FLOAT = 1;
const DATA_CLASS_SCALAR = 1;
const DATA_CLASS_TENSOR = 2;

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-format-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Splits the file by hand and checks both CRCs of every record; returns the decoded wire fields. */
async function recordsOf(path: string) {
  const bytes = await readFile(path);
  const raw = splitRecords(bytes);
  assert.equal(raw.reduce((n, r) => n + r.length + 16, 0), bytes.length, 'records tile the file exactly');
  for (const r of raw) {
    assert.equal(r.lengthCrc, referenceMask(referenceCrc32c(bytes.subarray(r.offset, r.offset + 8))), `length CRC at ${r.offset}`);
    assert.equal(r.dataCrc, referenceMask(referenceCrc32c(r.data)), `data CRC at ${r.offset}`);
  }
  return raw.map((r) => parseWire(r.data));
}

test('an event file is named for TensorBoard and starts with the brain.Event:2 version event', async (t) => {
  const dir = await tempDir(t);
  const before = Date.now() / 1000;
  const w = new EventFileWriter(join(dir, 'run'));
  w.close();
  assert.match(basename(w.path), /^events\.out\.tfevents\.\d{10}\.[A-Za-z0-9._-]+\.\d+\.\d+$/);
  assert.ok(basename(w.path).includes(`.${process.pid}.`));
  const [first, ...rest] = await recordsOf(w.path);
  assert.equal(rest.length, 0);
  assert.equal(str(field(first, EVENT.fileVersion)), 'brain.Event:2');
  assert.equal(field(first, EVENT.wallTime).wire, 1, 'wall_time is a double');
  const wall = f64(field(first, EVENT.wallTime));
  assert.ok(wall >= before - 1 && wall <= Date.now() / 1000 + 1, `wall_time ${wall} is now`);
  assert.equal(str(field(sub(field(first, EVENT.sourceMetadata)), 1)), 'tfjs-tuner');

  // Two writers in the same directory never share a file.
  const a = new EventFileWriter(dir);
  const b = new EventFileWriter(dir);
  a.close();
  b.close();
  assert.notEqual(a.path, b.path);
  assert.equal((await readdir(dir)).filter((n) => n.includes('tfevents')).length, 2);
});

test('scalars are rank-0 DT_FLOAT tensors for the scalars plugin, metadata on each tag\'s first value', async (t) => {
  const dir = await tempDir(t);
  const run = new RunWriter(dir);
  assert.equal(run.path, null, 'no file before the first write');
  run.scalars(0, { epoch_loss: 0.75, epoch_accuracy: 0.5 });
  run.scalars(1, { epoch_loss: 0.25, epoch_accuracy: 0.625 });
  const path = run.path!;
  run.close();

  const [version, e0, e1] = await recordsOf(path);
  assert.equal(str(field(version, EVENT.fileVersion)), 'brain.Event:2');
  assert.equal(fields(e0, EVENT.step).length, 0, 'step 0 is the proto3 default, not written');
  assert.equal(num(field(e1, EVENT.step)), 1);

  const values0 = fields(sub(field(e0, EVENT.summary)), 1).map(sub);
  assert.deepEqual(values0.map((v) => str(field(v, SUMMARY_VALUE.tag))), ['epoch_loss', 'epoch_accuracy']);
  for (const [v, expected] of [[values0[0], 0.75], [values0[1], 0.5]] as const) {
    const tensor = sub(field(v, SUMMARY_VALUE.tensor));
    assert.equal(num(field(tensor, TENSOR.dtype)), DT_FLOAT);
    assert.equal(field(tensor, TENSOR.tensorShape).bytes!.length, 0, 'shape {} = rank 0');
    assert.deepEqual(packedF32(field(tensor, TENSOR.floatVal)), [expected]);
    const md = sub(field(v, SUMMARY_VALUE.metadata));
    assert.equal(num(field(md, METADATA.dataClass)), DATA_CLASS_SCALAR);
    assert.equal(str(field(sub(field(md, METADATA.pluginData)), PLUGIN_DATA.pluginName)), 'scalars');
  }
  const values1 = fields(sub(field(e1, EVENT.summary)), 1).map(sub);
  assert.deepEqual(values1.map((v) => packedF32(field(sub(field(v, SUMMARY_VALUE.tensor)), TENSOR.floatVal))[0]), [0.25, 0.625]);
  assert.ok(values1.every((v) => fields(v, SUMMARY_VALUE.metadata).length === 0), 'metadata only once per tag');

  // Our reader agrees with the hand decoding.
  const { events, problem } = await readEventFile(path);
  assert.equal(problem, undefined);
  assert.deepEqual(events.map((e) => [e.what, e.step]), [['fileVersion', 0], ['summary', 0], ['summary', 1]]);
});

test('plugin summaries carry their content in metadata and the length-0 float tensor', async (t) => {
  const dir = await tempDir(t);
  const run = new RunWriter(dir);
  run.pluginSummary('_hparams_/x', 'hparams', Buffer.from([8, 1]));
  const path = run.path!;
  run.close();
  const [, event] = await recordsOf(path);
  const value = sub(field(sub(field(event, EVENT.summary)), 1));
  assert.equal(str(field(value, SUMMARY_VALUE.tag)), '_hparams_/x');
  const md = sub(field(value, SUMMARY_VALUE.metadata));
  assert.equal(num(field(md, METADATA.dataClass)), DATA_CLASS_TENSOR);
  const pd = sub(field(md, METADATA.pluginData));
  assert.equal(str(field(pd, PLUGIN_DATA.pluginName)), 'hparams');
  assert.deepEqual([...field(pd, PLUGIN_DATA.content).bytes!], [8, 1]);
  const tensor = sub(field(value, SUMMARY_VALUE.tensor));
  assert.equal(num(field(tensor, TENSOR.dtype)), DT_FLOAT);
  const dims = fields(sub(field(tensor, TENSOR.tensorShape)), 2).map(sub);
  assert.equal(dims.length, 1);
  assert.equal(fields(dims[0], 1).length, 0, 'dim size 0 (proto3 default, not written)');
  assert.equal(fields(tensor, TENSOR.floatVal).length, 0);
});

test('a scalar that is not a number is refused by name', async (t) => {
  const dir = await tempDir(t);
  const run = new RunWriter(dir);
  assert.throws(() => run.scalars(0, { epoch_loss: 'low' as unknown as number }), /scalar "epoch_loss" must be a number/);
  assert.equal(run.path, null, 'nothing was opened for the refused write');
  run.close();
});
