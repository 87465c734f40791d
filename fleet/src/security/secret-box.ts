import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly code = 'SECRET_BOX_UNREADABLE';
}

/**
 * AES-256-GCM under the fleet's master key, for what the fleet must be able to read back (each
 * locker's code key, a notification's codes until it is delivered). `v1.iv.tag.ciphertext`, base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: string) {
    this.key = createHash('sha256').update(`locker-fleet-secret-box:${masterKey}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new SecretBoxError('sealed value is not in the v1 format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError('sealed value does not open with this master key: was the key changed?');
    }
  }
}
