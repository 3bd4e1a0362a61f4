/**
 * docs/api-reference.md is generated from GET /openapi.json (scripts/openapi-reference.ts).
 * These tests regenerate it in memory and fail when the committed file is stale, and check
 * that the OpenAPI document covers every route the app serves — the form-encoded OAuth
 * endpoints, the discovery documents and the skills included — and nothing it does not.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OpenApiDocument, REFERENCE_PATH, anchor, renderApiReference, withApp } from '../../../../scripts/openapi-reference.js';

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** Server-rendered pages and their assets are not an API. */
const isPage = (path: string) => path === '/' || path === '/console' || path.startsWith('/console/') || path.startsWith('/assets/');

let served: string[];
let document: OpenApiDocument;
let generated: string;

beforeAll(async () => {
  ({ served, document } = await withApp((app, doc) => ({
    served: [
      ...new Set(
        app.routes
          .filter((r) => METHODS.has(r.method.toLowerCase()) && !isPage(r.path))
          .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`),
      ),
    ].sort(),
    document: doc,
  })));
  generated = renderApiReference(document);
});

const documented = () =>
  Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.has(m)).map((m) => `${m} ${path}`))
    .sort();

describe('the OpenAPI document', () => {
  it('documents every non-page route the app serves, and nothing else', () => {
    expect(served.length).toBeGreaterThan(20);
    expect(documented()).toEqual(served);
  });

  it.for<[string, string, string]>([
    ['post', '/oauth/token', 'application/x-www-form-urlencoded'],
    ['post', '/oauth/revoke', 'application/x-www-form-urlencoded'],
    ['post', '/oauth/introspect', 'application/x-www-form-urlencoded'],
    ['post', '/oauth/authorize', 'application/x-www-form-urlencoded'],
    ['post', '/v0/auth', 'application/json'],
  ])('%s %s documents its %s body', ([method, path, type]) => {
    const op = document.paths[path]?.[method];
    expect(op?.requestBody?.required).toBe(true);
    expect(op?.requestBody?.content[type]?.schema).toBeDefined();
  });

  it('describes the OAuth endpoints with RFC 6749 error bodies and client authentication', () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
      const op = document.paths[path]?.post;
      expect(op?.security, path).toEqual([{ clientBasic: [] }, {}]);
      expect(op?.responses['401']?.content?.['application/json']?.schema?.$ref, path).toBe('#/components/schemas/OAuthError');
    }
    expect(document.components?.securitySchemes?.clientBasic).toMatchObject({ type: 'http', scheme: 'basic' });
    const token = document.components?.schemas?.OAuthTokenResponse;
    expect(Object.keys(token?.properties ?? {}).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(document.paths['/oauth/authorize']?.get?.parameters?.map((p) => p.name)).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
    ]);
  });

  it('describes the discovery documents with the fields the server really sends', async () => {
    const fields = (name: string) => Object.keys(document.components?.schemas?.[name]?.properties ?? {}).sort();
    await withApp(async (app) => {
      const metadata = (await (await app.request('/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
      expect(fields('AuthorizationServerMetadata')).toEqual(Object.keys(metadata).sort());
      const jwks = (await (await app.request('/.well-known/jwks.json')).json()) as Record<string, unknown>;
      expect(fields('JsonWebKeySet')).toEqual(Object.keys(jwks).sort());
      const skills = (await (await app.request('/skills')).json()) as { data: Array<Record<string, unknown>> };
      expect(Object.keys(document.components?.schemas?.SkillList?.properties?.data?.items?.properties ?? {}).sort()).toEqual(Object.keys(skills.data[0] ?? {}).sort());
    });
  });
});

describe('docs/api-reference.md', () => {
  it('is up to date with GET /openapi.json (regenerate with `npm run docs:api`)', () => {
    const committed = readFileSync(REFERENCE_PATH, 'utf8');
    // One assertion with a readable diff; the message says how to fix it.
    expect(committed, 'docs/api-reference.md is stale: run `npm run docs:api`').toBe(generated);
  });

  it('has a section for every operation, linked from the contents, and one for every schema', () => {
    for (const op of documented()) {
      const [method, path] = op.split(' ') as [string, string];
      const heading = `${method.toUpperCase()} ${path}`;
      expect(generated).toContain(`\n### ${heading}\n`);
      expect(generated).toContain(`](#${anchor(heading)})`);
    }
    for (const name of Object.keys(document.components?.schemas ?? {})) expect(generated).toContain(`\n### ${name}\n`);
  });

  it('lists request body fields, parameters and responses', () => {
    const section = (heading: string) => generated.slice(generated.indexOf(`\n### ${heading}\n`)).split('\n### ')[1]!;
    const auth = section('POST /v0/auth');
    for (const field of ['key_id', 'key_secret', 'scopes']) expect(auth).toContain(`| \`${field}\` | `);
    for (const status of ['200', '400', '401', '403', '422', '429']) expect(auth).toContain(`\n| ${status} | `);
    const token = section('POST /oauth/token');
    expect(token).toContain('`application/x-www-form-urlencoded`, required');
    expect(token).toContain('| `grant_type` | `"authorization_code"` or `"refresh_token"` or `"client_credentials"` | yes |');
    expect(section('GET /v1/admin/audit-log')).toMatch(/\| `limit` \| query \| integer \| no \| .*default `50`/);
    expect(section('GET /skills/{name}/SKILL.md')).toContain('| `name` | path | string | yes |');
  });
});
