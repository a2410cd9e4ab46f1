#!/usr/bin/env node
// CI: the packed tarball installed into a scratch project that has its own @tensorflow/tfjs must give ONE
// tfjs engine (tfjs is a peer dependency, as for tfjs plugins): tfjs-tuner resolves the project's
// tfjs-core, and importing both prints no "kernel ... already registered" warnings. Needs the npm registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'tfjs-tuner-pack-'));
const fail = (m) => { console.error(`pack-check: ${m}`); process.exitCode = 1; };
try {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = join(scratch, packed[0].filename);
  const tfVersion = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json").peerDependencies)'], { cwd: root, encoding: 'utf8' }))['@tensorflow/tfjs'];
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({
    name: 'scratch', private: true, type: 'module', dependencies: { '@tensorflow/tfjs': tfVersion, 'tfjs-tuner': `file:${tarball}` },
  }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts=false'], { cwd: scratch, stdio: 'inherit' });
  writeFileSync(join(scratch, 'check.mjs'), `
    import { createRequire } from 'node:module';
    import * as tf from '@tensorflow/tfjs';
    import { initBackend } from 'tfjs-tuner';
    const mine = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core');
    const theirs = createRequire(import.meta.resolve('tfjs-tuner')).resolve('@tensorflow/tfjs-core');
    await initBackend('cpu');
    console.log(JSON.stringify({ mine, theirs, backend: tf.getBackend() }));
  `);
  const r = spawnSync(process.execPath, ['check.mjs'], { cwd: scratch, encoding: 'utf8' });
  if (r.status !== 0) fail(`importing the installed package failed:\n${r.stderr}`);
  else {
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    const warnings = (r.stdout + r.stderr).match(/already registered/g)?.length ?? 0;
    if (out.mine !== out.theirs) fail(`two tfjs engines: the project's ${out.mine} and tfjs-tuner's ${out.theirs}`);
    if (warnings) fail(`${warnings} "already registered" warnings:\n${r.stderr.slice(0, 2000)}`);
    if (out.mine === out.theirs && !warnings) console.log(`pack-check: one tfjs engine (${out.mine}), no registration warnings; backend ${out.backend}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
