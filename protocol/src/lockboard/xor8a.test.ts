import { describe, expect, it } from 'vitest';
import { xor8aFrames } from './fixtures/recorded-frames.ts';
import {
  decodeXor8aAllReply,
  decodeXor8aLockReply,
  decodeXor8aRequest,
  encodeXor8aAllReply,
  encodeXor8aLockReply,
  encodeXor8aRequest,
  xor8aClosedFromStatusByte,
  xor8aClosedFromStatusBytes,
  xor8aDefaultDialect,
  xor8aStatusBytesFromClosed,
} from './xor8a.ts';

describe('8A/80 board codec', () => {
  it('encodes the publicly quoted frames byte for byte', () => {
    expect(encodeXor8aRequest({ command: 'unlock', board: 1, lock: 1 })).toEqual(
      xor8aFrames.unlockBoard1Lock1,
    );
    expect(encodeXor8aRequest({ command: 'unlock', board: 1, lock: 'all' })).toEqual(
      xor8aFrames.unlockBoard1All,
    );
    expect(encodeXor8aRequest({ command: 'query', board: 1, lock: 1 })).toEqual(xor8aFrames.queryBoard1Lock1);
    expect(encodeXor8aRequest({ command: 'query', board: 1, lock: 'all' })).toEqual(
      xor8aFrames.queryBoard1All,
    );
    expect(decodeXor8aRequest(xor8aFrames.queryBoard1All)).toEqual({
      command: 'query',
      board: 1,
      lock: 'all',
    });
  });

  it('reads single-lock replies through the dialect', () => {
    const unlock = decodeXor8aLockReply(xor8aFrames.unlockReplyOpen, 'unlock');
    expect(unlock).toEqual({ command: 'unlock', board: 1, lock: 1, statusByte: 0x00 });
    expect(xor8aClosedFromStatusByte(unlock.statusByte, xor8aDefaultDialect)).toBe(false);
    const query = decodeXor8aLockReply(xor8aFrames.queryReplyClosed, 'query');
    expect(xor8aClosedFromStatusByte(query.statusByte, xor8aDefaultDialect)).toBe(true);
    expect(xor8aClosedFromStatusByte(0x42, xor8aDefaultDialect)).toBeUndefined();
    expect(encodeXor8aLockReply(query)).toEqual(xor8aFrames.queryReplyClosed);
  });

  it('reads query-all status bytes highest group first by default', () => {
    const reply = decodeXor8aAllReply(xor8aFrames.queryAllReplyDoors1_9_17);
    const closed = xor8aClosedFromStatusBytes(reply.statusBytes, xor8aDefaultDialect);
    expect(closed.flatMap((isClosed, i) => (isClosed ? [i + 1] : []))).toEqual([1, 9, 17]);
    expect(encodeXor8aAllReply(reply)).toEqual(xor8aFrames.queryAllReplyDoors1_9_17);
  });

  it('round-trips status bytes in both byte orders and polarities', () => {
    const closed = Array.from({ length: 24 }, (_, i) => i % 5 !== 0);
    for (const statusByteOrder of ['high-first', 'low-first'] as const) {
      for (const closedBitValue of [0, 1] as const) {
        const dialect = { ...xor8aDefaultDialect, statusByteOrder, closedBitValue };
        const bytes = xor8aStatusBytesFromClosed(closed, dialect);
        expect(xor8aClosedFromStatusBytes(bytes, dialect)).toEqual(closed);
      }
    }
  });

  it('rejects a bad XOR, an 8A reply read as a query, and addresses outside the DIP range', () => {
    const bad = Buffer.from(xor8aFrames.unlockBoard1Lock1);
    bad[4] = 0x9c;
    expect(() => decodeXor8aRequest(bad)).toThrow(/FRAME_BAD_CHECKSUM.*0x9b/);
    expect(() => decodeXor8aLockReply(xor8aFrames.unlockReplyOpen, 'query')).toThrow(/FRAME_BAD_MARKER/);
    expect(() => encodeXor8aRequest({ command: 'unlock', board: 0, lock: 1 })).toThrow(/1–31/);
    expect(() => encodeXor8aRequest({ command: 'unlock', board: 32, lock: 1 })).toThrow(/1–31/);
    const mixed = Buffer.from([0x8a, 0x01, 0x01, 0x33, 0xb9]);
    expect(() => decodeXor8aRequest(mixed)).toThrow(/FRAME_UNKNOWN_COMMAND/);
  });
});
