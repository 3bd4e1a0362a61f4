/** `gatehouse signing-keys list|rotate`: inspect and rotate the JWT signing keys. */
import type { Config } from '../config.js';
import { SIGNING_ALGS, type SigningAlg, currentSigner, retiredAt } from '../core/signing-keys.js';
import type { SigningKeyRecord } from '../core/model/signing-key.js';
import { duration, parse, str, withRuntime } from './commands.js';
import { type CliIO, UsageError } from './io.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function describeKeys(keys: readonly SigningKeyRecord[], published: readonly SigningKeyRecord[], now: number) {
  const signer = currentSigner(keys, now);
  const visible = new Set(published.map((k) => k.kid));
  return keys.map((k) => ({
    kid: k.kid,
    alg: k.alg,
    created_at: iso(k.createdAt),
    activates_at: iso(k.activatesAt),
    retired_at: iso(retiredAt(k, keys, now)),
    state: k.kid === signer?.kid ? 'signing' : k.activatesAt > now ? 'upcoming' : visible.has(k.kid) ? 'retired (published)' : 'retired',
    published: visible.has(k.kid),
  }));
}

export async function signingKeysCommand(config: Config, io: CliIO, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'list' && sub !== 'rotate') {
    throw new UsageError('usage: gatehouse signing-keys list | signing-keys rotate [--delay 10m] [--alg ES256|EdDSA]');
  }
  const p = parse(rest, { delay: { type: 'string' }, alg: { type: 'string' } });
  const alg = str(p, 'alg') ?? config.signingAlg;
  if (!(SIGNING_ALGS as readonly string[]).includes(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  const delayMs = duration(str(p, 'delay') ?? `${config.rotationDelaySeconds}s`, '--delay');
  await withRuntime(config, async (rt) => {
    const { keyset } = rt;
    const actor = { type: 'cli' as const, id: null, user: null, ip: null };
    await keyset.init(actor);
    const created = sub === 'rotate' ? await keyset.rotate(actor, delayMs, alg as SigningAlg) : undefined;
    const rows = describeKeys(keyset.all(), keyset.published(), rt.clock.now());
    if (p.values.json) {
      io.out(JSON.stringify(created ? { rotated: rows.find((r) => r.kid === created.kid), keys: rows } : rows));
      return;
    }
    if (created) io.out(`new key ${created.kid} (${created.alg}) is published now and signs from ${iso(created.activatesAt)}`);
    io.out(rows.map((r) => `${r.kid}\t${r.alg}\t${r.state}\tactivates ${r.activates_at}`).join('\n'));
  });
}
