/**
 * CPU seconds the calling thread has used (Linux: /proc/thread-self/stat, 10-ms ticks); undefined
 * elsewhere. process.cpuUsage() counts every thread of the process, so it cannot tell one worker's
 * start-up from another's.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export function threadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
