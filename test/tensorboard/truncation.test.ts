import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrialLogger } from '../../src/tensorboard/trial-logger.js';
import { hparamsFromEvents, readEventFile, readEventRun, scalarsFromEvents } from '../../src/tensorboard/event-reader.js';
import { splitRecords } from './wire.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-trunc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a file whose last record is cut short yields every earlier epoch and reports the truncation', async (t) => {
  const dir = await tempDir(t);
  const logger = new TrialLogger(dir, '07', 0, { units: 8 });
  const cb = logger.callback();
  const losses = [0.9, 0.7, 0.5, 0.4];
  for (const [epoch, loss] of losses.entries()) await cb.onEpochEnd(epoch, { loss });
  const trainPath = cb.eventFiles.train!;
  await logger.end('COMPLETED');

  const whole = await readFile(trainPath);
  const records = splitRecords(whole);
  assert.equal(records.length, 1 + losses.length);
  const last = records[records.length - 1];
  for (const cut of [last.offset + 5, last.offset + 12 + 3, whole.length - 1]) {
    await writeFile(trainPath, whole.subarray(0, cut)); // as left by a writer killed mid-record
    const { events, problem } = await readEventFile(trainPath);
    assert.equal(events.length, losses.length, `version + ${losses.length - 1} epochs survive a cut at byte ${cut}`);
    assert.deepEqual(scalarsFromEvents(events).get('epoch_loss')!.map((p) => [p.step, p.value]),
      losses.slice(0, -1).map((l, i) => [i, Math.fround(l)]));
    assert.equal(problem?.kind, 'truncated');
    assert.equal(problem?.offset, last.offset);
    assert.ok(problem?.message.startsWith(trainPath), 'the problem names the file');
  }
});

test('a trial killed mid-search leaves readable files ending at a record boundary, its session still running', async (t) => {
  const dir = await tempDir(t);
  const api = pathToFileURL(resolve('src/tensorboard/trial-logger.ts')).href;
  const script = `
    const { TrialLogger } = await import(${JSON.stringify(api)});
    const logger = new TrialLogger(${JSON.stringify(dir)}, '0003', 1, { lr: 0.01, activation: 'relu' });
    const cb = logger.callback();
    for (let epoch = 0; epoch < 3; epoch++) await cb.onEpochEnd(epoch, { loss: 1 - epoch / 10, val_loss: 2 - epoch / 10 });
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', `child should die by SIGKILL: ${child.stderr}`);

  const session = join(dir, '0003', 'execution1');
  const info = hparamsFromEvents((await readEventRun(session)).flatMap((f) => f.events));
  assert.equal(info.sessionStartInfo?.groupName, '0003');
  assert.equal(info.sessionEndInfo, undefined, 'no end record: TensorBoard shows the session as running');
  for (const [run, base] of [['train', 1], ['validation', 2]] as const) {
    const files = await readEventRun(join(session, run));
    assert.equal(files.length, 1);
    assert.equal(files[0].problem, undefined, `${run}: ends on a record boundary`);
    const points = scalarsFromEvents(files[0].events).get('epoch_loss')!;
    assert.deepEqual(points.map((p) => [p.step, p.value]), [0, 1, 2].map((e) => [e, Math.fround(base - e / 10)]));
  }
  assert.deepEqual((await readdir(session)).filter((n) => !n.includes('tfevents')).sort(), ['train', 'validation']);
});
