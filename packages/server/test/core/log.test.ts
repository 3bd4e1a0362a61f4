/**
 * The default logger batches lines to standard output (one write per event-loop turn) and
 * writes what is pending before the process exits, even when it exits right after logging.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const run = promisify(execFile);

describe('logger on standard output', () => {
  it('writes every line, in order, also when the process exits at once', async () => {
    const script = `
      import { createLogger } from './packages/server/src/log.ts';
      const log = createLogger('info');
      for (let i = 0; i < 2000; i++) log.info('request', { i });
      log.debug('hidden');
      setImmediate(() => { log.warn('after a turn', { i: 2000 }); process.exit(0); });
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { i: number; level: string; msg: string });
    expect(lines).toHaveLength(2001);
    expect(lines.map((l) => l.i)).toEqual([...Array(2001).keys()]);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: 'after a turn' });
    expect(lines.some((l) => l.msg === 'hidden')).toBe(false);
  });
});
