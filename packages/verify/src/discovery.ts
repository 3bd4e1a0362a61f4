/**
 * Authorization-server metadata (RFC 8414): where the JWKS and the introspection endpoint
 * live. Fetched once and kept; a failed fetch is not kept, so the next request retries.
 */
import { VerifierUnavailableError } from './errors.js';

export interface ServerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
}

/**
 * RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path, so
 * `https://id.example.com/tenant` is described at
 * `https://id.example.com/.well-known/oauth-authorization-server/tenant`.
 */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** GET a JSON document; anything but a 200 with a JSON object is "unavailable". */
export async function fetchJson(fetchFn: typeof fetch, url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetchFn(url, { ...init, headers: { Accept: 'application/json', ...init.headers }, redirect: 'error' });
  } catch (err) {
    throw new VerifierUnavailableError(`cannot reach ${url}`, { cause: err });
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new VerifierUnavailableError(`${url} answered ${res.status}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new VerifierUnavailableError(`${url} did not answer JSON`, { cause: err });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new VerifierUnavailableError(`${url} did not answer a JSON object`);
  return body as Record<string, unknown>;
}

export class Discovery {
  private pending: Promise<ServerMetadata> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  metadata(): Promise<ServerMetadata> {
    if (!this.pending) {
      this.pending = this.load();
      this.pending.catch(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async load(): Promise<ServerMetadata> {
    const url = metadataUrl(this.issuer);
    const doc = await fetchJson(this.fetchFn, url);
    // RFC 8414 §3.3: the document must name exactly the issuer it was fetched for.
    if (doc.issuer !== this.issuer) throw new VerifierUnavailableError(`${url} names issuer ${JSON.stringify(doc.issuer)}, expected ${this.issuer}`);
    const endpoint = (name: 'jwks_uri' | 'introspection_endpoint') => {
      const v = doc[name];
      return typeof v === 'string' && /^https?:\/\//.test(v) ? { [name]: v } : {};
    };
    return { issuer: this.issuer, ...endpoint('jwks_uri'), ...endpoint('introspection_endpoint') };
  }
}
