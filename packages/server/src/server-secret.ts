/**
 * The server secret that seals private signing keys at rest: GATEHOUSE_SECRET when set,
 * otherwise a random secret generated once into `<dataDir>/secret` (mode 0600). Several
 * instances sharing one PostgreSQL database must share the same GATEHOUSE_SECRET.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

/** Where the generated secret lives when GATEHOUSE_SECRET is not set. */
export const serverSecretPath = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'secret');

export function loadServerSecret(config: Config): string {
  if (config.secret) return config.secret;
  const path = serverSecretPath(config);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': never overwrite a secret another process created a moment ago.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw err;
  }
}
