/**
 * A credential (API key, grant, token, app) was revoked or changed: other processes read these
 * in `seq` order to drop what they cached about it.
 */
export interface CredentialEvent {
  seq: number;
  /** The id of what changed: a key_id, grant id, token digest or client_id. */
  keyId: string;
}
