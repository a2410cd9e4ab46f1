/** Runs the real CLI (src/cli/run.ts through tsx) in a child process: exit code, stdout, stderr, and the --json result (the last stdout line). */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** tsx by its resolved URL, so that the CLI also starts from a folder outside the repository (cwd). */
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number; uid?: number; gid?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, ['--import', TSX, path.join(repoRoot, 'src/cli/run.ts'), ...args], {
    cwd: opts.cwd ?? repoRoot, encoding: 'utf8', timeout: opts.timeout ?? 240_000,
    env: { ...process.env, TFJS_TUNER_BACKEND: 'wasm', ...opts.env },
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: lastJson(r.stdout) };
}

/** Starts the CLI without waiting (two processes on one search): `done` resolves like runCli's result. */
export function startCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { pid: number; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', TSX, path.join(repoRoot, 'src/cli/run.ts'), ...args], {
    cwd: opts.cwd ?? repoRoot, env: { ...process.env, TFJS_TUNER_BACKEND: 'wasm', ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, json: lastJson(stdout) })));
  return { pid: child.pid!, done };
}

function lastJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return undefined;
  }
}
