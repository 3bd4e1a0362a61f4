/**
 * A Redis connection for the Redis adapters: reconnects on its own (backing off up to 2 s),
 * fails commands at once while disconnected instead of queueing them (so a request never waits
 * on a Redis that is down), and logs each change of state once, never the URL (it may hold a
 * password).
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { describeError } from '../../log.js';

export type RedisRole = 'commands' | 'subscriber';

/** How long a command may take before it counts as failed. */
const COMMAND_TIMEOUT_MS = 1_000;

export function connectRedis(url: string, role: RedisRole, log: Logger): Redis {
  const redis = new Redis(url, {
    // The subscriber queues its SUBSCRIBE until connected; commands fail fast instead.
    enableOfflineQueue: role === 'subscriber',
    maxRetriesPerRequest: role === 'subscriber' ? null : 1,
    commandTimeout: role === 'subscriber' ? undefined : COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  let healthy: boolean | undefined;
  redis.on('ready', () => {
    if (healthy === false) log.info('redis connection restored', { role });
    healthy = true;
  });
  redis.on('error', (err) => {
    if (healthy !== false) log.warn('redis connection failed; retrying', { role, ...describeError(err) });
    healthy = false;
  });
  return redis;
}

/**
 * Resolves true when `redis` is ready; false at its first connection error (e.g. refused) or
 * after `timeoutMs`, whichever comes first. The caller carries on either way.
 */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

/** Closes `redis`, politely when connected. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
