/**
 * The `RevocationBus` over the store's credential events: every write that revokes or changes
 * a credential appends an event in the same transaction (on SQLite and PostgreSQL alike), and
 * each instance polls for events after the last one it saw, every `pollMs`. Publishing reaches
 * this instance at once; another instance (or a server, after a CLI revocation) within one
 * poll interval (`GATEHOUSE_REVOCATION_POLL_MS`, default 250 ms).
 */
import type { Store } from '../../store/store.js';
import type { Logger } from '../../log.js';
import { describeError } from '../../log.js';
import { LocalRevocationBus } from '../memory/revocation-bus.js';

export class PollingRevocationBus extends LocalRevocationBus {
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Applies events written since the last poll, by any process (also callable directly). */
  async sync(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (;;) {
        const events = await this.store.events.since(this.lastSeq);
        for (const e of events) {
          this.deliver(e.keyId);
          this.lastSeq = e.seq;
        }
        if (events.length < 1000) break;
      }
    } finally {
      this.polling = false;
    }
  }

  override async start(): Promise<void> {
    this.lastSeq = await this.store.events.latestSeq();
    this.timer = setInterval(() => this.sync().catch((err) => this.log.warn('credential event poll failed', describeError(err))), this.pollMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
