/**
 * The pure parts of gatehouse/verify: Bearer parsing, scope checks, the RFC 6750 challenge
 * and the error body, and RFC 9728 metadata and its URL.
 */
import { describe, expect, it } from 'vitest';
import {
  VerifyError,
  bearerToken,
  parseBearer,
  formatWwwAuthenticate,
  insufficientScope,
  invalidToken,
  metadataUrl,
  missingCredentials,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
  requireScopes,
} from '../src/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('bearerToken', () => {
  it('reads exactly one RFC 6750 b64token', () => {
    expect(bearerToken('Bearer sk_abc')).toBe('sk_abc');
    expect(bearerToken('bearer   a.b-c_d~e+f/g==')).toBe('a.b-c_d~e+f/g==');
    for (const bad of ['', 'Bearer', 'Bearer a b', 'Basic abc', 'Bearer a"b', 'Bearer ab\u00e9', ['Bearer a', 'Bearer b']]) {
      const err = thrown(() => bearerToken(bad));
      expect(err).toBeInstanceOf(VerifyError);
      expect(err).toMatchObject({ status: 401, error: 'invalid_token', credentialsSent: true });
    }
  });

  it('parseBearer answers the same token, or undefined instead of throwing', () => {
    expect(parseBearer('Bearer sk_abc')).toBe('sk_abc');
    expect(parseBearer('bearer   a.b-c_d~e+f/g==')).toBe('a.b-c_d~e+f/g==');
    for (const bad of ['', 'Bearer', 'Bearer a b', 'Basic abc', 'Bearer a"b']) expect(parseBearer(bad)).toBeUndefined();
  });

  it('tells "no credentials" apart (no error code in the challenge)', () => {
    for (const none of [undefined, null]) {
      const err = thrown(() => bearerToken(none)) as VerifyError;
      expect(err.credentialsSent).toBe(false);
      expect(err.wwwAuthenticate()).toBe('Bearer realm="api"');
    }
  });
});

describe('requireScopes', () => {
  it('passes when every scope is held and names every missing one otherwise', () => {
    expect(() => requireScopes('read', 'write')({ scopes: ['write', 'read', 'admin'] })).not.toThrow();
    expect(() => requireScopes()({ scopes: [] })).not.toThrow();
    const err = thrown(() => requireScopes('read', 'write', 'delete')({ scopes: ['read'] })) as VerifyError;
    expect(err).toMatchObject({ status: 403, error: 'insufficient_scope', scope: ['write', 'delete'] });
    expect(err.body()).toEqual({ detail: 'Missing required scope: write delete', status_code: 403, extra: { required_scopes: ['write', 'delete'] } });
    expect(err.wwwAuthenticate({ realm: 'x' })).toBe('Bearer realm="x", error="insufficient_scope", scope="write delete"');
    // Scopes are case-sensitive tokens (RFC 6749 §3.3).
    expect(() => requireScopes('Read')({ scopes: ['read'] })).toThrow(VerifyError);
  });
});

describe('WWW-Authenticate', () => {
  it('renders each RFC 6750 §3 form, with resource_metadata when configured', () => {
    const meta = 'https://api.example.com/.well-known/oauth-protected-resource';
    expect(missingCredentials().wwwAuthenticate({ realm: 'r', resourceMetadata: meta })).toBe(`Bearer realm="r", resource_metadata="${meta}"`);
    expect(invalidToken('Token expired').wwwAuthenticate({ realm: 'r' })).toBe('Bearer realm="r", error="invalid_token", error_description="Token expired"');
    expect(insufficientScope(['admin']).wwwAuthenticate({ resourceMetadata: meta })).toBe(`Bearer realm="api", error="insufficient_scope", scope="admin", resource_metadata="${meta}"`);
    expect(invalidToken('x').body()).toEqual({ detail: 'x', status_code: 401, extra: {} });
  });

  it('keeps quoted values inside the RFC 6750 character set (no header injection)', () => {
    const header = formatWwwAuthenticate({ realm: 'a"b', error: 'invalid_token', errorDescription: 'say "hi"\r\nSet-Cookie: x=1 \\ é' });
    expect(header).toBe(`Bearer realm="a'b", error="invalid_token", error_description="say 'hi'Set-Cookie: x=1  "`);
    expect(header).not.toMatch(/[\r\n\\]/);
  });
});

describe('metadata URLs', () => {
  it('builds RFC 9728 metadata, and its well-known URL with the path after the suffix', () => {
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://id.example.com'], scopesSupported: ['read', 'write'] })).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://id.example.com'],
      scopes_supported: ['read', 'write'],
      bearer_methods_supported: ['header'],
    });
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://id.example.com'], resourceName: 'Orders', resourceDocumentation: 'https://docs.example.com' })).toMatchObject({
      resource_name: 'Orders',
      resource_documentation: 'https://docs.example.com',
    });
    expect(protectedResourceMetadataUrl('https://api.example.com')).toBe('https://api.example.com/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://api.example.com/v1')).toBe('https://api.example.com/.well-known/oauth-protected-resource/v1');
    expect(protectedResourceMetadataPath('https://api.example.com/v1/')).toBe('/.well-known/oauth-protected-resource/v1');
    expect(() => protectedResourceMetadata({ resource: 'https://api.example.com#x', authorizationServers: ['https://id.example.com'] })).toThrow(TypeError);
    expect(() => protectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: [] })).toThrow(TypeError);
  });

  it('finds RFC 8414 metadata for issuers with and without a path', () => {
    expect(metadataUrl('https://id.example.com')).toBe('https://id.example.com/.well-known/oauth-authorization-server');
    expect(metadataUrl('https://id.example.com/tenant')).toBe('https://id.example.com/.well-known/oauth-authorization-server/tenant');
  });
});
