/**
 * The stateful load pipelines, driven the way autocannon drives them (setupRequest before each
 * request, onResponse after it), without a server: token pools must never send a refresh token
 * twice, and a code flow must carry the code from the redirect into the token request.
 */
import type autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { codeFlow, headerValue, randomCredential, refreshChain } from '../targets/flows.js';
import { codeFrom as gatehouseCodeFrom, refreshBody } from '../targets/gatehouse-oauth.js';
import { codeFrom as peerCodeFrom } from '../targets/peer-client.js';
import { PEER_REDIRECT_URI } from '../targets/peer-constants.js';

type Req = autocannon.Request;
const setup = (r: Req, context: object = {}) => (r.setupRequest as (req: Req, ctx: object) => Req)({ ...r }, context);
const respond = (r: Req, status: number, body: string, context: object = {}, headers: Record<string, string> = {}) =>
  (r.onResponse as (s: number, b: string, c: object, h: Record<string, string>) => void)(status, body, context, headers);

describe('refreshChain', () => {
  it('spends each token once and continues with the rotated one', () => {
    const batches = [['rt_a', 'rt_b']];
    const [req] = refreshChain('/oauth/token', { 'content-type': 'x' }, () => batches.shift() ?? [], (t) => `refresh_token=${t}`)();
    const sent: string[] = [];
    // Two connections start, each with a token of its own.
    sent.push(String(setup(req!).body), String(setup(req!).body));
    respond(req!, 200, JSON.stringify({ refresh_token: 'rt_c' }));
    sent.push(String(setup(req!).body));
    respond(req!, 200, JSON.stringify({ refresh_token: 'rt_d' }));
    sent.push(String(setup(req!).body));
    expect(sent).toEqual(['refresh_token=rt_b', 'refresh_token=rt_a', 'refresh_token=rt_c', 'refresh_token=rt_d']);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('takes a fresh batch for every run and never reuses a failed token', () => {
    const batches = [['rt_warm'], ['rt_measured']];
    const factory = refreshChain('/t', {}, () => batches.shift() ?? [], (t) => t);
    const [warm] = factory();
    expect(setup(warm!).body).toBe('rt_warm');
    respond(warm!, 400, '{"error":"invalid_grant"}');
    expect(setup(warm!).body).toBe('pool-exhausted');
    const [measured] = factory();
    expect(setup(measured!).body).toBe('rt_measured');
  });

  it('url-encodes tokens in the Gatehouse refresh body', () => {
    expect(refreshBody('rt_a+b/c')).toBe('grant_type=refresh_token&refresh_token=rt_a%2Bb%2Fc');
  });
});

describe('codeFlow', () => {
  it('reads the code from the Location header, whatever its case, and exchanges it', () => {
    const [authorize, token] = codeFlow({
      authorizePath: '/oauth/authorize?x=1',
      sessionCookie: 'gh_session=s',
      tokenPath: '/oauth/token',
      tokenHeaders: { authorization: 'Basic abc' },
      codeFrom: gatehouseCodeFrom,
      tokenBody: (code) => `code=${code}`,
    })();
    expect(authorize).toMatchObject({ method: 'GET', path: '/oauth/authorize?x=1', headers: { cookie: 'gh_session=s' } });
    const context = {};
    respond(authorize!, 303, '', context, { Location: `${PEER_REDIRECT_URI}?code=ac_123&iss=x` });
    expect(setup(token!, context)).toMatchObject({ method: 'POST', path: '/oauth/token', body: 'code=ac_123', headers: { authorization: 'Basic abc' } });
  });

  it('sends a code that cannot work when the redirect carried none (counted as a bad response)', () => {
    const [authorize, token] = codeFlow({ authorizePath: '/a', sessionCookie: '', tokenPath: '/t', tokenHeaders: {}, codeFrom: peerCodeFrom, tokenBody: (c) => c })();
    const context = {};
    respond(authorize!, 303, '', context, { location: '/console/login?next=x' });
    expect(setup(token!, context).body).toBe('missing-code');
  });
});

describe('helpers', () => {
  it('headerValue ignores case and takes the first of repeated headers', () => {
    expect(headerValue({ LOCATION: 'a' }, 'location')).toBe('a');
    expect(headerValue({ 'set-cookie': ['x', 'y'] }, 'Set-Cookie')).toBe('x');
    expect(headerValue({}, 'location')).toBeUndefined();
    expect(headerValue(undefined, 'location')).toBeUndefined();
  });

  it('codeFrom accepts only redirects to the registered callback', () => {
    expect(peerCodeFrom(`${PEER_REDIRECT_URI}?code=abc`)).toBe('abc');
    expect(peerCodeFrom('http://evil.example/callback?code=abc')).toBeUndefined();
    expect(gatehouseCodeFrom(`${PEER_REDIRECT_URI}?error=access_denied`)).toBeUndefined();
    expect(gatehouseCodeFrom(undefined)).toBeUndefined();
  });

  it('randomCredential spreads requests over the whole credential set', () => {
    const creds = Array.from({ length: 10 }, (_, i) => `Bearer sk_${i}`);
    const [req] = randomCredential('/v1/agents', creds)();
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(String((setup(req!).headers as Record<string, string>).authorization));
    expect(seen).toEqual(new Set(creds));
  });
});
