/**
 * The agent skills as served by a deployment: its own URL, scope registry and token lifetime
 * filled in, and the documented requests working as written. The cURL examples are taken from
 * the served Markdown and run verbatim with the real `curl` (only the documented credential
 * placeholders are substituted); the JavaScript example runs in a real Node process.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { SKILLS_DIR } from '../../src/http/skills.js';
import type { ApiKeyRecord } from '../../src/core/model/api-key.js';
import { BACKENDS } from '../helpers/backends.js';
import { seedKey, seedUser, useServer } from '../helpers/server.js';

const run = promisify(execFile);
const SKILLS = ['gatehouse-api', 'gatehouse-authentication'];
// The first scope is the one the examples use; the descriptions need Markdown escaping.
const SCOPES = { 'projects.read': 'Read projects', read: 'Read resources', write: 'Create | modify resources', admin: 'Admin functions' };

/** The fenced code blocks of a language, in order. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

/** `- \`name\` (type): …` bullets under a heading, as {name: type}. */
function documentedFields(markdown: string, heading: string): Record<string, string> {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const section = markdown.slice(start + heading.length + 2).split(/\n## /)[0]!;
  return Object.fromEntries([...section.matchAll(/^- `(\w+)` \((\w+)\):/gm)].map((m) => [m[1]!, m[2]!]));
}

function expectShape(body: Record<string, unknown>, fields: Record<string, string>) {
  expect(Object.keys(body).sort()).toEqual(Object.keys(fields).sort());
  for (const [name, type] of Object.entries(fields)) {
    const value = body[name];
    if (type === 'integer') expect(Number.isInteger(value), name).toBe(true);
    else expect(typeof value, name).toBe(type);
  }
}

/** Runs a shell snippet exactly as written; returns stdout (curl -sS writes the body there). */
async function shell(script: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', script], { timeout: 20_000 });
  return stdout;
}

const replaceOnce = (text: string, placeholder: string, value: string) => {
  expect(text.split(placeholder).length - 1, placeholder).toBe(1);
  return text.replace(placeholder, value);
};

describe.each(BACKENDS)('agent skills served on $name', (backend) => {
  let key: ApiKeyRecord;
  let secret: string;
  const getServer = useServer(backend, { env: { GATEHOUSE_SCOPES: JSON.stringify(SCOPES), GATEHOUSE_JWT_TTL_SECONDS: '600' } }, async (server) => {
    const user = await seedUser(server);
    ({ key, secret } = await seedKey(server, user, Object.keys(SCOPES)));
  });
  const skill = async (name: string) => {
    const res = await fetch(`${getServer().url}/skills/${name}/SKILL.md`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    return res.text();
  };

  it('GET /skills lists every skill in the package with its description and URL', async (ctx) => {
    const server = getServer(ctx);
    const res = await fetch(`${server.url}/skills`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Array<{ name: string; description: string; url: string }> };
    expect(data.map((s) => s.name)).toEqual(SKILLS);
    for (const s of data) {
      expect(s.url).toBe(`${server.url}/skills/${s.name}/SKILL.md`);
      expect(s.description).toContain(server.url);
      expect(await skill(s.name)).toContain(`\nname: ${s.name}\n`);
    }
  });

  it.for(SKILLS)('%s is rendered with the server URL and every configured scope', async (name, ctx) => {
    const server = getServer(ctx);
    const template = readFileSync(new URL(`${name}/SKILL.md`, SKILLS_DIR), 'utf8');
    expect(template).toContain('{{BASE_URL}}');
    expect(template).toContain('{{SCOPES_TABLE}}');
    const markdown = await skill(name);
    expect(markdown).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(markdown).toContain(`${server.url}/`);
    expect(markdown).not.toContain('localhost:8080');
    expect(markdown).toContain('| Scope | Description |');
    for (const [scope, description] of Object.entries(SCOPES)) {
      expect(markdown).toContain(`| \`${scope}\` | ${description.replace('|', '\\|')} |`);
    }
  });

  it('an unknown skill is a 404 JSON error', async (ctx) => {
    const server = getServer(ctx);
    const res = await fetch(`${server.url}/skills/nope/SKILL.md`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'No skill named nope', status_code: 404, extra: {} });
  });

  it('the authentication skill’s cURL example works verbatim and returns the documented fields', async (ctx) => {
    const server = getServer(ctx);
    const markdown = await skill('gatehouse-authentication');
    const curls = blocks(markdown, 'bash').filter((b) => b.startsWith('curl '));
    expect(curls).toHaveLength(1);
    const example = curls[0]!;
    expect(example).toContain(`${server.url}/v0/auth`);
    const command = replaceOnce(replaceOnce(example, 'your_key_id', key.id), 'your_key_secret', secret);
    const body = JSON.parse(await shell(command)) as Record<string, unknown>;
    expectShape(body, documentedFields(markdown, '## Response Format'));
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'projects.read' });
    expect(markdown).toContain('"expires_in": 600');
    expect(markdown).toContain('"scope": "projects.read"');

    // The same command with a wrong secret: the documented error body, and a 401 row in the table.
    const { secret: other } = await seedKey(server, (await server.runtime.store.accounts.getUser(key.ownerId))!, ['read']);
    const refused = JSON.parse(await shell(replaceOnce(replaceOnce(example, 'your_key_id', key.id), 'your_key_secret', other))) as Record<string, unknown>;
    expectShape(refused, documentedFields(markdown, '## Error Responses'));
    expect(refused).toEqual({ detail: 'Invalid key_id or key_secret', status_code: 401, extra: {} });
    expect(markdown).toContain('| `401` | Unauthorized: unknown `key_id`, wrong `key_secret`');
  });

  it('the authentication skill’s JavaScript example prints the raw token response', async (ctx) => {
    getServer(ctx); // skips the test without a backend; the helpers below reach the server
    const markdown = await skill('gatehouse-authentication');
    const js = blocks(markdown, 'javascript');
    expect(js).toHaveLength(1);
    const source = replaceOnce(replaceOnce(js[0]!, 'your_key_id', key.id), 'your_key_secret', secret);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { timeout: 20_000 });
    const body = JSON.parse(stdout) as Record<string, unknown>;
    expectShape(body, documentedFields(markdown, '## Response Format'));
    expect(body.scope).toBe('projects.read');
  });

  it('the authentication skill’s `gatehouse token` line works as written', async (ctx) => {
    const server = getServer(ctx);
    const markdown = await skill('gatehouse-authentication');
    const line = blocks(markdown, 'bash').find((b) => b.includes('gatehouse token'));
    const m = /^GATEHOUSE_KEY_SECRET="your_key_secret" gatehouse (token [^\n]+)$/.exec(line ?? '');
    expect(m, line).not.toBeNull();
    const argv = replaceOnce(m![1]!, 'your_key_id', key.id).split(' ');
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { env: { ...server.backend.env, GATEHOUSE_KEY_SECRET: secret }, out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => '' };
    expect(await runCli(argv, io), err.join('\n')).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'projects.read' });
  });

  it('the API skill’s cURL example works verbatim with a key-pair token and with an API key', async (ctx) => {
    const server = getServer(ctx);
    const markdown = await skill('gatehouse-api');
    expect(markdown).toContain('which needs the scope `read`');
    const curls = blocks(markdown, 'bash').filter((b) => b.startsWith('curl '));
    expect(curls).toHaveLength(1);
    expect(curls[0]).toContain(`${server.url}/v1/agents`);
    const exchange = await fetch(`${server.url}/v0/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key_id: key.id, key_secret: secret, scopes: ['read'] }),
    });
    const token = ((await exchange.json()) as { access_token: string }).access_token;
    for (const credential of [token, secret]) {
      const body = JSON.parse(await shell(replaceOnce(curls[0]!, 'your_access_token', credential))) as { data: unknown[] };
      expect(body).toEqual({ data: [] });
    }
    // A token without the scope: the documented 403 body naming it in extra.required_scopes.
    const narrow = await fetch(`${server.url}/v0/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key_id: key.id, key_secret: secret, scopes: ['write'] }),
    });
    const narrowToken = ((await narrow.json()) as { access_token: string }).access_token;
    const refused = JSON.parse(await shell(replaceOnce(curls[0]!, 'your_access_token', narrowToken))) as Record<string, unknown>;
    expectShape(refused, documentedFields(markdown, '## Error Responses'));
    expect(refused).toMatchObject({ status_code: 403, extra: { required_scopes: ['read'] } });
  });
});

describe.each(BACKENDS)('agent skills with the sample API switched off on $name', (backend) => {
  const getServer = useServer(backend, { env: { GATEHOUSE_SAMPLE_API: 'false', GATEHOUSE_API_KEY_PREFIX: 'plat_' } });

  it('the API skill’s example calls an endpoint that exists, with the configured key prefix', async (ctx) => {
    const server = getServer(ctx);
    const markdown = await (await fetch(`${server.url}/skills/gatehouse-api/SKILL.md`)).text();
    expect(markdown).toContain('which needs the scope `admin`');
    expect(markdown).toContain('(`plat_…`)');
    expect(markdown).not.toContain('sk_');
    const curl = blocks(markdown, 'bash').find((b) => b.startsWith('curl '))!;
    expect(curl).toContain(`${server.url}/v1/api-keys`);
    const user = await seedUser(server);
    const { key, secret } = await seedKey(server, user, ['admin']);
    const body = JSON.parse(await shell(replaceOnce(curl, 'your_access_token', secret))) as { data: Array<{ key_id: string }> };
    expect(body.data.map((k) => k.key_id)).toEqual([key.id]);
  });
});
