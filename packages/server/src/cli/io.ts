/** What a CLI command may touch, so tests run commands in-process with captured output. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** All of standard input (for `--password-stdin`). */
  readStdin(): Promise<string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const processIO: CliIO = {
  env: process.env,
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  async readStdin() {
    if (process.stdin.isTTY) throw new UsageError('--password-stdin expects the password on standard input (e.g. a pipe)');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};
