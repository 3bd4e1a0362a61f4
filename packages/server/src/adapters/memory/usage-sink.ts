/**
 * The in-process `UsageSink`: the newest time per API key and per grant, kept in maps and
 * written to the store as one batch every `flushMs` (and at shutdown). The verification hot
 * path only sets a map entry.
 */
import type { UsageKind, UsageSink } from '../../core/ports.js';
import type { Logger } from '../../log.js';
import { describeError } from '../../log.js';

/** Where batches go: one writer per kind (the store's last-used updates). */
export type UsageWriters = Record<UsageKind, (batch: ReadonlyMap<string, number>) => Promise<void>>;

export class BatchedUsageSink implements UsageSink {
  private pending: Record<UsageKind, Map<string, number>> = { api_key: new Map(), grant: new Map() };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly writers: UsageWriters,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {}

  record(kind: UsageKind, id: string, at: number): void {
    this.pending[kind].set(id, at);
  }

  async flush(): Promise<void> {
    const batches = this.pending;
    this.pending = { api_key: new Map(), grant: new Map() };
    for (const kind of Object.keys(batches) as UsageKind[]) {
      if (batches[kind].size > 0) await this.writers[kind](batches[kind]);
    }
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => this.flush().catch((err) => this.log.warn('usage flush failed', describeError(err))), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
