import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../src/tuners/project-lock.js';

test('withFileLock: the lock file names its holder while held and leaves nothing behind', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'tuner-lock-'));
  try {
    const lock = join(dir, '.lock');
    const seen = await withFileLock(lock, () => fs.readFile(lock, 'utf8'));
    assert.match(seen, new RegExp(`^${hostname()} ${process.pid} \\d+$`));
    assert.deepEqual(await fs.readdir(dir), []);
    // turns are taken: the second holder starts after the first ends
    const order: string[] = [];
    await Promise.all([1, 2].map((i) => withFileLock(lock, async () => {
      order.push(`start ${i}`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`end ${i}`);
    })));
    assert.deepEqual(order.map((s) => s.split(' ')[0]), ['start', 'end', 'start', 'end']);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('withFileLock takes over a lock whose holder died on this host, at once', async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'tuner-lock-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = join(dir, '.lock');
    await fs.writeFile(lock, `${hostname()} ${Number(dead.stdout)} 0`);
    const t0 = Date.now();
    assert.equal(await withFileLock(lock, async () => 'mine', { timeoutMs: 5_000 }), 'mine');
    assert.ok(Date.now() - t0 < 2_000);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
