/**
 * How a target's TypeScript file becomes the arguments of a `node` process.
 *
 * The ceiling and the peer run as plain JavaScript, like Gatehouse's dist/: compiled once per run
 * into bench/.build (packages stay imports). Under `--import tsx` every process pays for tsx's
 * module hooks, which showed as ~2.5% of the ceiling's CPU in a profile.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { BUILD_DIR, TARGETS_DIR } from './paths.js';

const built = new Map<string, string>();

/** `file` of bench/targets/, compiled once per run; the arguments after `node`. */
export function compiledEntry(file: string): string[] {
  let out = built.get(file);
  if (!out) {
    out = join(BUILD_DIR, file.replace(/\.ts$/, '.js'));
    buildSync({ entryPoints: [join(TARGETS_DIR, file)], outfile: out, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
    built.set(file, out);
  }
  return [out];
}

/** `file` of bench/targets/ under tsx: for verify-lib, which imports `gatehouse/verify` at run time, and whose rows all share the hooks. */
export const tsxEntry = (file: string) => ['--import', 'tsx', join(TARGETS_DIR, file)];
