/**
 * Reading the server's own source, for tests that hold its layering in place (which directory
 * may import what).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC_DIR = fileURLToPath(new URL('../../src/', import.meta.url));

export interface SourceFile {
  /** Path relative to the directory read. */
  name: string;
  source: string;
}

/** Every .ts/.tsx file under `dir` (relative to src/), recursively. */
export function sourceFiles(dir: string): SourceFile[] {
  const root = join(SRC_DIR, dir);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const path = join(d, e.name);
      if (e.isDirectory()) return walk(path);
      return /\.tsx?$/.test(e.name) ? [path] : [];
    });
  return walk(root).map((path) => ({ name: relative(root, path), source: readFileSync(path, 'utf8') }));
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
export function specifiers(source: string): string[] {
  const found = [...source.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g), ...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return found.map((m) => m[1]!);
}
