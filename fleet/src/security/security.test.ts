import { describe, expect, it } from 'vitest';
import { hashMqttSecret, newMqttSecret, verifyMqttSecret } from './mqtt-credential.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { SecretBox, SecretBoxError } from './secret-box.ts';

describe('credentials and sealed secrets', () => {
  it('hashes staff passwords with scrypt and verifies only the right one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$65536\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('hashes locker MQTT secrets in Mosquitto’s $7$ format', () => {
    const secret = newMqttSecret();
    const stored = hashMqttSecret(secret);
    expect(stored).toMatch(/^\$7\$1000\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(verifyMqttSecret(secret, stored)).toBe(true);
    expect(verifyMqttSecret(`${secret}x`, stored)).toBe(false);
    expect(hashMqttSecret(secret)).not.toBe(stored);
  });

  it('seals and opens; a tampered value or another key is refused', () => {
    const box = new SecretBox('a'.repeat(40));
    const sealed = box.seal('{"pin":"123456"}');
    expect(sealed).not.toContain('123456');
    expect(box.open(sealed)).toBe('{"pin":"123456"}');
    expect(() => new SecretBox('b'.repeat(40)).open(sealed)).toThrow(SecretBoxError);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => box.open(tampered)).toThrow(/master key/);
    expect(() => box.open('v2.x')).toThrow(/v1 format/);
  });
});
