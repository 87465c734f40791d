import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeFormats, formatQr, isPin, isStaffPin, parseQr } from './code-formats.ts';
import { codeHash, randomPin, randomQrToken } from './code-hash.ts';

describe('code formats', () => {
  it('accepts exactly six digits as a PIN', () => {
    expect(isPin('012345')).toBe(true);
    for (const bad of ['12345', '1234567', '12a456', ' 123456', '']) expect(isPin(bad)).toBe(false);
    expect(isStaffPin('12345678')).toBe(true);
    expect(isStaffPin('12345')).toBe(false);
  });

  it('round-trips a QR payload and refuses anything else', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,64}$/), (lockerId) => {
        const token = randomQrToken();
        expect(parseQr(formatQr({ lockerId, token }))).toEqual({ lockerId, token });
      }),
    );
    for (const bad of [
      '123456',
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
