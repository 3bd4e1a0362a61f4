/**
 * Encryption at rest for private signing keys: AES-256-GCM under a key derived (HKDF-SHA256)
 * from the server secret. Sealed text is `v1.<iv>.<ciphertext>.<tag>` in base64url.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GatehouseError } from './errors.js';

export class SecretBox {
  private derived: Buffer | undefined;

  /** `serverSecret` may be a loader: it runs on first use, so a process that never seals needs no secret. */
  constructor(private readonly serverSecret: string | (() => string)) {}

  private get key(): Buffer {
    if (!this.derived) {
      const secret = typeof this.serverSecret === 'string' ? this.serverSecret : this.serverSecret();
      this.derived = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'signing-key-encryption v1', 32));
    }
    return this.derived;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, ct, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, iv, ct, tag] = sealed.split('.');
    if (version !== 'v1' || !iv || !ct || !tag) throw new GatehouseError('internal', 'Unreadable sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      // Wrong server secret (GATEHOUSE_SECRET changed, or instances disagree) or a tampered row.
      throw new GatehouseError('internal', 'Cannot decrypt a signing key: is GATEHOUSE_SECRET the same on every instance?', {}, { cause: err });
    }
  }
}
