/**
 * The repository's Dockerfile and .dockerignore, read into stages and instructions, for the
 * tests that lint the image definition and replay its build without a container engine.
 * Only the syntax the Dockerfile uses is understood; anything else is an error, not a guess.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');

export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export function readDockerfile(text = readFileSync(DOCKERFILE, 'utf8')): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    // Comment lines are dropped, also inside a continued instruction (as the builder does).
    if (line.trimStart().startsWith('#') || (line.trim() === '' && !pending)) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${body.trim()}`, line: pending.line } : { text: body.trim(), line: i + 1 };
    if (continued) return;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m?.[1]) throw new Error(`line ${ins.line}: FROM ${ins.args} is not understood`);
      stages.push({ image: m[1], name: m[2] ?? String(stages.length), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${ins.line}: ${ins.keyword} before any FROM`);
      stage.instructions.push(ins);
    }
  }
  return stages;
}

export const finalStage = (stages: Stage[]): Stage => {
  const last = stages.at(-1);
  if (!last) throw new Error('the Dockerfile has no stage');
  return last;
};

export const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);

/** `["node", "x"]` → its words; the shell form is refused (signals would go to a shell, not node). */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** `ENV A=1 B=2` (unquoted values, the form the Dockerfile uses). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of all(stage, 'ENV')) {
    for (const pair of ins.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || /["']/.test(pair)) throw new Error(`line ${ins.line}: ENV ${pair} is not NAME=value`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** A build step: one command of deploy/build.sh, which the build replay runs. */
export const isBuildStep = (run: Instruction): boolean => /^deploy\/build\.sh [a-z-]+$/.test(run.args);

/** System set-up (packages, the data directory) that the build replay skips; nothing else may RUN. */
const SYSTEM_SETUP = [
  /^apt-get update && apt-get install -y --no-install-recommends [a-z0-9+.\- ]+ && rm -rf \/var\/lib\/apt\/lists\/\*$/,
  /^mkdir -p \/data && chown node:node \/data$/,
];
export const isSystemSetup = (run: Instruction): boolean => SYSTEM_SETUP.some((r) => r.test(run.args));

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function copyOf(ins: Instruction): Copy {
  const words = ins.args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() as string;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else throw new Error(`line ${ins.line}: COPY ${flag} is not understood`);
  }
  const dest = words.pop();
  if (!dest || words.length === 0) throw new Error(`line ${ins.line}: COPY needs a source and a destination`);
  if (words.some((w) => /[*?[]/.test(w))) throw new Error(`line ${ins.line}: COPY with wildcards is not understood`);
  return { from, sources: words, dest };
}

/**
 * The .dockerignore patterns as one predicate over context-relative paths (`a/b/c`): a pattern
 * that matches a directory excludes everything under it. Exceptions (`!`) are not understood.
 */
export function dockerignore(text = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const regexes = patterns.map((p) => {
    if (p.startsWith('!')) throw new Error(`.dockerignore exception ${p} is not understood`);
    const body = p
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`))
      .join('');
    return new RegExp(`^${body.replace(/\/$/, '')}(?:/|$)`);
  });
  return (path) => regexes.some((r) => r.test(path));
}
