import { codeFormats, formatQr } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { isWellFormedCode } from './code-line.ts';

const qr = formatQr({ lockerId: 'ieper-stadhuis-1', token: 'A'.repeat(22) });

describe('well-formed reader lines', () => {
  it('accepts a QR code, a PIN, a staff PIN and a staff badge', () => {
    expect(isWellFormedCode(qr)).toBe(true);
    expect(isWellFormedCode('1'.repeat(codeFormats.pinDigits))).toBe(true);
    expect(isWellFormedCode('24681357')).toBe(true);
    expect(isWellFormedCode('BADGE-0042')).toBe(true);
  });

  it('refuses a cut QR code, too few or too many digits, short junk and anything with spaces', () => {
    expect(isWellFormedCode(qr.slice(0, 20))).toBe(false);
    expect(isWellFormedCode('1'.repeat(codeFormats.pinDigits - 1))).toBe(false);
    expect(isWellFormedCode('1'.repeat(40))).toBe(false);
    expect(isWellFormedCode('%%')).toBe(false);
    expect(isWellFormedCode('[?25h junk')).toBe(false);
    expect(isWellFormedCode('')).toBe(false);
  });
});
