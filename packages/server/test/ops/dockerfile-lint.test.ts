/**
 * The Dockerfile cannot be built on these machines, so it is linted instead: the validator of
 * `dockerfile-utils` (the Dockerfile rules of the builder: arguments, flags, durations, ports,
 * instruction order) must report nothing, and the image keeps the deployment rules docs/deploy.md
 * relies on: slim Node 20 base, non-root user, data on a volume, health check on /readyz, and
 * every build step in deploy/build.sh (which test/ops/container-image.test.ts replays).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../src/config.js';
import { all, copyOf, DOCKERFILE, dockerignore, envOf, execForm, finalStage, isBuildStep, isSystemSetup, readDockerfile } from '../helpers/dockerfile.js';
import { REPO_ROOT } from '../helpers/paths.js';

const text = readFileSync(DOCKERFILE, 'utf8');
const findings = (source: string) => validate(source).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);

describe('the Dockerfile', () => {
  it('lints clean', () => {
    expect(findings(text)).toEqual([]);
  });

  it('the linter does report a broken Dockerfile (this test can fail)', () => {
    expect(findings('FROM node:20-bookworm-slim\nCOPY only-one-argument\nEXPOSE http\nHEALTHCHECK --interval=soon CMD ["node"]\n')).toHaveLength(3);
  });

  it('runs the server as a non-root user from node:20-bookworm-slim, with its data on a volume', () => {
    const stages = readDockerfile(text);
    for (const stage of stages) expect(stage.image, stage.name).toBe('node:20-bookworm-slim');
    const runtime = finalStage(stages);
    const users = all(runtime, 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    const env = envOf(runtime);
    expect(env).toMatchObject({ HOST: '0.0.0.0', GATEHOUSE_DATA_DIR: '/data', PORT: '8080' });
    // Only real settings: an invented variable would be silently ignored by the server.
    for (const name of Object.keys(env)) expect(Object.keys(ENV_KEYS), name).toContain(name);
    expect(all(runtime, 'VOLUME').flatMap((i) => execForm(i.args))).toEqual(['/data']);
    expect(all(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['8080']);
    expect(execForm(all(runtime, 'CMD').at(-1)?.args ?? '')).toEqual(['node', 'packages/server/bin/gatehouse.js', 'serve']);
  });

  it('checks health with node on /readyz', () => {
    const runtime = finalStage(readDockerfile(text));
    const [check] = all(runtime, 'HEALTHCHECK');
    const command = execForm(check?.args.replace(/^(--\S+\s+)*CMD\s+/, '') ?? '');
    expect(command).toEqual(['node', 'deploy/healthcheck.mjs']);
    expect(readFileSync(join(REPO_ROOT, 'deploy/healthcheck.mjs'), 'utf8')).toContain("path: '/readyz'");
    // The script is in the image.
    expect(all(runtime, 'COPY').map(copyOf).some((c) => c.sources.includes('deploy/healthcheck.mjs'))).toBe(true);
  });

  it('builds only through deploy/build.sh; other RUN lines are system set-up', () => {
    for (const stage of readDockerfile(text)) {
      for (const run of all(stage, 'RUN')) {
        expect(isBuildStep(run) || isSystemSetup(run), `line ${run.line}: RUN ${run.args}`).toBe(true);
      }
    }
  });

  it('sends no local data, secrets or installed modules to the builder (.dockerignore)', () => {
    const ignored = dockerignore();
    for (const path of ['data/gatehouse.db', 'data/secret', 'packages/server/data/secret', '.env', 'node_modules/x/index.js', 'packages/server/node_modules/x', 'packages/server/dist/index.js', '.git/config', 'npm-debug.log']) {
      expect(ignored(path), path).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'packages/server/src/config.ts', 'packages/server/skills/gatehouse-api/SKILL.md', 'deploy/build.sh']) {
      expect(ignored(path), path).toBe(false);
    }
  });
});
