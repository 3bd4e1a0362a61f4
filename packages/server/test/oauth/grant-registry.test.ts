/**
 * The token endpoint's grant registry (src/core/oauth/grants/index.ts): `grant_type` → handler,
 * unknown values (the implicit and password grants included) refused with
 * `unsupported_grant_type`, and the parameter list the token endpoint builds its form schema
 * and documentation from. A grant declared in a test and registered with one line is
 * dispatched like the built-in ones: extension by addition.
 */
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/core/errors.js';
import { GrantRegistry, grants } from '../../src/core/oauth/grants/index.js';
import type { Runtime } from '../../src/core/runtime.js';
import { defineGrant } from '../../src/core/oauth/grants/grant.js';
import type { ClientRecord } from '../../src/core/model/client.js';

/** A grant that answers with what it was given, so dispatch and parameters can be observed. */
const echoGrant = defineGrant({
  type: 'urn:example:echo',
  parameters: { subject: 'who to echo', scope: 'the scope to echo' },
  async handle(_rt, client, params) {
    return { access_token: `echo:${client.id}:${params.subject ?? ''}`, token_type: 'Bearer', expires_in: 1, scope: params.scope ?? '' };
  },
});

const client = { id: 'app_test' } as ClientRecord;
const rt = {} as Runtime;

const refusal = (fn: () => unknown): GatehouseError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatehouseError) return err;
    throw err;
  }
  throw new Error('expected a GatehouseError');
};

describe('the grant registry', () => {
  it('serves authorization_code, refresh_token and client_credentials, in that order', () => {
    expect(grants.types).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    for (const type of grants.types) expect(grants.get(type).type).toBe(type);
  });

  it.for(['password', 'implicit', 'token', '', 'AUTHORIZATION_CODE', '__proto__'])('refuses grant_type %j with unsupported_grant_type', (type) => {
    const err = refusal(() => grants.get(type));
    expect(err.code).toBe('unsupported_grant_type');
    expect(err.status).toBe(400);
    expect(err.detail).toBe(`grant_type ${type} is not supported`);
  });

  it('lists each parameter once, naming the grants that read it', () => {
    expect(grants.parameters()).toEqual([
      { name: 'code', description: 'authorization_code: the code from the redirect' },
      { name: 'redirect_uri', description: 'authorization_code: the redirect URI of the authorization request' },
      { name: 'code_verifier', description: 'authorization_code: the PKCE verifier' },
      { name: 'refresh_token', description: 'refresh_token: the current `rt_…`' },
      { name: 'scope', description: 'refresh_token / client_credentials: narrower scopes (never wider)' },
    ]);
  });

  it('dispatches a grant added with one registration line, and merges its parameters', async () => {
    const registry = new GrantRegistry([...['authorization_code', 'client_credentials'].map((t) => grants.get(t)), echoGrant]);
    expect(registry.types).toEqual(['authorization_code', 'client_credentials', 'urn:example:echo']);
    const response = await registry.get('urn:example:echo').handle(rt, client, { subject: 'alice', scope: 'read', unrelated: 'x' });
    expect(response).toEqual({ access_token: 'echo:app_test:alice', token_type: 'Bearer', expires_in: 1, scope: 'read' });
    const params = registry.parameters();
    expect(params.map((p) => p.name)).toEqual(['code', 'redirect_uri', 'code_verifier', 'scope', 'subject']);
    // Described differently by two grants: one clause each.
    expect(params.find((p) => p.name === 'scope')?.description).toBe('client_credentials: narrower scopes (never wider); urn:example:echo: the scope to echo');
  });

  it('refuses to register one grant_type twice', () => {
    expect(() => new GrantRegistry([echoGrant, echoGrant])).toThrow(/registered twice/);
  });
});
