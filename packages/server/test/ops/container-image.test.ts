/**
 * The container image builds and starts — checked without a container engine, by replaying the
 * Dockerfile: a clean build context (the repository's files, less .dockerignore), one directory
 * per stage, each COPY done as the builder does it and each build step run as written (they all
 * go through deploy/build.sh; the system set-up lines, apt-get and the data directory, are the
 * only ones skipped). The last stage is then started with the image's CMD and ENV (its data
 * directory mapped into the stage, a free port) and must answer 200 on /readyz, pass the image's
 * HEALTHCHECK, and stop cleanly on SIGTERM. It also holds only what running needs.
 *
 * Slow by nature (two `npm ci`, one of them building better-sqlite3, and the TypeScript build).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, copyOf, dockerignore, envOf, execForm, finalStage, isBuildStep, isSystemSetup, readDockerfile, type Stage } from '../helpers/dockerfile.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/server.js';

const BUILD_TIMEOUT_MS = 25 * 60_000;

let work: string;
const roots = new Map<string, string>();
let runtime: Stage;
let server: ChildProcess | undefined;
let serverEnv: Record<string, string>;
let serverCwd: string;
let port: number;
const output: string[] = [];

/** The build context: the repository's files as a fresh clone has them (plus new, unignored ones), less .dockerignore. */
function buildContext(dir: string): void {
  const ignored = dockerignore();
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0');
  for (const file of listed) {
    if (!file || ignored(file) || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file));
    chmodSync(join(dir, file), statSync(join(REPO_ROOT, file)).mode);
  }
}

/**
 * The environment of a build step or of the server: this machine's (npm's user configuration and
 * cache), the stage's ENV over it, and nothing of the outer test run (npm_*, Gatehouse settings).
 */
function processEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('npm_') || k === 'INIT_CWD' || k.startsWith('GATEHOUSE_') || k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST') continue;
    base[k] = v;
  }
  return { ...base, ...extra };
}

function replay(stage: Stage, context: string): string {
  const root = join(work, 'stages', stage.name);
  mkdirSync(root, { recursive: true });
  const env: Record<string, string> = {};
  let workdir = '/';
  const inStage = (path: string) => join(root, posix.resolve(workdir, path));
  for (const ins of stage.instructions) {
    switch (ins.keyword) {
      case 'WORKDIR':
        workdir = posix.resolve(workdir, ins.args);
        mkdirSync(inStage('.'), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, envOf({ ...stage, instructions: [ins] }));
        break;
      case 'COPY': {
        const copy = copyOf(ins);
        const fromRoot = copy.from === undefined ? context : roots.get(copy.from);
        if (!fromRoot) throw new Error(`line ${ins.line}: no stage ${copy.from}`);
        const intoDir = copy.dest.endsWith('/') || copy.sources.length > 1;
        for (const source of copy.sources) {
          const from = join(fromRoot, posix.resolve('/', source));
          if (!existsSync(from)) throw new Error(`line ${ins.line}: COPY ${source}: not found in ${copy.from ?? 'the build context'}`);
          const isDir = statSync(from).isDirectory();
          const to = intoDir && !isDir ? join(inStage(copy.dest), posix.basename(source)) : inStage(copy.dest);
          mkdirSync(isDir ? to : dirname(to), { recursive: true });
          // A directory's contents are copied, not the directory; links stay links (workspace packages).
          cpSync(from, to, { recursive: true, verbatimSymlinks: true });
        }
        break;
      }
      case 'RUN':
        if (isSystemSetup(ins)) break;
        if (!isBuildStep(ins)) throw new Error(`line ${ins.line}: RUN ${ins.args} is neither a build step nor known system set-up`);
        execFileSync('sh', ['-c', ins.args], { cwd: inStage('.'), env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
        break;
      default:
        // USER, VOLUME, EXPOSE, HEALTHCHECK, CMD: describe the container, checked below.
        break;
    }
  }
  return inStage('.');
}

async function waitReady(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200 || Date.now() > deadline) return res;
    } catch (err) {
      if (Date.now() > deadline || server?.exitCode !== null) throw new Error(`no answer from ${url}: ${(err as Error).message}\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gatehouse-image-'));
  const context = join(work, 'context');
  buildContext(context);
  const stages = readDockerfile();
  let cwd = '';
  for (const stage of stages) {
    cwd = replay(stage, context);
    roots.set(stage.name, join(work, 'stages', stage.name));
  }
  runtime = finalStage(stages);
  serverCwd = cwd;
  port = await freePort();
  const image = envOf(runtime);
  // The volume's path inside the container, here inside the stage's directory.
  const dataDir = join(roots.get(runtime.name)!, image.GATEHOUSE_DATA_DIR ?? '/data');
  mkdirSync(dataDir, { recursive: true });
  serverEnv = processEnv({ ...image, GATEHOUSE_DATA_DIR: dataDir, PORT: String(port) });
  const [command, ...args] = execForm(all(runtime, 'CMD').at(-1)?.args ?? '[]');
  server = spawn(command === 'node' ? process.execPath : (command ?? 'false'), args, { cwd: serverCwd, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  server.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await new Promise((r) => server?.once('exit', r));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the container image, built and started by its own commands in a clean directory', () => {
  it('answers 200 on /readyz and /healthz', async () => {
    const ready = await waitReady(`http://127.0.0.1:${port}/readyz`, 60_000);
    expect(ready.status, output.join('')).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'sqlite' });
    const live = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(live.status).toBe(200);
    // The SQLite database and the server secret are on the volume.
    const data = join(roots.get(runtime.name)!, envOf(runtime).GATEHOUSE_DATA_DIR ?? '/data');
    expect(existsSync(join(data, 'gatehouse.db'))).toBe(true);
    expect(existsSync(join(data, 'secret'))).toBe(true);
  }, 90_000);

  it("passes the image's HEALTHCHECK, which fails when nothing answers", async () => {
    const [check] = all(runtime, 'HEALTHCHECK');
    const [command, ...args] = execForm(check?.args.replace(/^(--\S+\s+)*CMD\s+/, '') ?? '[]');
    expect(command).toBe('node');
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, args, { cwd: serverCwd, env, stdio: 'ignore' }).once('exit', resolve));
    expect(await run(serverEnv)).toBe(0);
    expect(await run({ ...serverEnv, PORT: String(await freePort()) })).toBe(1);
  });

  it('holds only what running needs: no sources, no TypeScript, no dev dependencies', () => {
    const app = serverCwd;
    expect(existsSync(join(app, 'packages/server/dist/cli/run.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/better-sqlite3'))).toBe(true);
    for (const absent of ['packages/server/src', 'packages/verify/src', 'packages/client/src', 'packages/server/test', 'node_modules/typescript', 'node_modules/vitest', 'node_modules/@biomejs', 'docs', 'bench', '.git']) {
      expect(existsSync(join(app, absent)), absent).toBe(false);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));
    server?.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
