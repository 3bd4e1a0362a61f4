/**
 * Processes under test: spawned pinned to core 0 (`taskset -c 0`), ready when an HTTP probe
 * answers, sampled for RSS and CPU time from /proc, stopped with SIGTERM so `--cpu-prof`
 * profiles get written. The harness itself (the load generator) moves to core 1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** Command prefix for processes under test, e.g. ['taskset', '-c', '0']. */
  server: string[];
  /** Core of the load generator, or undefined when not pinned. */
  loadCore: number | undefined;
  warnings: string[];
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Decides the pinning; `pinSelf` moves this process (and its threads) to core 1. */
export function setupPinning(pinSelf: boolean): Pinning {
  const warnings: string[] = [];
  if (process.platform !== 'linux') return { server: [], loadCore: undefined, warnings: ['not Linux: processes are not pinned to cores'] };
  if (!hasTaskset()) return { server: [], loadCore: undefined, warnings: ['taskset (util-linux) not found: processes are not pinned to cores; numbers are noisier'] };
  if (availableParallelism() < 2) return { server: [], loadCore: undefined, warnings: ['fewer than 2 cores: server and load generator share one core'] };
  let loadCore: number | undefined;
  if (pinSelf) {
    try {
      execFileSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' });
      loadCore = 1;
    } catch (err) {
      warnings.push(`could not pin the load generator to core 1: ${(err as Error).message}`);
    }
  }
  return { server: ['taskset', '-c', '0'], loadCore, warnings };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Sample {
  rssBytes: number;
  /** user + system CPU time in seconds. */
  cpuSeconds: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** RSS and CPU time of a process, from /proc (Linux); zeros elsewhere. */
export function sampleProcess(pid: number): Sample {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return { rssBytes: 0, cpuSeconds: 0 };
  }
}

export interface ServerSpec {
  name: string;
  /** Arguments after `node`. */
  args: string[];
  env: Record<string, string>;
  port: number;
  /** A GET that answers 200 once the server is ready. */
  readyPath: string;
  cwd: string;
  /** Directory for `--cpu-prof` output, when profiling. */
  profileDir?: string | undefined;
  startTimeoutMs?: number;
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  sample(): Sample;
  stop(): Promise<void>;
}

export async function startServer(spec: ServerSpec, pinning: Pinning): Promise<ServerProcess> {
  // One directory per process: a loader (tsx) runs its own thread, which writes a profile too.
  const profileDir = spec.profileDir ? join(spec.profileDir, spec.name) : undefined;
  const nodeArgs = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...spec.args];
  const [cmd, ...prefix] = pinning.server.length > 0 ? [...pinning.server, process.execPath] : [process.execPath];
  const child = spawn(cmd!, [...prefix, ...nodeArgs], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, PORT: String(spec.port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + (spec.startTimeoutMs ?? 60_000);
  for (;;) {
    if (dead) throw new Error(`${spec.name} exited before it was ready:\n${stderr}`);
    try {
      const res = await fetch(url + spec.readyPath);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within ${spec.startTimeoutMs ?? 60_000} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    name: spec.name,
    url,
    pid,
    sample: () => sampleProcess(pid),
    async stop() {
      if (dead) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      if (profileDir && spec.profileDir) keepMainThreadProfile(profileDir, join(spec.profileDir, `${spec.name}.cpuprofile`));
    },
  };
}

/** Keeps the largest profile of a process (its main thread's) as `target`. */
function keepMainThreadProfile(dir: string, target: string): void {
  try {
    const files = readdirSync(dir).map((f) => join(dir, f));
    const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (largest) renameSync(largest, target);
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // No profile written (the process was killed): nothing to keep.
  }
}
