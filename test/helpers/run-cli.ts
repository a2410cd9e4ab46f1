/** Runs the real CLI (src/cli/run.ts through tsx) in a child process: exit code, stdout, stderr, and the --json result (the last stdout line). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number; uid?: number; gid?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/run.ts'), ...args], {
    cwd: opts.cwd ?? repoRoot, encoding: 'utf8', timeout: opts.timeout ?? 240_000,
    env: { ...process.env, TFJS_TUNER_BACKEND: 'wasm', ...opts.env },
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  const lines = r.stdout.trim().split('\n');
  let json: any;
  try {
    json = JSON.parse(lines[lines.length - 1]);
  } catch {
    json = undefined;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}
