import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** A release key's id: the first 16 hex digits of the SHA-256 of its public key (SPKI DER). */
export function releaseKeyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex').slice(0, 16);
}
