/** A JWT signing key: public JWK in clear, private key sealed with the server secret. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** JSON of the public JWK (with kid, alg, use). */
  publicJwk: string;
  /** PKCS#8 PEM of the private key, sealed (see core/secret-box). */
  privateSealed: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When it starts signing; before that it is only published. */
  activatesAt: number;
}
