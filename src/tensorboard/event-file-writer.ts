/**
 * One TensorBoard event file: TFRecord-framed `Event` protobufs, named the way TensorBoard looks for
 * them (`events.out.tfevents.<secs>.<host>.<pid>.<thread>.<n>`), starting with the `brain.Event:2` version event.
 *
 * Every record goes to the OS in a single synchronous write, so nothing sits in a process buffer: a
 * running search can be watched live, and a crash leaves the file ending at a record boundary, or with
 * one partial last record that readers (ours and TensorBoard's) detect and skip.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { join } from 'node:path';
import { EventMessage, encodeMessage } from './protos.js';
import { frameRecord } from './record.js';

export const FILE_VERSION = 'brain.Event:2';
export const SOURCE_WRITER = 'tfjs-tuner';

/** An `Event` as a plain object (camelCase protobufjs names); `wallTime` defaults to now. */
export interface EventInit {
  wallTime?: number;
  step?: number;
  fileVersion?: string;
  summary?: { value: Record<string, unknown>[] };
  sourceMetadata?: { writer: string };
}

let fileCounter = 0;

/** Seconds since the epoch, as TensorBoard's `wall_time` wants them. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

export class EventFileWriter {
  /** Full path of the file being written. */
  readonly path: string;
  private fd: number | null;

  /** Creates `dir` if needed and a new event file in it (never appends to another writer's file). */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
    // pid and thread: trial workers of one process write event files into the same folders
    const name = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${host}.${process.pid}.${threadId}.${fileCounter++}`;
    this.path = join(dir, name);
    try {
      this.fd = openSync(this.path, 'wx');
    } catch (err) {
      throw new Error(`tensorboard: cannot create event file ${this.path}: ${(err as Error).message}. ` +
        'Check that the log directory is writable.');
    }
    this.write({ fileVersion: FILE_VERSION, sourceMetadata: { writer: SOURCE_WRITER } });
  }

  get closed(): boolean {
    return this.fd === null;
  }

  /** Encodes and appends one event as one record, in one write call. */
  write(event: EventInit): void {
    if (this.fd === null) throw new Error(`tensorboard: event file ${this.path} is already closed`);
    const record = frameRecord(encodeMessage(EventMessage, { wallTime: nowSeconds(), step: 0, ...event }));
    let done = writeSync(this.fd, record);
    // Regular files take the whole buffer in one call; keep going only if the OS ever says otherwise.
    while (done < record.length) done += writeSync(this.fd, record, done);
  }

  /**
   * Nothing is buffered in this process (each record is written as it comes), so flushing has no work
   * to do; kept so callers can state where data must be visible. fsync is deliberately not called.
   */
  flush(): void {}

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
