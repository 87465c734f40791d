import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Locker MQTT passwords are random 256-bit secrets, hashed in Mosquitto's own `$7$` format
 * (PBKDF2-SHA512): the same hash lets the embedded broker check a locker and goes unchanged into
 * the password file of an external Mosquitto.
 */
const iterations = 1000;

export function newMqttSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashMqttSecret(secret: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(secret, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyMqttSecret(secret: string, stored: string): boolean {
  const [, scheme, rounds, salt, hash] = stored.split('$');
  if (scheme !== '7' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(secret, Buffer.from(salt, 'base64'), Number(rounds), expected.length, 'sha512');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
