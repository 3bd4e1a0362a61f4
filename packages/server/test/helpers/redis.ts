/**
 * Redis for the suites of the Redis adapters: a fresh key prefix per test, whose keys are
 * deleted afterwards. When Redis is unreachable those suites are skipped with a loud warning
 * locally, and fail under CI=true.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let reachable: Promise<boolean> | undefined;

export function redisReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`Redis is required under CI but unreachable at ${TEST_REDIS_URL}: ${(err as Error).message}`);
      console.warn(`\n!!! Redis unreachable at ${TEST_REDIS_URL}: Redis test cases are SKIPPED (they fail under CI=true) !!!\n`);
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return reachable;
}

/** A key prefix no other test uses. */
export const testPrefix = () => `gh-test:${randomBytes(6).toString('hex')}:`;

/** Deletes every key under `prefix`. */
export async function dropPrefix(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}

/** A redis:// URL to a local port nothing listens on (it was free a moment ago). */
export async function closedRedisUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `redis://127.0.0.1:${port}`;
}
