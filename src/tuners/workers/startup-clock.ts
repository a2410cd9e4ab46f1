/**
 * A worker's start-up, phase by phase: wall seconds from its spawn (a worker's performance.timeOrigin is
 * the process's, so times are absolute: timeOrigin + now()) and the thread's own CPU seconds. The
 * eval'd bootstrap records the first phases (thread, tfjs, tsx) under BOOT_MARKS before this module loads.
 */
import { threadCpuSeconds } from '../../util/thread-cpu.js';
import type { SlotStartup, StartupPhase } from '../executors/executor.js';

/** Where the bootstrap leaves its marks: { name, at: timeOrigin + now() in ms, cpu: thread CPU seconds }. */
export const BOOT_MARKS = Symbol.for('tfjs-tuner.worker-boot-marks');

export class StartupClock {
  private readonly phases: StartupPhase[] = [];
  private seconds = 0;
  private cpu: number | undefined = 0;

  /** `spawnedAt`: timeOrigin + now() in ms when the worker was spawned (default: now). */
  constructor(private readonly spawnedAt = performance.timeOrigin + performance.now()) {
    const boot = (globalThis as Record<symbol, Array<{ name: string; at: number; cpu?: number }> | undefined>)[BOOT_MARKS] ?? [];
    for (const m of boot) this.add(m.name, (m.at - spawnedAt) / 1000, m.cpu);
  }

  /** Ends the phase `name` now. */
  mark(name: string): void {
    this.add(name, (performance.timeOrigin + performance.now() - this.spawnedAt) / 1000, threadCpuSeconds());
  }

  private add(name: string, seconds: number, cpu: number | undefined): void {
    const cpuSeconds = cpu !== undefined && this.cpu !== undefined ? +(cpu - this.cpu).toFixed(2) : undefined;
    this.phases.push({ name, seconds: +(seconds - this.seconds).toFixed(3), ...(cpuSeconds !== undefined ? { cpuSeconds } : {}) });
    this.seconds = seconds;
    this.cpu = cpu;
  }

  report(): SlotStartup {
    return { phases: this.phases, seconds: +this.seconds.toFixed(3), ...(this.cpu !== undefined ? { cpuSeconds: +this.cpu.toFixed(2) } : {}) };
  }
}
