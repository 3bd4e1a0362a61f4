/**
 * A small structured logger: one JSON object per line. Callers pass fields, never secrets;
 * request logs carry the path without its query string for that reason.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Standard output, one write per turn of the event loop: under load, a line per request would
 * otherwise be a system call per request. Whatever is buffered is written before the process exits.
 */
function stdoutSink(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    process.stdout.write(text);
  };
  process.once('exit', flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

let stdout: ((line: string) => void) | undefined;
const sharedStdout = (line: string) => {
  stdout ??= stdoutSink();
  stdout(line);
};

export function createLogger(level: Level, write: (line: string) => void = sharedStdout): Logger {
  const emit = (lvl: Exclude<Level, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** An error's class and message only (no stack, no cause chain with query text). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error: err.name, error_code: (err as { code?: unknown }).code };
  return { error: typeof err };
}

export const silentLogger: Logger = createLogger('silent');
