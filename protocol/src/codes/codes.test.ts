import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeFormats,
  formatQr,
  isPin,
  isStaffBadge,
  isStaffPin,
  isTrivialPin,
  parseQr,
} from './code-formats.ts';
import { codeHash, randomPin, randomQrToken } from './code-hash.ts';

describe('code formats', () => {
  it('accepts exactly eight digits as a citizen PIN', () => {
    expect(isPin('01234567')).toBe(true);
    for (const bad of ['123456', '1234567', '123456789', '12a45678', ' 12345678', ''])
      expect(isPin(bad)).toBe(false);
  });

  it("accepts 10 to 12 digits as a staff PIN, apart from the citizens' 8, and refuses trivial ones", () => {
    for (const good of ['2026110525', '31415926535', '271828182845']) expect(isStaffPin(good)).toBe(true);
    for (const short of ['000000', '20262026', '31415926', '314159265', '2718281828459'])
      expect(isStaffPin(short)).toBe(false);
    for (const trivial of [
      '0000000000',
      '1234567890',
      '8901234567',
      '9876543210',
      '5555555555555'.slice(0, 12),
      '1212121212',
      '1231231231',
      '2026202620',
    ]) {
      expect(isTrivialPin(trivial), trivial).toBe(true);
      expect(isStaffPin(trivial), trivial).toBe(false);
    }
    expect(isTrivialPin('12345678')).toBe(true);
    expect(isTrivialPin('00000000')).toBe(true);
  });

  it('never takes a citizen PIN, a staff PIN or a QR code for a staff badge', () => {
    for (const notBadge of [
      '12345678',
      '2026110525',
      formatQr({ lockerId: 'ieper-1', token: randomQrToken() }),
      'ab1',
    ])
      expect(isStaffBadge(notBadge)).toBe(false);
    expect(isStaffBadge('BADGE-0042-77')).toBe(true);
  });

  it('round-trips a QR payload and refuses anything else', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,64}$/), (lockerId) => {
        const token = randomQrToken();
        expect(parseQr(formatQr({ lockerId, token }))).toEqual({ lockerId, token });
      }),
    );
    for (const bad of [
      '12345678',
      'LKR1.a',
      'LKR2.ieper-1.AAAAAAAAAAAAAAAAAAAAAA',
      'LKR1.ieper-1.short',
      'LKR1.Ieper.AAAAAAAAAAAAAAAAAAAAAA',
    ])
      expect(parseQr(bad)).toBeUndefined();
  });

  it('makes random PINs of the right length and QR tokens of at least 128 bits', () => {
    const pins = new Set(Array.from({ length: 200 }, randomPin));
    for (const pin of pins) expect(isPin(pin)).toBe(true);
    expect(pins.size).toBeGreaterThan(190);
    expect(Buffer.from(randomQrToken(), 'base64url').length).toBe(codeFormats.qrTokenBytes);
  });

  it('keys the hash by key, locker and kind', () => {
    const base = codeHash('k1', 'ieper-1', 'pin', '123456');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash('k1', 'ieper-1', 'pin', '123456')).toBe(base);
    expect(codeHash('k2', 'ieper-1', 'pin', '123456')).not.toBe(base);
    expect(codeHash('k1', 'ieper-2', 'pin', '123456')).not.toBe(base);
    expect(codeHash('k1', 'ieper-1', 'staff', '123456')).not.toBe(base);
  });
});
