/**
 * An OAuth 2.0 app of a Gatehouse server (authorization code grant with PKCE, RFC 6749 §4.1 +
 * RFC 7636, as OAuth 2.1 and RFC 9700 require):
 *
 *   1. `authorizationUrl()` → `{url, state, codeVerifier}`: keep `state` and `codeVerifier` in
 *      the user's session, send the user to `url`;
 *   2. `handleCallback(callbackUrl, {state, codeVerifier})` checks `iss` (RFC 9207) and `state`,
 *      surfaces `error`, exchanges the code and stores the tokens;
 *   3. `accessToken()` returns a valid token, refreshing it (with rotation) when it is about to
 *      expire — single-flight, so concurrent callers never present the same refresh token twice;
 *   4. `revoke()` ends the grant (RFC 7009) and clears the store.
 */
import { type CredentialSource, DEFAULT_RENEW_BEFORE_SECONDS } from './credentials.js';
import { type AuthorizationServerMetadata, discover, normalizeIssuer } from './discovery.js';
import { randomToken } from './encoding.js';
import { GatehouseClientError, GatehouseOAuthError, isTransient } from './errors.js';
import { createPkce } from './pkce.js';
import { type Runtime, type RuntimeOptions, resolveRuntime } from './runtime.js';
import { SingleFlight } from './single-flight.js';
import { MemoryTokenStore, type TokenSet, type TokenStore } from './storage.js';
import { type ClientAuth, type ClientAuthMethod, clientAuth, postForm, requestTokens } from './token-endpoint.js';

export interface OAuthClientOptions {
  clientId: string;
  /** The `cs_…` secret of a confidential app; omit it for a public app (browser, native, CLI). */
  clientSecret?: string | undefined;
  /** Default: `client_secret_basic` with a secret, `none` without. */
  clientAuthMethod?: ClientAuthMethod | undefined;
  /** A redirect URI registered for the app. */
  redirectUri: string;
  /** Scopes asked for when `authorizationUrl` is not given any (space-separated or a list). */
  scope?: string | readonly string[] | undefined;
  /** Where tokens are kept (default: in memory). */
  store?: TokenStore | undefined;
  /** Refresh this many seconds before the access token expires (default 30). */
  refreshBeforeSeconds?: number | undefined;
}

export interface GatehouseOAuthOptions extends OAuthClientOptions, RuntimeOptions {
  /** The Gatehouse server's issuer URL, e.g. `https://auth.example.com`. */
  issuer: string | URL;
}

export interface AuthorizationRequest {
  /** Where to send the user. */
  url: string;
  /** Keep it (e.g. in the session) and pass it to `handleCallback`. */
  state: string;
  /** Keep it secret (server-side session or `sessionStorage`) and pass it to `handleCallback`. */
  codeVerifier: string;
}

const scopeString = (s: string | readonly string[] | undefined) => (typeof s === 'string' ? s : s?.join(' '));

export class GatehouseOAuth {
  readonly issuer: string;
  readonly store: TokenStore;
  private readonly runtime: Runtime;
  private readonly auth: ClientAuth;
  private readonly flight = new SingleFlight<TokenSet>();
  private metadataPromise: Promise<AuthorizationServerMetadata> | undefined;

  constructor(private readonly options: GatehouseOAuthOptions) {
    this.issuer = normalizeIssuer(options.issuer);
    this.runtime = resolveRuntime(options);
    this.store = options.store ?? new MemoryTokenStore();
    this.auth = clientAuth(options.clientId, options.clientSecret, options.clientAuthMethod);
  }

  /** RFC 8414 metadata, fetched once (again after a failure). */
  metadata(): Promise<AuthorizationServerMetadata> {
    if (!this.metadataPromise) {
      this.metadataPromise = discover(this.runtime, this.issuer);
      this.metadataPromise.catch(() => {
        this.metadataPromise = undefined;
      });
    }
    return this.metadataPromise;
  }

  /** Step 1: the authorization URL, with PKCE S256 and a random `state`. */
  async authorizationUrl(params: { scope?: string | readonly string[]; state?: string; extraParams?: Record<string, string> } = {}): Promise<AuthorizationRequest> {
    const md = await this.metadata();
    const pkce = await createPkce();
    const state = params.state ?? randomToken(32);
    const url = new URL(md.authorization_endpoint);
    const scope = scopeString(params.scope) ?? scopeString(this.options.scope);
    const query: Record<string, string> = {
      ...params.extraParams,
      response_type: 'code',
      client_id: this.auth.clientId,
      redirect_uri: this.options.redirectUri,
      state,
      code_challenge: pkce.codeChallenge,
      code_challenge_method: pkce.codeChallengeMethod,
      ...(scope ? { scope } : {}),
    };
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return { url: url.toString(), state, codeVerifier: pkce.codeVerifier };
  }

  /**
   * Step 2: the URL the user came back on. Checks `iss` first (RFC 9207 §2.4, also for error
   * answers), then `state` (RFC 6749 §10.12), surfaces `error`, exchanges the code.
   */
  async handleCallback(callbackUrl: string | URL, expected: { state: string; codeVerifier: string }): Promise<TokenSet> {
    const params = new URL(callbackUrl).searchParams;
    const md = await this.metadata();
    const iss = params.get('iss');
    if (iss === null ? md.authorization_response_iss_parameter_supported === true : iss !== md.issuer) {
      throw callbackError('issuer_mismatch', `The response's iss (${iss ?? 'missing'}) is not ${md.issuer}`);
    }
    if (!expected.state || params.get('state') !== expected.state) {
      throw callbackError('state_mismatch', 'The response does not carry the state of this authorization request');
    }
    const error = params.get('error');
    if (error !== null) throw new GatehouseOAuthError({ status: undefined, error, errorDescription: params.get('error_description') ?? undefined });
    const code = params.get('code');
    if (!code) throw callbackError('missing_code', 'The response carries neither code nor error');
    return this.exchangeCode(code, expected.codeVerifier);
  }

  /** Exchanges an authorization code (RFC 6749 §4.1.3) and stores the tokens. */
  async exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    const md = await this.metadata();
    const tokens = await requestTokens(this.runtime, md.token_endpoint, this.auth, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUri,
      code_verifier: codeVerifier,
    });
    await this.store.set(tokens);
    return tokens;
  }

  /** The stored tokens, if any (not refreshed). */
  tokens(): Promise<TokenSet | undefined> {
    return this.store.get();
  }

  /** A valid access token, refreshed first when it expires within `refreshBeforeSeconds`. */
  async accessToken(): Promise<string> {
    const current = await this.store.get();
    if (!current) throw notSignedIn();
    if (!this.stale(current) || !current.refreshToken) return current.accessToken;
    try {
      return (await this.flight.run(() => this.refreshWhen((t) => this.stale(t)))).accessToken;
    } catch (err) {
      // Still valid and the refresh failed for a passing reason (network, 5xx, 429): use it meanwhile.
      const still = await this.store.get();
      if (isTransient(err) && still?.accessToken === current.accessToken && this.runtime.now() < current.expiresAt) return current.accessToken;
      throw err;
    }
  }

  /** Refreshes now (single-flight: callers that arrive meanwhile share the same refresh). */
  refresh(): Promise<TokenSet> {
    return this.flight.run(() => this.refreshWhen(() => true));
  }

  /**
   * The server rejected `rejected` (401 `invalid_token`): refreshes once, unless another call
   * already replaced that token. Returns the token to retry with, or undefined when there is
   * no refresh token.
   */
  async accessTokenAfterRejection(rejected: string): Promise<string | undefined> {
    const current = await this.store.get();
    if (!current?.refreshToken) return undefined;
    const needed = (t: TokenSet) => t.accessToken === rejected;
    let tokens = await this.flight.run(() => this.refreshWhen(needed));
    // We joined a refresh that had decided it was not needed: ask once more for ourselves.
    if (tokens.accessToken === rejected) tokens = await this.flight.run(() => this.refreshWhen(needed));
    return tokens.accessToken;
  }

  /** Ends the grant: revokes the refresh token (or the access token without one), then clears the store. */
  async revoke(): Promise<void> {
    const current = await this.store.get();
    if (!current) return;
    const md = await this.metadata();
    if (md.revocation_endpoint) {
      const hint = current.refreshToken ? 'refresh_token' : 'access_token';
      const res = await postForm(this.runtime, md.revocation_endpoint, this.auth, { token: current.refreshToken ?? current.accessToken, token_type_hint: hint });
      if (!res.ok) throw await GatehouseOAuthError.fromResponse(res);
      await res.body?.cancel();
    }
    await this.store.clear();
  }

  /** A `CredentialSource` for `Gatehouse`. */
  credentials(): CredentialSource {
    return { token: () => this.accessToken(), rejected: (t) => this.accessTokenAfterRejection(t) };
  }

  private stale(t: TokenSet): boolean {
    const lead = (this.options.refreshBeforeSeconds ?? DEFAULT_RENEW_BEFORE_SECONDS) * 1000;
    return this.runtime.now() >= t.expiresAt - lead;
  }

  /** Runs inside the single flight: re-reads the store, so a refresh that already happened is not repeated. */
  private async refreshWhen(needed: (t: TokenSet) => boolean): Promise<TokenSet> {
    const current = await this.store.get();
    if (!current) throw notSignedIn();
    if (!needed(current)) return current;
    if (!current.refreshToken) throw new GatehouseClientError('no_refresh_token', 'The access token cannot be renewed: there is no refresh token; sign in again');
    const md = await this.metadata();
    let next: TokenSet;
    try {
      next = await requestTokens(this.runtime, md.token_endpoint, this.auth, { grant_type: 'refresh_token', refresh_token: current.refreshToken });
    } catch (err) {
      // The grant is over (revoked, expired, or a reuse was detected): the app must sign in again.
      if (err instanceof GatehouseOAuthError && err.error === 'invalid_grant') await this.store.clear();
      throw err;
    }
    // RFC 6749 §6: without a new refresh token, the old one stays valid.
    const stored = { ...next, refreshToken: next.refreshToken ?? current.refreshToken, scope: next.scope || current.scope };
    await this.store.set(stored);
    return stored;
  }
}

function callbackError(error: string, description: string): GatehouseOAuthError {
  return new GatehouseOAuthError({ status: undefined, error, errorDescription: description });
}

function notSignedIn(): GatehouseClientError {
  return new GatehouseClientError('not_signed_in', 'No OAuth tokens stored: complete authorizationUrl() and handleCallback() first');
}
