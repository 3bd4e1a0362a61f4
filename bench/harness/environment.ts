/** The machine and the versions a run measured, recorded next to its numbers. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface Environment {
  machine: { cpu: string; cores: number; memoryGb: number; os: string; loadavgAtStart: number[] };
  versions: Record<string, string>;
  commit: string | undefined;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

function gitCommit(): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${commit} (packages/ modified)` : commit;
  } catch {
    return undefined;
  }
}

export function describeEnvironment(postgres: string | undefined): Environment {
  const gatehouse = (JSON.parse(readFileSync(join(ROOT, 'packages', 'server', 'package.json'), 'utf8')) as { version: string }).version;
  return {
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      // Kernel major.minor only: the full release string names the host's build.
      os: `${osType()} ${release().split('.').slice(0, 2).join('.')}`,
      loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    versions: {
      node: process.version,
      gatehouse,
      postgresql: postgres ?? 'unreachable',
      ...Object.fromEntries(['hono', '@hono/node-server', 'oidc-provider', 'autocannon', 'jose', 'kysely', 'better-sqlite3', 'pg'].map((n) => [n, packageVersion(n)])),
    },
    commit: gitCommit(),
  };
}
