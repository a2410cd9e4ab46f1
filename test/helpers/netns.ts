/**
 * Simulated machines for multi-host tests: each "host" is a network namespace joined to this one by a
 * veth pair, with its own address; `cut()` takes the link down (packets stop, connections hang as on a
 * real network failure) and `restore()` brings it back. Needs root and iproute2; `namespacesUnavailable()`
 * says why not, so a test can skip with that message.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface NetHost {
  /** The namespace name (ip netns exec NAME ...). */
  ns: string;
  /** This host's address inside its namespace. */
  address: string;
  /** The address of this (the "server's") side of its link: what the host connects to. */
  serverAddress: string;
  /** Takes the link down / up. */
  cut(): void;
  restore(): void;
  /** Spawns a command inside the host's namespace. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
}

export interface NetHosts {
  hosts: NetHost[];
  /** The subnet every host's link is in (for pg_hba.conf). */
  subnet: string;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Why network namespaces cannot be made here, or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `tt-probe-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.error) return `iproute2 is not installed (${r.error.message}): apt-get install -y iproute2`;
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

/** Makes `count` hosts; call destroy() after (from `after`, so a failed test cleans up too). */
export function makeHosts(count: number): NetHosts {
  // per-process names and subnet, so parallel test files never collide (interface names: 15 chars at most)
  const tag = process.pid % 100_000;
  const octet = 100 + (process.pid % 100);
  const made: string[] = [];
  const hosts: NetHost[] = [];
  const destroy = () => {
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]); // deleting the namespace removes its veth pair
    made.length = 0;
  };
  try {
    for (let i = 0; i < count; i++) {
      const ns = `tt${tag}h${i}`;
      const outer = `tt${tag}a${i}`;
      const inner = `tt${tag}b${i}`;
      const serverAddress = `10.${octet}.${i}.1`;
      const address = `10.${octet}.${i}.2`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
      ip('link', 'set', inner, 'netns', ns);
      ip('addr', 'add', `${serverAddress}/24`, 'dev', outer);
      ip('link', 'set', outer, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', inner);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      hosts.push({
        ns, address, serverAddress,
        cut: () => ip('link', 'set', outer, 'down'),
        restore: () => ip('link', 'set', outer, 'up'),
        spawn: (cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], opts),
      });
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { hosts, subnet: `10.${octet}.0.0/16`, destroy };
}
