import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { updateConfigSchema, updateDefaults } from './update-config.ts';

const pem = (type: 'ed25519' | 'x25519') =>
  generateKeyPairSync(type as 'ed25519')
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

describe('updates section of the locker config', () => {
  it('takes Ed25519 public keys and fills the defaults (night window, 10 min health gate)', () => {
    const config = updateConfigSchema.parse({
      publicKeys: [pem('ed25519')],
      downloadUrl: 'https://fleet.example.be',
    });
    expect(config).toMatchObject({
      healthGateMs: updateDefaults.healthGateMs,
      window: { startHour: 1, endHour: 5 },
    });
  });

  it('refuses a key that is not an Ed25519 public key, and no key at all', () => {
    for (const publicKeys of [['not a key'], [pem('x25519')], []])
      expect(
        updateConfigSchema.safeParse({ publicKeys, downloadUrl: 'https://fleet.example.be' }).success,
      ).toBe(false);
  });
});
