import { describe, expect, it } from 'vitest';
import { cu16Frames } from './fixtures/recorded-frames.ts';
import {
  decodeCu16Request,
  decodeCu16StatusReply,
  encodeCu16Request,
  encodeCu16StatusReply,
} from './kerong-cu16.ts';

describe('Kerong CU16 codec', () => {
  it('puts board × 16 + lock − 1 in the address byte', () => {
    expect(encodeCu16Request({ board: 0, lock: 1, command: 'status' })).toEqual(cu16Frames.statusBoard0);
    expect(encodeCu16Request({ board: 1, lock: 3, command: 'unlock' })).toEqual(cu16Frames.unlockBoard1Lock3);
    expect(decodeCu16Request(cu16Frames.unlockBoard1Lock3)).toEqual({ board: 1, lock: 3, command: 'unlock' });
  });

  it('decodes hook and item sensor bytes, lock 1 in bit 0', () => {
    const reply = decodeCu16StatusReply(cu16Frames.statusReplyHooks12Item1);
    expect(reply.hookBits.slice(0, 3)).toEqual([true, true, false]);
    expect(reply.itemBits.slice(0, 2)).toEqual([true, false]);
    expect(encodeCu16StatusReply(reply)).toEqual(cu16Frames.statusReplyHooks12Item1);
  });

  it('rejects a 0x30 reply where 0x35 belongs and a bad sum', () => {
    const wrongCommand = Buffer.from(cu16Frames.statusReplyHooks12Item1);
    wrongCommand[2] = 0x30;
    wrongCommand[8] = (wrongCommand[8]! - 5) & 0xff;
    expect(() => decodeCu16StatusReply(wrongCommand)).toThrow(/FRAME_UNKNOWN_COMMAND/);
    const badSum = Buffer.from(cu16Frames.statusBoard0);
    badSum[4] = 0;
    expect(() => decodeCu16Request(badSum)).toThrow(/FRAME_BAD_CHECKSUM/);
  });

  it('refuses boards past 15 and locks past 16', () => {
    expect(() => encodeCu16Request({ board: 16, lock: 1, command: 'unlock' })).toThrow(/0–15/);
    expect(() => encodeCu16Request({ board: 0, lock: 17, command: 'unlock' })).toThrow(/1–16/);
  });
});
