import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/core/errors.js';
import {
  DEFAULT_SCOPES,
  SCOPE_TOKEN,
  assertKnown,
  createRegistry,
  missing,
  normalize,
  parseScopeString,
} from '../../src/core/scopes.js';

function thrown(fn: () => unknown): GatehouseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatehouseError);
    return err as GatehouseError;
  }
  throw new Error('expected a GatehouseError, nothing was thrown');
}

describe('default registry', () => {
  it('has read, write, delete and admin with the documented descriptions', () => {
    const registry = createRegistry(DEFAULT_SCOPES);
    expect([...registry.keys()]).toEqual(['read', 'write', 'delete', 'admin']);
    expect(registry.get('read')).toBe('Read resources');
    expect(registry.get('write')).toBe('Create and modify resources');
    expect(registry.get('delete')).toBe('Delete resources');
    expect(registry.get('admin')).toBe('Admin functions');
  });

  it('builds a registry from configured entries', () => {
    const registry = createRegistry({ 'interhumanai.upload': 'Upload media', 'billing:read': 'See invoices' });
    expect(registry.size).toBe(2);
    expect(registry.get('interhumanai.upload')).toBe('Upload media');
    expect(registry.has('read')).toBe(false);
  });
});

describe('parseScopeString and normalize', () => {
  it('splits on spaces, drops empty tokens and duplicates, keeps first-occurrence order', () => {
    expect(parseScopeString('read write')).toEqual(['read', 'write']);
    expect(parseScopeString('  write  read write ')).toEqual(['write', 'read']);
    expect(parseScopeString('')).toEqual([]);
    expect(parseScopeString('   ')).toEqual([]);
  });

  it('is case-sensitive (RFC 6749 §3.3)', () => {
    expect(parseScopeString('read READ Read')).toEqual(['read', 'READ', 'Read']);
  });

  it('normalize removes duplicates without reordering', () => {
    expect(normalize(['delete', 'read', 'delete', 'read', 'write'])).toEqual(['delete', 'read', 'write']);
    expect(normalize([])).toEqual([]);
  });

  it('SCOPE_TOKEN accepts RFC 6749 scope tokens and refuses space, quote and backslash', () => {
    for (const ok of ['read', 'interhumanai.upload', 'billing:read', 'a/b', '!#~']) expect(SCOPE_TOKEN.test(ok), ok).toBe(true);
    for (const bad of ['', 'a b', 'a"b', 'a\\b', 'é', 'a\tb']) expect(SCOPE_TOKEN.test(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('assertKnown', () => {
  const registry = createRegistry(DEFAULT_SCOPES);

  it('accepts known scopes and the empty set', () => {
    expect(() => assertKnown(registry, ['read', 'write', 'delete', 'admin'])).not.toThrow();
    expect(() => assertKnown(registry, [])).not.toThrow();
  });

  it('refuses with 400 invalid_request naming every unknown scope', () => {
    const err = thrown(() => assertKnown(registry, ['read', 'superuser', 'write', 'Read']));
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.expose).toBe(true);
    expect(err.extra.unknown_scopes).toEqual(['superuser', 'Read']);
    expect(err.detail).toContain('superuser');
    expect(err.detail).toContain('Read');
  });

  it('uses the configured registry, not the defaults', () => {
    const custom = createRegistry({ 'interhumanai.upload': 'Upload media' });
    expect(() => assertKnown(custom, ['interhumanai.upload'])).not.toThrow();
    expect(thrown(() => assertKnown(custom, ['read'])).extra.unknown_scopes).toEqual(['read']);
  });
});

describe('missing', () => {
  it('missing lists wanted scopes that are not held, in wanted order', () => {
    expect(missing(['read', 'write'], ['write', 'admin', 'delete'])).toEqual(['admin', 'delete']);
    expect(missing(['read'], [])).toEqual([]);
    expect(missing([], ['read'])).toEqual(['read']);
  });
});
