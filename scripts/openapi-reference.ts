/**
 * Renders docs/api-reference.md from the server's own OpenAPI document (`GET /openapi.json`):
 * every path and method with its summary, authentication, parameters, request body fields and
 * responses, then every named schema. The app is built in-process on a throw-away SQLite
 * directory with a fixed configuration, so the output depends only on the code.
 *
 *   npx tsx scripts/openapi-reference.ts           writes docs/api-reference.md
 *   npx tsx scripts/openapi-reference.ts --check   exits 1 when the file is stale
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../packages/server/src/config.js';
import { createApp } from '../packages/server/src/http/app.js';
import { buildRuntime } from '../packages/server/src/runtime.js';

export const REFERENCE_PATH = fileURLToPath(new URL('../docs/api-reference.md', import.meta.url));
/** The example deployment the reference describes. */
export const EXAMPLE_ISSUER = 'http://localhost:8080';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Media {
  schema?: Schema;
}
export interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media>; headers?: Record<string, { description?: string }> }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { type: string; scheme?: string; description?: string }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Builds the app in-process; `run` gets it and the document, then everything is torn down. */
export async function withApp<T>(run: (app: ReturnType<typeof createApp>, document: OpenApiDocument) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'));
  const config = loadConfig({ GATEHOUSE_DATA_DIR: dir, GATEHOUSE_ISSUER: EXAMPLE_ISSUER, GATEHOUSE_LOG_LEVEL: 'silent' });
  const runtime = await buildRuntime(config);
  try {
    const app = createApp(runtime);
    const res = await app.request('/openapi.json');
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return await run(app, (await res.json()) as OpenApiDocument);
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- rendering ---------------------------------------------------------------------------

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

const cell = (text: string) => text.replace(/\r?\n+/g, ' ').replace(/\|/g, '\\|').trim();
const lit = (v: unknown) => `\`${JSON.stringify(v)}\``;
const refName = (ref: string) => ref.replace('#/components/schemas/', '');

function typeOf(s: Schema | undefined): string {
  if (!s) return '';
  if (s.$ref) {
    const name = refName(s.$ref);
    return `[${name}](#${anchor(name)})`;
  }
  if (s.const !== undefined) return lit(s.const);
  if (s.enum) return s.enum.map(lit).join(' or ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  if (s.allOf) return s.allOf.map(typeOf).join(' and ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const one = (t: string): string => {
    if (t === 'array') return `array of ${typeOf(s.items) || 'any'}`;
    if (t === 'object' && s.properties) {
      const required = new Set(s.required ?? []);
      return `{ ${Object.entries(s.properties).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeOf(v)}`).join(', ')} }`;
    }
    if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      return `map of ${typeOf(s.additionalProperties) || 'any'}`;
    }
    return s.format ? `${t} (${s.format})` : t;
  };
  return types.length > 0 ? types.map(one).join(' or ') : 'any';
}

/** "1–100", "≥ 1", "≤ 100", "> 0, ≤ 10" */
function bounds(min: number | undefined, max: number | undefined, exclusiveMin?: number, exclusiveMax?: number): string | undefined {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  const parts = [
    min !== undefined ? `≥ ${min}` : exclusiveMin !== undefined ? `> ${exclusiveMin}` : '',
    max !== undefined ? `≤ ${max}` : exclusiveMax !== undefined ? `< ${exclusiveMax}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function rules(s: Schema): string[] {
  const out: string[] = [];
  const length = bounds(s.minLength, s.maxLength);
  if (length) out.push(`length ${length}`);
  const items = bounds(s.minItems, s.maxItems);
  if (items) out.push(`items ${items}`);
  const range = bounds(s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum);
  if (range) out.push(`value ${range}`);
  if (s.pattern !== undefined) out.push(`pattern \`${s.pattern}\``);
  if (s.default !== undefined) out.push(`default ${lit(s.default)}`);
  return out;
}

const describe = (s: Schema) => cell([s.description ?? '', ...rules(s)].filter(Boolean).join('; '));

interface Field {
  name: string;
  schema: Schema;
  required: boolean;
}

/** An object's fields; inline nested objects (and arrays of them) are flattened as `a.b` / `a[].b`. */
function fields(s: Schema, prefix = '', depth = 0): Field[] {
  const required = new Set(s.required ?? []);
  const out: Field[] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    out.push({ name: path, schema: prop, required: required.has(name) });
    if (depth < 3 && prop.properties) out.push(...fields(prop, `${path}.`, depth + 1));
    if (depth < 3 && prop.items?.properties) out.push(...fields(prop.items, `${path}[].`, depth + 1));
  }
  return out;
}

function fieldTable(list: Field[]): string[] {
  return ['| Field | Type | Required | Description |', '|---|---|---|---|', ...list.map((f) => `| \`${f.name}\` | ${cell(typeOf(f.schema))} | ${f.required ? 'yes' : 'no'} | ${describe(f.schema)} |`)];
}

function resolve(doc: OpenApiDocument, s: Schema | undefined): Schema | undefined {
  return s?.$ref ? doc.components?.schemas?.[refName(s.$ref)] : s;
}

function security(doc: OpenApiDocument, op: Operation): string {
  const reqs = op.security ?? [];
  if (reqs.length === 0) return 'none';
  return reqs
    .map((req) => {
      const names = Object.keys(req);
      if (names.length === 0) return 'none';
      return names
        .map((n) => {
          const scheme = doc.components?.securitySchemes?.[n];
          return scheme?.scheme === 'bearer' ? `\`Authorization: Bearer …\` (${n})` : scheme?.scheme === 'basic' ? `HTTP Basic (${n})` : n;
        })
        .join(' and ');
    })
    .join(', or ');
}

function operation(doc: OpenApiDocument, method: string, path: string, op: Operation): string[] {
  const out = [`### ${method.toUpperCase()} ${path}`, ''];
  if (op.summary) out.push(op.summary, '');
  if (op.description) out.push(op.description, '');
  out.push(`Authentication: ${security(doc, op)}`, '');
  if (op.parameters?.length) {
    out.push('**Parameters**', '', '| Name | In | Type | Required | Description |', '|---|---|---|---|---|');
    for (const p of op.parameters) {
      const schema = p.schema ?? {};
      const text = [p.description ?? schema.description ?? '', ...rules(schema)].filter(Boolean).join('; ');
      out.push(`| \`${p.name}\` | ${p.in} | ${cell(typeOf(schema))} | ${p.required ? 'yes' : 'no'} | ${cell(text)} |`);
    }
    out.push('');
  }
  if (op.requestBody) {
    for (const [type, media] of Object.entries(op.requestBody.content)) {
      const named = media.schema?.$ref ? ` — ${typeOf(media.schema)}` : '';
      out.push(`**Request body** (\`${type}\`, ${op.requestBody.required ? 'required' : 'optional'})${named}`, '');
      const schema = resolve(doc, media.schema);
      const list = schema ? fields(schema) : [];
      out.push(...(list.length > 0 ? fieldTable(list) : [`Type: ${typeOf(media.schema)}`]), '');
    }
  }
  out.push('**Responses**', '', '| Status | Description | Content |', '|---|---|---|');
  for (const [status, res] of Object.entries(op.responses)) {
    const content = Object.entries(res.content ?? {})
      .map(([type, media]) => `\`${type}\`: ${typeOf(media.schema)}`)
      .join('; ');
    out.push(`| ${status} | ${cell(res.description ?? '')} | ${cell(content) || '—'} |`);
  }
  out.push('');
  return out;
}

export function renderApiReference(doc: OpenApiDocument): string {
  const ops: Array<{ method: string; path: string; op: Operation; tag: string }> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) ops.push({ method, path, op, tag: op.tags?.[0] ?? 'Other' });
    }
  }
  const tags = [...new Set(ops.map((o) => o.tag))];
  const out = [
    '# API reference',
    '',
    '<!-- Generated from GET /openapi.json by scripts/openapi-reference.ts (npm run docs:api). Do not edit by hand. -->',
    '',
    `${doc.info.title} ${doc.info.version}, OpenAPI ${doc.openapi}. ${doc.info.description ?? ''}`.trim(),
    '',
    `The machine-readable document is served at \`GET /openapi.json\`. URLs below use the example issuer \`${EXAMPLE_ISSUER}\`;`,
    'a deployment serves the same paths under its own `GATEHOUSE_ISSUER`. The `/v1/agents` routes exist only while',
    '`GATEHOUSE_SAMPLE_API` is on (the default). Errors of `/v0` and `/v1` are [Error](#error) bodies; the `/oauth/*`',
    'endpoints answer [OAuthError](#oautherror) bodies (see [errors.md](errors.md)).',
    '',
    '## Contents',
    '',
    '| Method | Path | Summary |',
    '|---|---|---|',
    ...ops.map((o) => `| ${o.method.toUpperCase()} | [\`${o.path}\`](#${anchor(`${o.method} ${o.path}`)}) | ${cell(o.op.summary ?? '') || '—'} |`),
    '',
  ];
  for (const tag of tags) {
    out.push(`## ${tag}`, '');
    for (const o of ops.filter((x) => x.tag === tag)) out.push(...operation(doc, o.method, o.path, o.op));
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  if (schemas.length > 0) {
    out.push('## Schemas', '');
    for (const [name, schema] of schemas) {
      out.push(`### ${name}`, '');
      if (schema.description) out.push(cell(schema.description), '');
      const list = fields(schema);
      out.push(...(list.length > 0 ? fieldTable(list) : [`Type: ${typeOf(schema)}`]), '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export async function generateApiReference(): Promise<string> {
  return withApp((_app, document) => renderApiReference(document));
}

async function main(argv: string[]): Promise<number> {
  const text = await generateApiReference();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(REFERENCE_PATH, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === text) return 0;
    process.stderr.write('docs/api-reference.md is stale: run `npm run docs:api`\n');
    return 1;
  }
  writeFileSync(REFERENCE_PATH, text);
  process.stdout.write(`wrote docs/api-reference.md (${text.split('\n').length - 1} lines)\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
