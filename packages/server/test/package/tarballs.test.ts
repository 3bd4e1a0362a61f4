/**
 * What the three packages publish, and what installing each one costs a user. `npm pack` runs
 * every package's `prepack` (its TypeScript build into dist/) and writes the tarballs; each is
 * then installed with `npm install` into an empty project, the way a platform adds it:
 *
 * - `@gatehouse/verify` in a resource server: jose and nothing else, no native module;
 * - `@gatehouse/client` in an app: no dependency at all;
 * - `gatehouse` (the server), with its two siblings' tarballs: `gatehouse/verify` and
 *   `gatehouse/client` re-export them. Its install scripts are skipped here (better-sqlite3
 *   would compile for a minute); its dependency list is what is checked.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

interface PackageJson {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

const PACKAGES = { '@gatehouse/verify': 'verify', '@gatehouse/client': 'client', gatehouse: 'server' } as const;
type Name = keyof typeof PACKAGES;

let work: string;
let started: number;
const packed = new Map<Name, { tarball: string; files: string[] }>();

beforeAll(async () => {
  started = Date.now();
  work = mkdtempSync(join(tmpdir(), 'gatehouse-tarballs-'));
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', work, ...Object.values(PACKAGES).flatMap((p) => ['-w', `packages/${p}`])], {
    cwd: REPO_ROOT,
    timeout: 290_000,
    maxBuffer: 32 * 1024 * 1024,
    env: { ...process.env, npm_config_ignore_scripts: 'false' },
  });
  // Lifecycle scripts (prepack) print to stdout too; the JSON report is the array that follows.
  const start = stdout.search(/^\[\s*$/m);
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  for (const result of JSON.parse(stdout.slice(start)) as Packed[]) {
    packed.set(result.name as Name, { tarball: join(work, result.filename), files: result.files.map((f) => f.path).sort() });
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const packageDir = (name: Name) => join(REPO_ROOT, 'packages', PACKAGES[name]);
const manifest = (name: Name) => JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as PackageJson;

/** An empty project with `tarballs` installed; returns its directory. */
async function install(tarballs: string[], ignoreScripts: boolean): Promise<string> {
  const dir = mkdtempSync(join(work, 'project-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  await run(npm, ['install', '--no-audit', '--no-fund', '--omit=dev', ...(ignoreScripts ? ['--ignore-scripts'] : []), ...tarballs], { cwd: dir, timeout: 290_000 });
  return dir;
}

/** Every installed package (name → directory), scoped ones included. */
function installedPackages(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const modules = join(dir, 'node_modules');
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(modules, entry))) found.set(`${entry}/${sub}`, join(modules, entry, sub));
    else found.set(entry, join(modules, entry));
  }
  return found;
}

function walk(dir: string, visit: (path: string, bytes: number) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else if (entry.isFile()) visit(path, statSync(path).size);
  }
}

function installedSize(dir: string): { bytes: number; native: string[] } {
  let bytes = 0;
  const native: string[] = [];
  walk(join(dir, 'node_modules'), (path, size) => {
    bytes += size;
    if (path.endsWith('.node') || path.endsWith('binding.gyp')) native.push(path);
  });
  return { bytes, native };
}

describe.each(Object.keys(PACKAGES) as Name[])('npm pack %s', (name) => {
  const files = () => packed.get(name)!.files;

  it('runs the build first (prepack), so dist/ is fresh', () => {
    expect(statSync(join(packageDir(name), 'dist/index.js')).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
  });

  it('ships every entry point of "exports" and "bin", with declarations, and a README', () => {
    const pkg = manifest(name);
    expect(files()).toEqual(expect.arrayContaining(['package.json', 'README.md']));
    for (const target of Object.values(pkg.bin ?? {})) expect(files()).toContain(target.replace(/^\.\//, ''));
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      expect(files(), subpath).toEqual(expect.arrayContaining([target.default.replace(/^\.\//, ''), target.types.replace(/^\.\//, '')]));
    }
  });

  it('ships a declaration next to every compiled module, and no stale one', () => {
    const js = files().filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(name === 'gatehouse' ? 20 : 5);
    for (const f of js) expect(files(), f).toContain(f.replace(/\.js$/, '.d.ts'));
    const stale = js.filter((f) => {
      const base = join(packageDir(name), f.replace(/^dist\//, 'src/').replace(/\.js$/, ''));
      return !existsSync(`${base}.ts`) && !existsSync(`${base}.tsx`);
    });
    expect(stale, 'remove dist/ and rebuild').toEqual([]);
  });

  it('ships no tests, benchmarks, data, CI files, sources, scripts or source maps', () => {
    const forbidden = files().filter(
      (f) =>
        /^(test|bench|data|\.ci|src|scripts|node_modules|\.git)\//.test(f) ||
        /\.test\.|\.spec\./.test(f) ||
        /\.map$/.test(f) ||
        /\.tsbuildinfo$/.test(f) ||
        (/\.tsx?$/.test(f) && !f.endsWith('.d.ts')) ||
        /(^|\/)\.env/.test(f),
    );
    expect(forbidden).toEqual([]);
  });
});

describe('installed into an empty project', () => {
  it('@gatehouse/verify pulls jose and nothing else: no native module, ≤ 2 runtime dependencies, small', async () => {
    expect(Object.keys(manifest('@gatehouse/verify').dependencies ?? {})).toEqual(['jose']);
    const dir = await install([packed.get('@gatehouse/verify')!.tarball], false);
    expect([...installedPackages(dir).keys()].sort()).toEqual(['@gatehouse/verify', 'jose']);
    const { bytes, native } = installedSize(dir);
    expect(native).toEqual([]);
    expect(bytes).toBeLessThan(2_000_000);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const v = await import('@gatehouse/verify'); console.log(typeof v.createVerifier, typeof v.honoAuth)"], { cwd: dir });
    expect(stdout.trim()).toBe('function function');
  }, 300_000);

  it('@gatehouse/client pulls no dependency at all', async () => {
    expect(manifest('@gatehouse/client').dependencies ?? {}).toEqual({});
    const dir = await install([packed.get('@gatehouse/client')!.tarball], false);
    expect([...installedPackages(dir).keys()]).toEqual(['@gatehouse/client']);
    const { bytes, native } = installedSize(dir);
    expect(native).toEqual([]);
    expect(bytes).toBeLessThan(500_000);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const c = await import('@gatehouse/client'); console.log(typeof c.Gatehouse, typeof c.GatehouseOAuth)"], { cwd: dir });
    expect(stdout.trim()).toBe('function function');
  }, 300_000);

  it('gatehouse installs its declared dependencies, its command, and re-exports both libraries', async () => {
    const pkg = manifest('gatehouse');
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(expect.arrayContaining(['@gatehouse/verify', '@gatehouse/client', 'better-sqlite3', 'hono', 'jose', 'kysely', 'pg']));
    const dir = await install(
      (['@gatehouse/verify', '@gatehouse/client', 'gatehouse'] as Name[]).map((n) => packed.get(n)!.tarball),
      true,
    );
    const installed = installedPackages(dir);
    for (const dep of Object.keys(pkg.dependencies ?? {})) expect(installed.has(dep), dep).toBe(true);
    expect(existsSync(join(dir, 'node_modules/.bin/gatehouse'))).toBe(true);
    const script = [
      "const [s, v, c, cs] = await Promise.all([import('gatehouse/verify'), import('@gatehouse/verify'), import('gatehouse/client'), import('@gatehouse/client')]);",
      'console.log(s.createVerifier === v.createVerifier, c.Gatehouse === cs.Gatehouse);',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(stdout.trim()).toBe('true true');
  }, 300_000);
});
