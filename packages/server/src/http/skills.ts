/**
 * GET /skills and GET /skills/<name>/SKILL.md: the agent skills shipped in the package's
 * `skills/` directory, rendered for this deployment (its base URL, scope registry, token
 * lifetime and key prefix), so an agent pointed at the server reads instructions that work
 * against it as written. The files are read and rendered once, when the app is built.
 *
 * Placeholders (`{{NAME}}`), replaced in one pass so a value is never expanded again:
 *   BASE_URL            the issuer, e.g. https://auth.example.com
 *   SCOPES_TABLE        a Markdown table of scope → description
 *   SCOPES_LIST         the scope names, comma-separated, each in backticks
 *   EXAMPLE_SCOPE       the first scope of the registry
 *   TOKEN_TTL_SECONDS   `expires_in` of key-pair tokens
 *   API_KEY_PREFIX      the API-key prefix, e.g. sk_
 *   EXAMPLE_PATH        an endpoint to show a call with, and EXAMPLE_PATH_SCOPE the scope it needs
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRoute, z } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import { notFound } from '../core/errors.js';
import { ErrorBody, jsonRouter } from './api/openapi.js';
import type { Runtime } from '../core/runtime.js';

/** `skills/` at the package root: two levels up from both `src/http/` and `dist/http/`. */
export const SKILLS_DIR = new URL('../../skills/', import.meta.url);

const NAME = /^[a-z0-9][a-z0-9-]*$/;

export interface SkillTemplate {
  name: string;
  markdown: string;
}

/** Every `skills/<name>/SKILL.md`, sorted by name. */
export function loadSkillTemplates(dir: URL = SKILLS_DIR): SkillTemplate[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && NAME.test(e.name) && existsSync(new URL(`${e.name}/SKILL.md`, dir)))
    .map((e) => ({ name: e.name, markdown: readFileSync(new URL(`${e.name}/SKILL.md`, dir), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Inline code that survives any scope token (which may contain backticks) inside a table cell. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = fence.length > 1 ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`.replace(/\|/g, '\\|');
}

const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

export function skillValues(config: Config): Record<string, string> {
  const scopes = Object.entries(config.scopes);
  return {
    BASE_URL: config.issuer,
    SCOPES_TABLE: ['| Scope | Description |', '|---|---|', ...scopes.map(([name, description]) => `| ${code(name)} | ${cell(description)} |`)].join('\n'),
    SCOPES_LIST: scopes.map(([name]) => code(name)).join(', '),
    EXAMPLE_SCOPE: scopes[0]?.[0] ?? 'read',
    TOKEN_TTL_SECONDS: String(config.jwtTtlSeconds),
    API_KEY_PREFIX: config.prefixes.apiKey,
    // The sample API's list needs `read`; without it, the key list needs `admin` (see src/http/api).
    EXAMPLE_PATH: config.sampleApi ? '/v1/agents' : '/v1/api-keys',
    EXAMPLE_PATH_SCOPE: config.sampleApi ? 'read' : 'admin',
  };
}

/** Replaces known `{{NAME}}` placeholders in one pass; unknown ones stay as written. */
export function renderSkill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? values[key]! : whole));
}

/** The `key: value` lines of a SKILL.md front matter (between the leading `---` lines). */
export function frontMatter(markdown: string): Record<string, string> {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(markdown);
  const out: Record<string, string> = {};
  for (const line of m?.[1]?.split(/\r?\n/) ?? []) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

const SkillList = z
  .object({
    data: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        url: z.string().describe('Where the rendered SKILL.md is served'),
      }),
    ),
  })
  .openapi('SkillList');

const listRoute = createRoute({
  method: 'get',
  path: '/skills',
  tags: ['Agent skills'],
  summary: 'The agent skills this server serves',
  responses: { 200: { description: 'Every skill, with its description and URL', content: { 'application/json': { schema: SkillList } } } },
});

const skillRoute = createRoute({
  method: 'get',
  path: '/skills/{name}/SKILL.md',
  tags: ['Agent skills'],
  summary: "One agent skill, rendered with this server's URL and scopes",
  request: { params: z.object({ name: z.string().describe('e.g. `gatehouse-authentication`') }) },
  responses: {
    200: { description: 'The skill', content: { 'text/markdown': { schema: z.string() } } },
    404: { description: 'No such skill', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function skillRoutes(rt: Runtime) {
  const { config, log } = rt;
  const values = skillValues(config);
  const templates = loadSkillTemplates();
  if (templates.length === 0) log.warn('no agent skills found', { dir: SKILLS_DIR.pathname });
  const skills = new Map(templates.map((t) => [t.name, renderSkill(t.markdown, values)]));
  const listing = {
    data: [...skills].map(([name, markdown]) => ({
      name,
      description: frontMatter(markdown).description ?? '',
      url: `${config.issuer}/skills/${name}/SKILL.md`,
    })),
  };

  return jsonRouter()
    .openapi(listRoute, (c) => c.json(listing, 200, { 'Cache-Control': 'public, max-age=300' }))
    .openapi(skillRoute, (c) => {
      const { name } = c.req.valid('param');
      const markdown = skills.get(name);
      if (markdown === undefined) throw notFound(`No skill named ${name}`);
      return c.body(markdown, 200, { 'Content-Type': 'text/markdown; charset=utf-8', 'Cache-Control': 'public, max-age=300' });
    });
}
