import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFleetSecret, secretWeakness } from './secret-strength.ts';

describe('secret strength in production', () => {
  it('accepts what `openssl rand -base64 32` and `openssl rand -hex 32` give', () => {
    for (let i = 0; i < 200; i++) {
      expect(secretWeakness(randomBytes(32).toString('base64'))).toBeUndefined();
      expect(secretWeakness(randomBytes(32).toString('hex'))).toBeUndefined();
    }
  });

  it.each([
    ['changeme'.repeat(4), /fewer than 10 different characters/],
    ['a'.repeat(40), /fewer than 10 different characters/],
    ['0123456789'.repeat(4), /repeats a shorter string/],
    ['abcdefghij'.repeat(3) + 'ab', /repeats|bits of randomness/],
    ['short but Varied 12345', /fewer than 32/],
  ])('refuses %j', (value, why) => {
    expect(secretWeakness(value)).toMatch(why);
  });

  it('says how to make a good one, and leaves development alone', () => {
    const env = { K: 'changeme'.repeat(4) };
    expect(() => readFleetSecret({ env: 'K' }, 'secrets.masterKey', 'production', env)).toThrow(
      /secrets\.masterKey: environment variable K is not random enough for production .*openssl rand -base64 32/,
    );
    expect(readFleetSecret({ env: 'K' }, 'secrets.masterKey', 'development', env)).toBe(env.K);
  });
});
