/** What the oidc-provider peer (bench/targets/peer.ts) and the harness that drives it agree on. */
export const PEER_CLIENT_ID = 'bench-client';
/** A fixed secret is fine: the peer listens on loopback for the length of one benchmark run. */
export const PEER_CLIENT_SECRET = 'bench-client-secret-not-a-real-secret-0123456789';
export const PEER_ACCOUNT = 'bench-user';
/** Resource indicator (RFC 8707) whose access tokens are JWTs (RFC 9068), like /v0/auth's. */
export const JWT_RESOURCE = 'https://api.bench.invalid/';
/** Resource indicator whose access tokens are opaque (stored), like Gatehouse's `at_…`: what introspection looks up. */
export const OPAQUE_RESOURCE = 'https://opaque.bench.invalid/';
/** Never contacted: the harness reads the code from the redirect's Location header. */
export const PEER_REDIRECT_URI = 'http://127.0.0.1:9/callback';
/** PKCE S256 pair (RFC 7636 Appendix B). */
export const PKCE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
