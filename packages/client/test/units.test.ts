/**
 * The SDK's pure parts, with published vectors where there are some: PKCE S256 (RFC 7636
 * Appendix B), Retry-After parsing (RFC 9110 §10.2.3), form-encoded Basic credentials
 * (RFC 6749 §2.3.1), renewal timing, single-flight and the token stores.
 */
import { describe, expect, it } from 'vitest';
import { codeChallengeS256, createPkce, Gatehouse, MemoryTokenStore, parseRetryAfter, SingleFlight, WebStorageTokenStore } from '../src/index.js';
import { renewalTime } from '../src/credentials.js';
import { basicAuthorization, base64url } from '../src/encoding.js';
import { metadataUrl } from '../src/discovery.js';

describe('client SDK units', () => {
  it('computes the RFC 7636 Appendix B code challenge', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates 43-character verifiers that differ every time', async () => {
    const a = await createPkce();
    const b = await createPkce();
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.codeChallenge).toBe(await codeChallengeS256(a.codeVerifier));
    expect(a.codeChallengeMethod).toBe('S256');
  });

  it('encodes base64url without padding', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe('-__-');
    expect(base64url(new Uint8Array([0x66]))).toBe('Zg');
  });

  it('form-encodes Basic client credentials before base64', () => {
    const header = basicAuthorization('app one', 'cs_a+b:c');
    expect(header).toBe(`Basic ${btoa('app+one:cs_a%2Bb%3Ac')}`);
  });

  it('parses Retry-After as seconds or an HTTP-date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('renews ahead of expiry, but never earlier than half the lifetime', () => {
    expect(renewalTime(0, 900, 30)).toBe(870_000);
    expect(renewalTime(0, 60, 60)).toBe(30_000);
    expect(renewalTime(1_000, 60, 0)).toBe(61_000);
  });

  it('puts the well-known segment before the issuer path (RFC 8414 §3.1)', () => {
    expect(metadataUrl('https://auth.example.com')).toBe('https://auth.example.com/.well-known/oauth-authorization-server');
    expect(metadataUrl('https://example.com/tenant1')).toBe('https://example.com/.well-known/oauth-authorization-server/tenant1');
  });

  it('runs one operation at a time and shares its result, then allows the next', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const op = async () => {
      runs++;
      await gate;
      return runs;
    };
    const waiting = Array.from({ length: 10 }, () => flight.run(op));
    expect(flight.busy).toBe(true);
    release();
    expect(await Promise.all(waiting)).toEqual(Array(10).fill(1));
    expect(flight.busy).toBe(false);
    expect(await flight.run(op)).toBe(2);
    await expect(flight.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(flight.busy).toBe(false);
  });

  it('keeps tokens in memory or in Web Storage, and ignores corrupt stored values', async () => {
    const tokens = { accessToken: 'at_x', tokenType: 'Bearer', expiresAt: 1, refreshToken: 'rt_x', scope: 'read' };
    const memory = new MemoryTokenStore();
    await memory.set(tokens);
    expect(await memory.get()).toEqual(tokens);
    await memory.clear();
    expect(await memory.get()).toBeUndefined();

    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
    const web = new WebStorageTokenStore(storage, 'k');
    await web.set(tokens);
    expect(JSON.parse(map.get('k')!)).toEqual(tokens);
    expect(await web.get()).toEqual(tokens);
    map.set('k', '{"accessToken":1}');
    expect(await web.get()).toBeUndefined();
    map.set('k', 'not json');
    expect(await web.get()).toBeUndefined();
    await web.clear();
    expect(map.has('k')).toBe(false);
  });

  describe('429 retries (a stub network answering 429 until told otherwise)', () => {
    /** A fetch that answers 429 (with `retryAfter` when given) `failures` times, then 200; records request bodies. */
    function stub(failures: number, retryAfter?: string) {
      const bodies: unknown[] = [];
      const sleeps: number[] = [];
      const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
        bodies.push(init?.body);
        if (bodies.length > failures) return new Response('{}', { status: 200 });
        return new Response('{"detail":"Too many attempts; try again later","status_code":429,"extra":{}}', { status: 429, headers: retryAfter ? { 'Retry-After': retryAfter } : {} });
      };
      return { bodies, sleeps, fetch, sleep: async (ms: number) => void sleeps.push(ms) };
    }

    it('waits 1 s, 2 s, 4 s … without Retry-After, capped by maxDelayMs', async () => {
      const s = stub(10);
      const gh = new Gatehouse({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_x', fetch: s.fetch, sleep: s.sleep, retry: { maxRetries: 5, maxDelayMs: 3_000 } });
      expect((await gh.fetch('/v1/agents')).status).toBe(429);
      expect(s.sleeps).toEqual([1_000, 2_000]); // 4 s would exceed the cap: give up there
      expect(s.bodies).toHaveLength(3);
    });

    it('honours an HTTP-date Retry-After with the injected clock', async () => {
      const now = Date.UTC(2026, 0, 1);
      const s = stub(1, new Date(now + 7_000).toUTCString());
      const gh = new Gatehouse({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_x', fetch: s.fetch, sleep: s.sleep, now: () => now });
      expect(await gh.json('/v1/agents')).toEqual({});
      expect(s.sleeps).toEqual([7_000]);
    });

    it('sends a string body again, but never retries a streamed body', async () => {
      const s = stub(1, '0');
      const gh = new Gatehouse({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_x', fetch: s.fetch, sleep: s.sleep });
      expect((await gh.fetch('/v1/agents', { method: 'POST', body: '{"name":"a"}' })).status).toBe(200);
      expect(s.bodies).toEqual(['{"name":"a"}', '{"name":"a"}']);
      const t = stub(1, '0');
      const streamed = new Gatehouse({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_x', fetch: t.fetch, sleep: t.sleep });
      const body = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      expect((await streamed.fetch('/v1/agents', { method: 'POST', body })).status).toBe(429);
      expect(t.bodies).toHaveLength(1);
    });
  });
});
