/**
 * The signing-key lifecycle: the pure succession rules, the Keyset over a real SQLite store with
 * a fake clock (rotation with a delay, retirement, how long an old key stays published), private
 * keys sealed at rest, the server secret file, and a rotation made by the CLI reaching a
 * running server.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { FakeClock } from '../../src/core/clock.js';
import { GatehouseError } from '../../src/core/errors.js';
import { issueAccessToken, verifyAccessToken } from '../../src/core/jwt.js';
import { Keyset } from '../../src/core/keyset.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { CLOCK_SKEW_MS, currentSigner, publishedKeys, retiredAt } from '../../src/core/signing-keys.js';
import { loadServerSecret } from '../../src/server-secret.js';
import type { SigningKeyRecord } from '../../src/core/model/signing-key.js';
import type { Store } from '../../src/store/store.js';
import { sqlite } from '../helpers/backends.js';
import { call, obj } from '../helpers/http.js';
import { seedKey, seedUser, startTestServer, systemActor } from '../helpers/server.js';
import { useStore } from '../helpers/store.js';

const MIN = 60_000;
const TTL_MS = 15 * MIN;
const rec = (kid: string, createdAt: number, activatesAt: number): SigningKeyRecord => ({ kid, alg: 'ES256', publicJwk: '{}', privateSealed: '', createdAt, activatesAt });
const kids = (keys: readonly SigningKeyRecord[]) => keys.map((k) => k.kid).sort();

describe('succession rules (pure)', () => {
  const a = rec('a', 0, 0);
  const b = rec('b', 100, 1000); // rotation at 100 with a delay of 900
  const c = rec('c', 2000, 3000);

  it('currentSigner: the most recently activated key; upcoming keys never sign', () => {
    expect(currentSigner([], 0)).toBeUndefined();
    expect(currentSigner([b], 999)).toBeUndefined();
    expect(currentSigner([a, b, c], 999)?.kid).toBe('a');
    expect(currentSigner([a, b, c], 1000)?.kid).toBe('b');
    expect(currentSigner([c, b, a], 5000)?.kid).toBe('c');
    // Ties on activation: the later-created key, then the greater kid.
    expect(currentSigner([rec('x', 5, 10), rec('y', 6, 10)], 10)?.kid).toBe('y');
    expect(currentSigner([rec('z', 5, 10), rec('y', 5, 10)], 10)?.kid).toBe('z');
  });

  it('retiredAt: when the first successor activated; undefined while signing or upcoming', () => {
    expect(retiredAt(a, [a, b, c], 999)).toBeUndefined();
    expect(retiredAt(a, [a, b, c], 1000)).toBe(1000);
    expect(retiredAt(a, [a, b, c], 4000)).toBe(1000);
    expect(retiredAt(b, [a, b, c], 2500)).toBeUndefined();
    expect(retiredAt(b, [a, b, c], 3000)).toBe(3000);
    expect(retiredAt(c, [a, b, c], 1)).toBeUndefined();
  });

  it('publishedKeys: upcoming, current, and retired ones until retirement + token TTL + skew', () => {
    expect(kids(publishedKeys([a, b, c], 150, TTL_MS))).toEqual(['a', 'b', 'c']);
    const leaves = 1000 + TTL_MS + CLOCK_SKEW_MS;
    expect(CLOCK_SKEW_MS).toBe(60_000);
    expect(kids(publishedKeys([a, b], leaves - 1, TTL_MS))).toEqual(['a', 'b']);
    expect(kids(publishedKeys([a, b], leaves, TTL_MS))).toEqual(['b']);
    expect(kids(publishedKeys([a], 10 * TTL_MS, TTL_MS))).toEqual(['a']);
  });
});

describe('Keyset over a real SQLite store', () => {
  const SECRET = 'a-server-secret-that-is-long-enough-0123456789';
  const who = { issuer: 'https://auth.example.test', audience: 'https://auth.example.test' };
  const getStore = useStore(sqlite, { each: true });
  let store: Store;
  let clock: FakeClock;
  let ctx: { store: Store; clock: FakeClock };
  const keysetWith = (secret: string) => new Keyset(ctx, new SecretBox(secret), { alg: 'ES256', maxTokenTtlMs: TTL_MS, refreshMs: 10_000 });
  const issue = (keyset: Keyset) =>
    issueAccessToken(keyset, clock, { ...who, subject: 'usr_1', clientId: 'key_1', scopes: ['read'], ttlSeconds: TTL_MS / 1000 });
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;
  const jwksKids = (keyset: Keyset) => keyset.jwks().keys.map((k) => k.kid);

  beforeEach(async (test) => {
    store = getStore(test);
    clock = new FakeClock();
    ctx = { store, clock };
  });

  it('rotation with a delay: published at once, signs after the delay, the old key lingers until its tokens expired', async () => {
    const keyset = keysetWith(SECRET);
    await keyset.init(systemActor);
    const t0 = clock.now();
    const before = await issue(keyset);
    const oldKid = kidOf(before);
    expect(jwksKids(keyset)).toEqual([oldKid]);

    const rotated = await keyset.rotate(systemActor, 10 * MIN);
    expect(rotated.kid).not.toBe(oldKid);
    expect(rotated.activatesAt).toBe(t0 + 10 * MIN);
    expect(jwksKids(keyset).sort()).toEqual([oldKid, rotated.kid].sort());
    expect(kidOf(await issue(keyset))).toBe(oldKid);

    clock.advance(10 * MIN - 1000);
    const lastOld = await issue(keyset);
    expect(kidOf(lastOld)).toBe(oldKid);
    clock.advance(1000);
    const firstNew = await issue(keyset);
    expect(kidOf(firstNew)).toBe(rotated.kid);

    // Tokens signed before the rotation still verify, until their own exp.
    await expect(verifyAccessToken(keyset, clock, before, who)).resolves.toMatchObject({ client_id: 'key_1' });
    await expect(verifyAccessToken(keyset, clock, firstNew, who)).resolves.toMatchObject({ scope: 'read' });
    clock.set(t0 + 10 * MIN - 1000 + TTL_MS - 1000);
    await expect(verifyAccessToken(keyset, clock, lastOld, who)).resolves.toMatchObject({ sub: 'usr_1' });
    clock.advance(1000);
    await expect(verifyAccessToken(keyset, clock, lastOld, who)).rejects.toMatchObject({ code: 'unauthenticated' });

    // The old key leaves the JWKS once retirement + token TTL + skew has passed.
    const leaves = t0 + 10 * MIN + TTL_MS + CLOCK_SKEW_MS;
    clock.set(leaves - 1);
    expect(jwksKids(keyset)).toContain(oldKid);
    expect(await keyset.verificationKey(oldKid!, 'ES256')).toBeDefined();
    clock.set(leaves);
    expect(jwksKids(keyset)).toEqual([rotated.kid]);
    expect(await keyset.verificationKey(oldKid!, 'ES256')).toBeUndefined();
    expect((await store.signingKeys.list()).length).toBe(2);
  });

  it('another process sees the rotation after a refresh, and verifies with a key only for its own alg', async () => {
    const first = keysetWith(SECRET);
    await first.init(systemActor);
    const second = keysetWith(SECRET);
    await second.init(systemActor);
    expect(kids(second.all())).toEqual(kids(first.all()));
    clock.advance(1);
    const rotated = await first.rotate(systemActor, 0);
    expect(second.all().map((k) => k.kid)).not.toContain(rotated.kid);
    await second.refresh();
    expect(jwksKids(second)).toContain(rotated.kid);
    const token = await issue(first);
    expect(kidOf(token)).toBe(rotated.kid);
    await expect(verifyAccessToken(second, clock, token, who)).resolves.toMatchObject({ sub: 'usr_1' });
    expect(await second.verificationKey(rotated.kid, 'EdDSA')).toBeUndefined();
  });

  it('a rotation without delay wins at once, even within the millisecond of its predecessor', async () => {
    const keyset = keysetWith(SECRET);
    await keyset.init(systemActor);
    // The fake clock does not move: every key below has the same createdAt and activatesAt,
    // as when `signing-keys rotate --delay 0` runs right after the first key was generated.
    for (let i = 0; i < 6; i++) {
      const rotated = await keyset.rotate(systemActor, 0);
      expect((await keyset.signer()).kid, `rotation ${i + 1}`).toBe(rotated.kid);
    }
  });

  it('private keys are sealed at rest: no PEM in the store, and another secret cannot open them', async () => {
    const keyset = keysetWith(SECRET);
    await keyset.init(systemActor);
    await keyset.rotate(systemActor, 0, 'EdDSA');
    const rows = await store.signingKeys.list();
    expect(rows.length).toBe(2);
    for (const row of rows) {
      expect(row.privateSealed).not.toContain('PRIVATE KEY');
      expect(row.privateSealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row.publicJwk).not.toMatch(/"d"/);
      expect(new SecretBox(SECRET).open(row.privateSealed)).toContain('-----BEGIN PRIVATE KEY-----');
      let wrong: unknown;
      try {
        new SecretBox('another-server-secret-also-long-enough-987654').open(row.privateSealed);
      } catch (err) {
        wrong = err;
      }
      expect(wrong).toBeInstanceOf(GatehouseError);
      expect((wrong as GatehouseError).code).toBe('internal');
      const [v, iv, ct, tag] = row.privateSealed.split('.') as [string, string, string, string];
      const flipped = `${v}.${iv}.${ct.startsWith('A') ? `B${ct.slice(1)}` : `A${ct.slice(1)}`}.${tag}`;
      expect(() => new SecretBox(SECRET).open(flipped)).toThrow(GatehouseError);
    }
    // A process with the wrong secret cannot sign (and says why), rather than minting a new key.
    const stranger = keysetWith('another-server-secret-also-long-enough-987654');
    await stranger.init(systemActor);
    await expect(stranger.signer()).rejects.toMatchObject({ code: 'internal' });
    expect((await store.signingKeys.list()).length).toBe(2);
    const audit = JSON.stringify(await store.audit.list({ limit: 100 }));
    expect(audit).toContain('signing_key.rotate');
    expect(audit).not.toContain('PRIVATE KEY');
    expect(audit).not.toContain(rows[0]!.privateSealed);
  });

  it('loadServerSecret creates <dataDir>/secret with mode 0600 once, then reuses it', (test) => {
    // Scratch directories inside the store's own temporary one, removed with it.
    const dir = getStore.backend(test).dataDir;
    const dataDir = join(dir, 'fresh', 'data');
    const config = loadConfig({ GATEHOUSE_DATA_DIR: dataDir });
    const secret = loadServerSecret(config);
    expect(secret).toMatch(/^[\w-]{43,}$/);
    const path = join(dataDir, 'secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(secret);
    const written = statSync(path).mtimeMs;
    expect(loadServerSecret(loadConfig({ GATEHOUSE_DATA_DIR: dataDir }))).toBe(secret);
    expect(statSync(path).mtimeMs).toBe(written);

    const explicit = 'an-explicit-GATEHOUSE_SECRET-of-enough-length';
    const otherDir = join(dir, 'other');
    expect(loadServerSecret(loadConfig({ GATEHOUSE_DATA_DIR: otherDir, GATEHOUSE_SECRET: explicit }))).toBe(explicit);
    expect(() => statSync(join(otherDir, 'secret'))).toThrow();
  });
});

describe('`gatehouse signing-keys rotate` against a running server (sqlite)', () => {
  it('the server publishes the new key within its refresh interval, signs with it, and old tokens still verify', async () => {
    const server = await startTestServer(sqlite, { env: { GATEHOUSE_ISSUER: 'https://auth.example.test' } });
    if (!server) throw new Error('sqlite backend unavailable');
    try {
      const { key, secret } = await seedKey(server, await seedUser(server), ['read']);
      const exchange = async () => {
        const r = await call(server.url, 'POST', '/v0/auth', { json: { key_id: key.id, key_secret: secret, scopes: ['read'] } });
        expect(r.res.status, r.text).toBe(200);
        return obj(r).access_token as string;
      };
      const before = await exchange();
      const oldKid = decodeProtectedHeader(before).kid;

      const out: string[] = [];
      const errors: string[] = [];
      const io = { env: { ...server.backend.env }, out: (t: string) => out.push(t), err: (t: string) => errors.push(t), readStdin: async () => '' };
      expect(await runCli(['signing-keys', 'rotate', '--delay', '0'], io), errors.join('\n')).toBe(0);
      const newKid = /^new key (\S+) \(ES256\)/.exec(out.join('\n'))?.[1];
      expect(newKid).toBeDefined();
      expect(newKid).not.toBe(oldKid);

      const jwksUrl = `${server.url}/.well-known/jwks.json`;
      const deadline = Date.now() + 15_000;
      let listed: string[] = [];
      while (Date.now() < deadline) {
        listed = (obj(await call(server.url, 'GET', '/.well-known/jwks.json')).keys as { kid: string }[]).map((k) => k.kid);
        if (listed.length === 2) break;
        await sleep(250);
      }
      expect(listed.sort()).toEqual([oldKid, newKid].sort());

      const after = await exchange();
      expect(decodeProtectedHeader(after).kid).toBe(newKid);
      for (const token of [before, after]) {
        expect((await call(server.url, 'GET', '/v1/agents', { token })).res.status).toBe(200);
        const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUrl)), { issuer: 'https://auth.example.test', audience: 'https://auth.example.test' });
        expect(payload.client_id).toBe(key.id);
      }
    } finally {
      await server.dispose();
    }
  });
});
