import { describe, expect, it } from 'vitest';
import { Cu48RequestScanner } from './cu48-request-scanner.ts';

const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex');
const status = hex('02 00 00 50 03 55');

describe('CU48 request scanner (6-byte frames, p.3 §2.1)', () => {
  it('assembles a request fed one byte at a time', () => {
    const scanner = new Cu48RequestScanner();
    const out = [...status].flatMap((byte) => scanner.push(Buffer.from([byte])));
    expect(out).toEqual([{ kind: 'request', bytes: status }]);
  });

  it('takes two requests from one chunk', () => {
    const unlock = hex('02 00 2F 51 03 85');
    expect(new Cu48RequestScanner().push(Buffer.concat([status, unlock]))).toEqual([
      { kind: 'request', bytes: status },
      { kind: 'request', bytes: unlock },
    ]);
  });

  it('rejects junk before STX and a frame with a bad checksum, then finds the next good one', () => {
    const out = new Cu48RequestScanner().push(
      Buffer.concat([hex('FF 00'), hex('02 00 00 50 03 56'), status]),
    );
    expect(out.at(-1)).toEqual({ kind: 'request', bytes: status });
    expect(out.slice(0, -1).every((scanned) => scanned.kind === 'rejected')).toBe(true);
    expect(Buffer.concat(out.slice(0, -1).map((scanned) => scanned.bytes))).toEqual(
      hex('FF 00 02 00 00 50 03 56'),
    );
  });
});
