/**
 * Bad input and recovery through the real CLI (issue 15): each mistake fails once, before the first
 * trial, on stderr, naming the file or flag and the fix in the CLI's own flags; --json answers with an
 * error object; exit code 1 for every error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'fixtures');
// Permission checks mean nothing to root: run those commands as "nobody" then.
const asRoot = process.getuid?.() === 0;

const cli = (args: string[], opts: { user?: 'nobody' } = {}) =>
  runCli(args, { env: { HOME: tmpdir() }, ...(opts.user && asRoot ? { uid: 65534, gid: 65534 } : {}) });

const work = mkdtempSync(path.join(tmpdir(), 'tfjs-tuner-errors-'));
chmodSync(work, 0o777);
test.after(() => rmSync(work, { recursive: true, force: true }));

/** A small class-per-folder copy of the fixtures: `n` images of each class. */
function smallFolder(name: string, classes: string[], n: number, from = 'toonvision/train'): string {
  const dir = path.join(work, name);
  for (const c of classes) {
    mkdirSync(path.join(dir, c), { recursive: true });
    const src = path.join(fixtures, from, c);
    for (const f of readdirSync(src).sort().slice(0, n)) copyFileSync(path.join(src, f), path.join(dir, c, f));
  }
  return dir;
}

const base = (train: string, name: string) => ['tune', '--train', train, '--validation-split', '0.5', '--tuner', 'random',
  '--max-trials', '1', '--epochs', '1', '--image-size', '8x8', '--directory', work, '--project-name', name];

test('a corrupt, a truncated and an empty image fail once, before any trial, naming the file and --on-error skip', () => {
  const train = smallFolder('corrupt', ['bossbot', 'cashbot'], 4);
  const good = readFileSync(path.join(train, 'bossbot', readdirSync(path.join(train, 'bossbot'))[0]));
  writeFileSync(path.join(train, 'bossbot', 'a-empty.png'), '');
  writeFileSync(path.join(train, 'cashbot', 'b-truncated.png'), good.subarray(0, 200));
  const r = cli([...base(train, 'corrupt'), '--json']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /a-empty\.png" is empty \(0 bytes\)/);
  assert.match(r.stderr, /--on-error skip/);
  assert.doesNotMatch(r.stderr, /onError/);
  assert.match(r.stderr, /and 1 more unreadable file\(s\): .*b-truncated\.png/);
  assert.doesNotMatch(r.stdout + r.stderr, /Trial \d|Search:/, 'no trial ran');
  assert.equal(r.json.error.name, 'UsageError');
  assert.match(r.json.error.file, /a-empty\.png$/);
  assert.match(r.json.error.message, /is empty/);
});

test('a file without read permission is reported as such, not as corrupt', { skip: process.platform === 'win32' }, () => {
  const train = smallFolder('noperm', ['bossbot', 'cashbot'], 3);
  const f = path.join(train, 'cashbot', readdirSync(path.join(train, 'cashbot'))[0]);
  chmodSync(f, 0o000);
  const r = cli(base(train, 'noperm-project'), { user: 'nobody' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /permission denied \(the file is not corrupt\)/);
  assert.match(r.stderr, /chmod a\+r/);
  assert.doesNotMatch(r.stderr, /corrupt, truncated/);
});

test('a --directory that cannot be written says so, with the flag', () => {
  const locked = path.join(work, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  const train = smallFolder('two', ['bossbot', 'cashbot'], 3);
  const r = cli([...base(train, 'x'), '--directory', path.join(locked, 'runs')], { user: 'nobody' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--directory .*runs: cannot create .*\(permission denied\); choose another --directory/);
  const r2 = cli([...base(train, 'x'), '--directory', locked], { user: 'nobody' });
  assert.equal(r2.code, 1, r2.stderr);
  assert.match(r2.stderr, /cannot write in .*locked \(permission denied\)/);
});

test('one class, a misspelt objective, a bad --space key and a huge --image-size fail before training', () => {
  const one = smallFolder('one', ['bossbot'], 3);
  let r = cli(base(one, 'one'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /has 1 class folder \(bossbot\): classification needs at least two/);

  const train = smallFolder('two', ['bossbot', 'cashbot'], 3);
  r = cli([...base(train, 'obj'), '--objective', 'val_acuracy']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--objective val_acuracy: .*Did you mean "val_accuracy"\?/);

  r = cli([...base(train, 'space'), '--space', '{"filterz":{"max":8}}']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--space: .*unknown key "filterz"/);
  r = cli([...base(train, 'space'), '--space', '{"num_blocks":{"min":3,"max":1}}']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--space: .*num_blocks/);

  r = cli([...base(train, 'huge'), '--image-size', '100000x100000']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--image-size 100000x100000 is too large: .* GB\. Use at most 4096x4096/);
  assert.doesNotMatch(r.stderr, /allocation failed/);
});

test('bad command lines exit 1 as the README says; --json answers with an error object', () => {
  const train = smallFolder('two', ['bossbot', 'cashbot'], 3);
  let r = cli([...base(train, 'x'), '--tuner', 'nope', '--json']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--tuner.*nope/);
  assert.equal(r.json.error.name, 'UsageError');
  r = cli(['tune', '--train', train, '--frobnicate']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /unknown option '--frobnicate'/);
  r = cli(['summary', '--directory', work, '--project-name', 'never', '--json']);
  assert.equal(r.code, 1);
  assert.match(r.json.error.message, /No search project/);
});

test('--help prints defaults readably and lists the image flags', () => {
  const r = cli(['tune', '--help']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.replace(/\s+/g, ' ');
  assert.match(text, /HEIGHTxWIDTH \(default: 64x64\)/);
  assert.doesNotMatch(text, /default: \{\}|default: \[64,64\]/);
  for (const cmd of ['tune', 'evaluate', 'predict']) {
    const h = cli([cmd, '--help']).stdout.replace(/\s+/g, ' ');
    assert.match(h, /--on-error <policy>/);
    assert.match(h, /--max-image-pixels <n>/);
    if (cmd !== 'predict') assert.match(h, /--classes <a,b,c>/);
  }
});

test('after one small search: resuming with another --image-size, evaluate on a project folder with a subset of classes, predict past an unreadable file', () => {
  const train = smallFolder('suits', ['bossbot', 'cashbot', 'lawbot'], 6);
  const t = cli([...base(train, 'small'), '--space', '{"num_blocks":{"fixed":1},"filters":{"fixed":4},"pool_size":{"fixed":1}}', '--json']);
  assert.equal(t.code, 0, t.stderr);

  const resumed = cli([...base(train, 'small').map((a) => (a === '8x8' ? '12x12' : a))]);
  assert.equal(resumed.code, 1, resumed.stderr);
  assert.match(resumed.stderr, /was started with other settings: --image-size 8x8 \(now --image-size 12x12\)\. Run it with --image-size 8x8 to resume it, add --overwrite/);

  // a test folder with two of the three classes, scored under the model's names
  const test2 = smallFolder('test-subset', ['lawbot', 'cashbot'], 3, 'toonvision/test');
  const e = cli(['evaluate', '--model', path.join(work, 'small'), '--test', test2, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(e.json.classNames, ['bossbot', 'cashbot', 'lawbot']);
  assert.equal(e.json.perClass.bossbot.support, 0);
  assert.equal(e.json.perClass.cashbot.support, 3);
  assert.equal(e.json.perClass.lawbot.support, 3);
  // a class the model does not know: refused, naming --classes for the others
  const odd = smallFolder('test-odd', ['cashbot', 'sellbot'], 2, 'toonvision/test');
  const bad = cli(['evaluate', '--model', path.join(work, 'small'), '--test', odd]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /class folder\(s\) the model does not know: sellbot .*--classes cashbot/);
  const ok = cli(['evaluate', '--model', path.join(work, 'small'), '--test', odd, '--classes', 'cashbot', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.perClass.cashbot.support, 2);

  // predict: the unreadable file is reported, the others predicted, exit code 1
  writeFileSync(path.join(test2, 'lawbot', 'broken.png'), 'not an image');
  const p = cli(['predict', '--model', path.join(work, 'small'), path.join(test2, 'lawbot'), '--json']);
  assert.equal(p.code, 1, p.stderr);
  assert.match(p.stderr, /no prediction for .*broken\.png: Cannot decode image/);
  assert.equal(p.json.length, 4);
  assert.equal(p.json.filter((x: any) => x.error).length, 1);
  assert.equal(p.json.filter((x: any) => x.predicted).length, 3);
});

test('Keras spellings and typos in ImageDataGenerator and flowFromDirectory options are rejected, naming the camelCase key', async () => {
  const { ImageDataGenerator } = await import('../../src/data/image-data-generator.js');
  assert.throws(() => new ImageDataGenerator({ rotation_range: 15 } as never), /unknown option "rotation_range"\. "rotation_range" is the Keras \(Python\) spelling: write rotationRange\./);
  assert.throws(() => new ImageDataGenerator({ horizontalFlp: true } as never), /unknown option "horizontalFlp"\. Did you mean "horizontalFlip"\?/);
  const dir = smallFolder('keys', ['bossbot', 'cashbot'], 1);
  assert.throws(() => new ImageDataGenerator().flowFromDirectory(dir, { target_size: [8, 8] } as never), /flowFromDirectory\(\): unknown option "target_size".*write targetSize/);
});

test('evaluateModel without class names uses the iterator\'s, and maps a subset of classes by name', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { evaluateModel } = await import('../../src/evaluation/evaluate-model.js');
  // A "model" that always answers class 2 of 3.
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 0 }) })] });
  (model.layers[1] as any).setWeights([tf.zeros([1, 3]), tf.tensor1d([0, 0, 5])]);
  const images = (classNames: string[] | undefined, classes: number[]) => ({
    classes, filepaths: classes.map((_, i) => `f${i}.png`), ...(classNames ? { classNames } : {}),
    async *[Symbol.asyncIterator]() { yield { xs: tf.zeros([classes.length, 1, 1, 1]) }; },
  });
  const own = await evaluateModel(model, images(['a', 'b', 'c'], [2, 2, 0]));
  assert.equal(own.report.accuracy, 2 / 3);
  await assert.rejects(evaluateModel(model, images(undefined, [0])), /carry no class names, so pass the model's/);
  // the folder holds classes b and c only (its indices 0, 1): c is the model's class 2
  const subset = await evaluateModel(model, images(['b', 'c'], [1, 1]), ['a', 'b', 'c']);
  assert.equal(subset.report.accuracy, 1);
  await assert.rejects(evaluateModel(model, images(['c', 'z'], [0]), ['a', 'b', 'c']), /class\(es\) the model does not know: "z"/);
  await assert.rejects(evaluateModel(model, images(['a', 'b'], [0]), ['a', 'b', 'c', 'd']), /3 output unit\(s\) but 4 class names/);
  model.dispose();
});

test('--overwrite refuses to delete a folder that is not a project, and a project a live process is searching in', async () => {
  const { spawn } = await import('node:child_process');
  const { hostname } = await import('node:os');
  const { existsSync } = await import('node:fs');
  const train = smallFolder('two', ['bossbot', 'cashbot'], 3);
  const theirs = path.join(work, 'thesis');
  mkdirSync(path.join(theirs, 'sub'), { recursive: true });
  writeFileSync(path.join(theirs, 'keep.txt'), 'mine');
  writeFileSync(path.join(theirs, 'sub', 'thesis.docx'), 'mine too');
  let r = cli([...base(train, 'thesis'), '--overwrite']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /--overwrite: .*thesis is not a tfjs-tuner project \(no oracle\.json; it holds keep\.txt, sub\), so it is not deleted\. Use another --project-name/);
  assert.ok(existsSync(path.join(theirs, 'keep.txt')) && existsSync(path.join(theirs, 'sub', 'thesis.docx')));

  // a project whose serial tuner marker names a live process (here a sleeping child)
  const busy = path.join(work, 'busy');
  mkdirSync(busy, { recursive: true });
  const child = spawn('sleep', ['60']);
  try {
    writeFileSync(path.join(busy, 'oracle.json'), JSON.stringify({ format: 'tfjs-tuner/oracle@1', settings: {}, initialSpace: [], state: { ongoing: {} } }));
    writeFileSync(path.join(busy, 'tuner0.json'), JSON.stringify({ host: hostname(), pid: child.pid }));
    r = cli([...base(train, 'busy'), '--overwrite']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`a search in process ${child.pid} is still running in .*busy, so it is not deleted`));
    assert.ok(existsSync(path.join(busy, 'oracle.json')));
  } finally {
    child.kill();
  }
});
