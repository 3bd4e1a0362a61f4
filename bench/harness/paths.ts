/**
 * Where the harness finds things and puts them, computed from this file's location so a run
 * works from any working directory. Results record paths relative to ROOT (harness.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What is measured: the ceiling, Gatehouse's setup, the peer, verify-lib. */
export const TARGETS_DIR = join(ROOT, 'bench', 'targets');
/** The committed results, one JSON file per run (the default of `--out`). */
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** Targets compiled to plain JavaScript for a run; ignored by git. */
export const BUILD_DIR = join(ROOT, 'bench', '.build');
