/** Human passwords: argon2id with the OWASP Password Storage parameters (m=19 MiB, t=2, p=1). */
import { type Options, hash, verify } from '@node-rs/argon2';

// 2 is Algorithm.Argon2id; the package declares a const enum, which isolated modules cannot import.
const OPTIONS: Options = { algorithm: 2 as NonNullable<Options['algorithm']>, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the same work as a real check, so an unknown email costs as much as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('gatehouse-timing-equalizer');
  await verifyPassword(await dummy, password);
}
