/**
 * The peer: `oidc-provider` (the certified Node.js OpenID/OAuth server), configured for the
 * grants the benchmark compares — client_credentials with JWT access tokens via resource
 * indicators (RFC 8707, RFC 9068), introspection (RFC 7662), authorization_code and refresh
 * tokens with rotation. Interactions auto-approve one fixed account, so the harness can run
 * authorization-code flows programmatically. Run as a child process: PORT selects the port.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { type ProviderClient, errors } from 'oidc-provider';
import { MapAdapter } from './peer-adapter.js';
import { JWT_RESOURCE, OPAQUE_RESOURCE, PEER_ACCOUNT, PEER_CLIENT_ID, PEER_CLIENT_SECRET, PEER_REDIRECT_URI } from './peer-constants.js';

const port = Number(process.env.PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;
const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: PEER_CLIENT_ID,
      client_secret: PEER_CLIENT_SECRET,
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [PEER_REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [{ ...signingKey, alg: 'ES256', use: 'sig', kid: 'bench-es256' }] },
  cookies: { keys: ['bench-cookie-key-not-a-real-secret'] },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  // Every refresh rotates (the library's default rotates only late in a token's life).
  rotateRefreshToken: () => true,
  issueRefreshToken: async (_ctx: unknown, client: ProviderClient) => client.grantTypeAllowed('refresh_token'),
  ttl: { AccessToken: 3600, ClientCredentials: 900, RefreshToken: 14 * 86_400, AuthorizationCode: 60, Grant: 14 * 86_400, Session: 86_400, Interaction: 600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Any authenticated client may introspect its own tokens (the default policy, made explicit).
    introspection: { enabled: true, allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => JWT_RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
        if (indicator === JWT_RESOURCE) {
          return { scope: 'read write', audience: JWT_RESOURCE, accessTokenTTL: 900, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        }
        if (indicator === OPAQUE_RESOURCE) return { scope: 'read write', audience: OPAQUE_RESOURCE, accessTokenTTL: 3600, accessTokenFormat: 'opaque' };
        throw new errors.InvalidTarget();
      },
    },
  },
});

/** Auto-approves: logs in the fixed account, then grants exactly what was asked. */
async function interaction(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: PEER_ACCOUNT } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId ?? PEER_ACCOUNT;
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  if (!grant) throw new Error('grant vanished');
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
const server = createServer((req, res) => {
  if (req.url?.startsWith('/interaction/')) {
    interaction(req, res).catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
    return;
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1');

const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
