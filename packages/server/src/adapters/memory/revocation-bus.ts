/**
 * The in-process `RevocationBus`: publishing calls this instance's subscribers at once. Enough
 * for a process alone with its data (the CLI, tests); servers use the store poll
 * (`adapters/poll/revocation-bus.ts`), which builds on it.
 */
import type { RevocationBus } from '../../core/ports.js';

export class LocalRevocationBus implements RevocationBus {
  private readonly listeners: Array<(id: string) => void> = [];

  async publish(id: string): Promise<void> {
    this.deliver(id);
  }

  subscribe(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }

  /** Calls every subscriber; one that throws does not keep the others from hearing. */
  protected deliver(id: string): void {
    for (const listener of this.listeners) {
      try {
        listener(id);
      } catch {
        // A cache that fails to drop an entry still expires it by its TTL.
      }
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
