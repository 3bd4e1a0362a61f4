/**
 * Input every route may rely on, enforced once, before any route runs:
 *
 * - **Text both databases store alike.** U+0000 is refused by PostgreSQL and kept by SQLite,
 *   and a UTF-16 surrogate without its pair cannot be encoded as UTF-8 at all. Either is
 *   `invalid_request` wherever it can arrive: the path and query (`%00`), the Cookie header
 *   (cookie values are percent-decoded), a form body (`%00` or a raw NUL) and a JSON body
 *   (`\u0000` and unpaired `\uD800`–`\uDFFF` escapes; a JSON body is parsed here only when it
 *   holds an escape at all).
 * - **One Authorization header.** Two are ambiguous (which one was checked?) and refused,
 *   instead of the first silently winning.
 *
 * It runs after readBody, which holds the body's text.
 */
import type { MiddlewareHandler } from 'hono';
import { invalidRequest } from '../core/errors.js';
import type { AppEnv } from './env.js';
import { nodeRequest, requestHeader } from './request-header.js';

const ENCODED_NUL = /%00/i;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_TYPE = /^application\/([\w.-]+\+)?json\b/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

export const UNSTORABLE_TEXT = 'Text must not contain U+0000 or unpaired UTF-16 surrogates';

/**
 * True when a string anywhere in `value` (object keys included) cannot be stored. Iterative, not
 * recursive: a body nested thousands deep must not overflow the stack, which would read as "clean".
 */
export function holdsUnstorableText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) pending.push(item); // no spread: it has an argument limit
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) return true;
        pending.push(inner);
      }
    }
  }
  return false;
}

function jsonHoldsUnstorableText(text: string): boolean {
  if (!text.includes('\\u')) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false; // malformed JSON is the route's to refuse, with its own message
  }
  return holdsUnstorableText(parsed);
}

export const storableInput: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = nodeRequest(c);
  if (ENCODED_NUL.test(incoming?.url ?? c.req.url)) throw invalidRequest(UNSTORABLE_TEXT);
  const cookie = requestHeader(c, 'cookie');
  if (cookie !== undefined && ENCODED_NUL.test(cookie)) throw invalidRequest(UNSTORABLE_TEXT);
  if (incoming?.headers.authorization !== undefined && authorizationHeaders(incoming.rawHeaders) > 1) {
    throw invalidRequest('Send one Authorization header, not several');
  }
  const cached = (c.req.bodyCache as unknown as { text?: Promise<string> }).text;
  if (cached) {
    const text = await cached;
    if (text.length > 0) {
      const type = requestHeader(c, 'content-type') ?? '';
      const refused = text.includes('\0') || (FORM_TYPE.test(type) ? ENCODED_NUL.test(text) : JSON_TYPE.test(type) && jsonHoldsUnstorableText(text));
      if (refused) throw invalidRequest(UNSTORABLE_TEXT);
    }
  }
  return next();
};

function authorizationHeaders(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') n++;
  return n;
}
