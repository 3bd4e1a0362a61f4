/**
 * What `npm pack` would publish: `npm pack --dry-run --json` runs the `prepack` script (the
 * TypeScript build into dist/) and lists the tarball's files without writing it. The package
 * must carry the compiled entry points with their declarations, the `gatehouse` command, the
 * agent skills and the docs; and no tests, benchmarks, data, CI files, sources or source maps.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface PackResult {
  name: string;
  files: Array<{ path: string }>;
}

let files: string[];
let started: number;

beforeAll(async () => {
  started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npm, ['pack', '--dry-run', '--json'], {
    cwd: ROOT,
    timeout: 110_000,
    maxBuffer: 32 * 1024 * 1024,
    env: { ...process.env, npm_config_ignore_scripts: 'false' },
  });
  // Lifecycle scripts (prepack) print to stdout too; the JSON report is the array that follows.
  const start = stdout.search(/^\[\s*$/m);
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const [result] = JSON.parse(stdout.slice(start)) as PackResult[];
  files = result!.files.map((f) => f.path).sort();
}, 120_000);

const exists = (path: string) => existsSync(`${ROOT}${path}`);

describe('npm pack', () => {
  it('runs the build first (prepack), so dist/ is fresh', () => {
    expect(statSync(`${ROOT}dist/index.js`).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
  });

  it('ships the server library, the command and its compiled entry', () => {
    for (const path of ['package.json', 'README.md', 'bin/gatehouse.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/run.js', 'dist/http/skills.js']) {
      expect(files, path).toContain(path);
    }
  });

  it('ships every entry point of package.json "exports" whose source exists, with declarations', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { exports: Record<string, string | { types: string; default: string }>; bin: Record<string, string> };
    for (const target of Object.values(pkg.bin)) expect(files).toContain(target.replace(/^\.\//, ''));
    let checked = 0;
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      const js = target.default.replace(/^\.\//, '');
      const source = js.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      // gatehouse/client and gatehouse/verify are checked once their sources are in the tree.
      if (!exists(source)) continue;
      expect(files, `${subpath} → ${js}`).toContain(js);
      expect(files, `${subpath} → ${target.types}`).toContain(target.types.replace(/^\.\//, ''));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(1);
    if (exists('src/client/index.ts')) expect(files).toEqual(expect.arrayContaining(['dist/client/index.js', 'dist/client/index.d.ts']));
    if (exists('src/verify/index.ts')) expect(files).toEqual(expect.arrayContaining(['dist/verify/index.js', 'dist/verify/index.d.ts']));
  });

  it('ships a declaration next to every compiled module', () => {
    const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(20);
    for (const f of js) expect(files, f).toContain(f.replace(/\.js$/, '.d.ts'));
  });

  it('ships no stale compiled files: every dist/ module has its source in src/', () => {
    const stale = files
      .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
      .filter((f) => {
        const base = f.replace(/^dist\//, 'src/').replace(/\.js$/, '');
        return !exists(`${base}.ts`) && !exists(`${base}.tsx`);
      });
    expect(stale, 'remove dist/ and rebuild').toEqual([]);
  });

  it('ships every agent skill and every doc', () => {
    const skills = readdirSync(`${ROOT}skills`).map((name) => `skills/${name}/SKILL.md`);
    expect(skills).toEqual(expect.arrayContaining(['skills/gatehouse-authentication/SKILL.md', 'skills/gatehouse-api/SKILL.md']));
    for (const skill of skills) expect(files).toContain(skill);
    const docs = readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md'));
    expect(docs).toContain('api-reference.md');
    for (const doc of docs) expect(files).toContain(`docs/${doc}`);
  });

  it('ships no tests, benchmarks, data, CI files, sources, scripts or source maps', () => {
    const forbidden = files.filter(
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
