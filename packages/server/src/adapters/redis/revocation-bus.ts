/**
 * The `RevocationBus` over Redis pub/sub, on top of the store poll: publishing delivers to this
 * instance's subscribers at once (through the poll bus underneath) and sends the id on one
 * channel under the key prefix, which every other instance hears within milliseconds. Each
 * message carries the sender's instance id so the sender does not deliver it twice.
 *
 * The store poll keeps running underneath as the fallback: while Redis is down (or a message is
 * lost in a reconnect) every instance still hears each change within one poll interval, and a
 * subscriber may hear an id twice (harmless: subscribers only drop cache entries). When the
 * subscription comes back, the poll runs at once to catch up. Redis errors are logged as
 * warnings, never thrown to the caller of `publish`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { describeError } from '../../log.js';
import { LocalRevocationBus } from '../memory/revocation-bus.js';
import type { PollingRevocationBus } from '../poll/revocation-bus.js';
import { whenReady } from './connection.js';

/** How long `start` waits for the subscription before carrying on with the poll alone (less if Redis refuses). */
const START_WAIT_MS = 2_000;

export class RedisRevocationBus extends LocalRevocationBus {
  private readonly instance = randomUUID();
  private readonly channel: string;
  private readonly onMessage = (channel: string, message: string) => {
    if (channel !== this.channel) return;
    const space = message.indexOf(' ');
    if (space < 0 || message.slice(0, space) === this.instance) return;
    this.deliver(message.slice(space + 1));
  };
  private readonly onReady = () => {
    this.fallback.sync().catch((err) => this.log.warn('credential event poll failed', describeError(err)));
  };

  constructor(
    private readonly fallback: PollingRevocationBus,
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly log: Logger,
  ) {
    super();
    this.channel = `${prefix}revocations`;
  }

  override subscribe(listener: (id: string) => void): void {
    super.subscribe(listener);
    this.fallback.subscribe(listener);
  }

  override async publish(id: string): Promise<void> {
    await this.fallback.publish(id);
    try {
      // A process that publishes right after it started (the CLI) waits briefly for its first connection.
      if (this.commands.status === 'wait' || this.commands.status === 'connecting' || this.commands.status === 'connect') {
        await whenReady(this.commands, START_WAIT_MS);
      }
      await this.commands.publish(this.channel, `${this.instance} ${id}`);
    } catch (err) {
      this.log.warn('redis revocation publish failed; other instances hear it by the store poll', describeError(err));
    }
  }

  override async start(): Promise<void> {
    await this.fallback.start();
    this.subscriber.on('message', this.onMessage);
    const subscribed = this.subscriber.subscribe(this.channel).then(
      () => true,
      (err: unknown) => {
        this.log.warn('redis revocation subscribe failed; relying on the store poll', describeError(err));
        return false;
      },
    );
    // Redis down at start: the server starts on the poll alone; the queued SUBSCRIBE runs once connected.
    const ok = await Promise.race([subscribed, whenReady(this.subscriber, START_WAIT_MS).then((ready) => (ready ? subscribed : false))]);
    if (!ok) this.log.warn('redis revocation channel not subscribed yet; relying on the store poll until it is');
    this.subscriber.on('ready', this.onReady);
  }

  override async stop(): Promise<void> {
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.onReady);
    await this.fallback.stop();
  }
}
