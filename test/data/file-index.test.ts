import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { compareCodePoints, indexDirectory, splitPerClass } from '../../src/data/file-index.js';
import { DataConfigError } from '../../src/data/errors.js';
import { removeDir, tempDir, writeImage } from './helpers.js';

const tiny = { width: 4, height: 4, fill: 100 } as const;

test('classes are sorted by code point, hidden entries skipped, extensions matched case-insensitively, nested folders included', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  for (const f of ['b/x.png', 'B/y.JPG', '10/a.jpeg', '2/a.PNG', 'b/sub/deep/z.webp', 'b/sub/w.gif', 'b/aa.tif', 'b/ab.TIFF', 'b/ac.bmp']) {
    await writeImage(path.join(root, f), tiny);
  }
  await writeFile(path.join(root, 'b', 'notes.txt'), 'not an image');
  await writeFile(path.join(root, 'b', 'noext'), 'x');
  await writeImage(path.join(root, 'b', '.hidden.png'), tiny);
  await writeImage(path.join(root, '.ipynb_checkpoints', 'c.png'), tiny);
  await writeImage(path.join(root, 'loose.png'), tiny); // files directly in the root are ignored
  const idx = indexDirectory(root);
  assert.deepEqual(idx.classNames, ['10', '2', 'B', 'b']);
  assert.deepEqual(
    idx.files.map((f) => [f.filename, f.label]),
    [
      ['10/a.jpeg', 0],
      ['2/a.PNG', 1],
      ['B/y.JPG', 2],
      ['b/aa.tif', 3],
      ['b/ab.TIFF', 3],
      ['b/ac.bmp', 3],
      ['b/x.png', 3],
      ['b/sub/w.gif', 3],
      ['b/sub/deep/z.webp', 3],
    ],
  );
  assert.equal(idx.files[0].filepath, path.join(root, '10', 'a.jpeg'));
  assert.ok(idx.files.every((f) => f.size > 0 && f.mtimeMs > 0));
});

test('compareCodePoints orders like Python sorted()', () => {
  assert.deepEqual(['b', 'a', 'B', '10', '2', 'é', 'z'].sort(compareCodePoints), ['10', '2', 'B', 'a', 'b', 'z', 'é']);
});

test('explicit classes set the label order', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  for (const f of ['cat/1.png', 'dog/1.png', 'fox/1.png']) await writeImage(path.join(root, f), tiny);
  const idx = indexDirectory(root, { classes: ['dog', 'cat'] });
  assert.deepEqual(idx.classNames, ['dog', 'cat']);
  assert.deepEqual(idx.files.map((f) => [f.filename, f.label]), [['dog/1.png', 0], ['cat/1.png', 1]]);
});

test('bad folders give errors that name the path and the fix', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  const missing = path.join(root, 'nope');
  assert.throws(() => indexDirectory(missing), (e: Error) => e instanceof DataConfigError && e.message.includes(missing) && /does not exist/.test(e.message));
  await writeImage(path.join(root, 'flat', 'a.png'), tiny);
  const flat = path.join(root, 'flat');
  assert.throws(() => indexDirectory(flat), (e: Error) => e.message.includes(flat) && /no class subfolders/.test(e.message) && /one subfolder per class/.test(e.message) && /1 image/.test(e.message));
  assert.throws(() => indexDirectory(path.join(flat, 'a.png')), /is a file, not a folder/);
  const withEmpty = path.join(root, 'withEmpty');
  await writeImage(path.join(withEmpty, 'full', 'a.png'), tiny);
  await mkdir(path.join(withEmpty, 'empty'));
  await writeFile(path.join(withEmpty, 'empty', 'readme.txt'), 'x');
  assert.throws(() => indexDirectory(withEmpty), (e: Error) => e.message.includes(path.join(withEmpty, 'empty')) && /contains no images/.test(e.message));
  assert.throws(
    () => indexDirectory(withEmpty, { classes: ['full', 'zebra'] }),
    (e: Error) => e.message.includes(path.join(withEmpty, 'zebra')) && /does not exist/.test(e.message) && /"empty", "full"/.test(e.message),
  );
  assert.throws(() => indexDirectory(withEmpty, { classes: ['full', 'full'] }), /twice/);
});

test('symlinks: followLinks enters linked folders once, and a link loop does not hang', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  const outside = path.join(root, 'outside');
  await writeImage(path.join(outside, 'o.png'), tiny);
  const data = path.join(root, 'data');
  await writeImage(path.join(data, 'a', 'x.png'), tiny);
  await symlink(outside, path.join(data, 'a', 'linked'));
  await symlink(path.join(data, 'a'), path.join(data, 'a', 'loop')); // a -> a
  await writeImage(path.join(outside, 'file.png'), tiny);
  await symlink(path.join(outside, 'file.png'), path.join(data, 'a', 'filelink.png'));
  const plain = indexDirectory(data);
  assert.deepEqual(plain.files.map((f) => f.filename), ['a/filelink.png', 'a/x.png']);
  const followed = indexDirectory(data, { followLinks: true });
  assert.deepEqual(followed.files.map((f) => f.filename), ['a/filelink.png', 'a/x.png', 'a/linked/file.png', 'a/linked/o.png']);
});

test('the validation split is per class, the first floor(v*n) files, and deterministic', async (t) => {
  const root = await tempDir();
  t.after(() => removeDir(root));
  for (let i = 0; i < 5; i++) await writeImage(path.join(root, 'a', `${i}.png`), tiny);
  for (let i = 0; i < 10; i++) await writeImage(path.join(root, 'b', `${i}.png`), tiny);
  const idx = indexDirectory(root);
  const val = splitPerClass(idx, 0.3, 'validation');
  const train = splitPerClass(idx, 0.3, 'training');
  assert.deepEqual(val.files.map((f) => f.filename), ['a/0.png', 'b/0.png', 'b/1.png', 'b/2.png']);
  assert.equal(train.files.length, 11);
  assert.ok(!train.files.some((f) => val.files.some((v) => v.filepath === f.filepath)));
  assert.deepEqual(splitPerClass(indexDirectory(root), 0.3, 'validation').files, val.files);
});
